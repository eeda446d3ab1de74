"""REST v3 Accounting API views: /v3/company/{realmId}/... (docs/quickbooks-api.md, REST requests).

Every view authenticates through `sandbox.gateway.api_view` and answers faults in Intuit's Fault JSON.
`minorversion` is accepted and ignored: Intuit serves minor version 75 to every request.
"""

from functools import wraps

from simplejson import JSONDecodeError

from .. import codec
from ..errors import QBOFault, json_response
from ..gateway import api_view
from ..timefmt import intuit_now
from . import batch, cdc, company, query, search, writes
from .entities import by_segment
from .faults import malformed_body, unsupported_operation
from .public import public


def faults_as_responses(view):
    """Turn a raised QBOFault into Intuit's 400 Fault response."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except QBOFault as fault:
            return fault.response()

    return wrapper


def _body(request) -> dict:
    try:
        body = codec.loads(request.body or b"")
    except (JSONDecodeError, UnicodeDecodeError) as exc:
        raise malformed_body(str(exc)) from None
    if not isinstance(body, dict):
        raise malformed_body("the request body is not a JSON object")
    return body


def _no_resource(request):
    return unsupported_operation(
        f"Could not find resource for relative : {request.path} of full path: {request.build_absolute_uri()}"
    )


def _method(request, method: str) -> None:
    if request.method != method:
        raise _no_resource(request)


def _kind(request, segment: str):
    kind = by_segment(segment)
    if kind is None or segment != segment.lower():  # paths are lower-case and case sensitive
        raise _no_resource(request)
    return kind


def _wrapped(kind_name: str, document: dict):
    return json_response({kind_name: document, "time": intuit_now()})


@api_view()
@faults_as_responses
def entity(request, realm_id, entity):
    """POST {entity}: create, update, sparse update, ?operation=delete (Intuit: each entity page)."""
    kind = _kind(request, entity)
    if request.method == "GET" and kind.name == "Preferences":
        return _wrapped(kind.name, public(company.ensure(request.realm, "Preferences").document))
    if request.method != "POST":
        raise _no_resource(request)
    if kind.name in ("CompanyInfo", "Preferences"):
        company.ensure(request.realm, kind.name)
    document = writes.apply(request.realm, kind, _body(request), request.GET.get("operation", ""))
    return _wrapped(kind.name, document)


@api_view()
@faults_as_responses
def read(request, realm_id, entity, qbo_id):
    """GET {entity}/{id} (Intuit: each entity page, "Read a ...")."""
    _method(request, "GET")
    kind = _kind(request, entity)
    if kind.name == "CompanyInfo":
        info = company.ensure(request.realm, "CompanyInfo")
        if qbo_id == request.realm.realm_id:
            return _wrapped(kind.name, public(info.document))
    if kind.name == "Preferences":
        company.ensure(request.realm, "Preferences")
    return _wrapped(kind.name, writes.read(request.realm, kind, qbo_id))


@api_view()
@faults_as_responses
def run_query(request, realm_id):
    """GET query?query=... or POST query with the statement as application/text (Intuit: "Data queries")."""
    if request.method == "POST":
        statement = request.body.decode("utf-8", errors="replace") or request.GET.get("query", "")
    elif request.method == "GET":
        statement = request.GET.get("query", "")
    else:
        raise _no_resource(request)
    result = search.run(request.realm, query.parse(statement))
    return json_response({"QueryResponse": result, "time": intuit_now()})


@api_view()
@faults_as_responses
def run_batch(request, realm_id):
    """POST batch (Intuit: "Batch")."""
    _method(request, "POST")
    return json_response({**batch.run(request.realm, _body(request)), "time": intuit_now()})


@api_view()
@faults_as_responses
def change_data_capture(request, realm_id):
    """GET cdc?entities=...&changedSince=... (Intuit: "Change data capture")."""
    _method(request, "GET")
    body = cdc.run(request.realm, request.GET.get("entities", ""), request.GET.get("changedSince", ""))
    return json_response({**body, "time": intuit_now()})


@api_view()
@faults_as_responses
def unknown(request, realm_id, rest=""):
    """Any other path under /v3/company/{realmId}/: Intuit's "Unsupported Operation" fault."""
    raise _no_resource(request)

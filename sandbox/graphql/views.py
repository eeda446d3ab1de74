"""POST /graphql: read the request, refuse invalid documents with 400, execute, answer Intuit's shapes."""

import logging
from functools import lru_cache

from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt
from graphql import GraphQLError, GraphQLSyntaxError, execute, parse, validate
from graphql.execution import ExecutionContext

from sandbox import codec
from sandbox.errors import json_response
from sandbox.gateway import ACCOUNTING_SCOPE, api_view

from . import errors
from .schema import get_schema

logger = logging.getLogger(__name__)


def _request_body(request) -> tuple[dict | None, str | None]:
    """The {query, variables, operationName} object, or why it is not one."""
    try:
        body = codec.loads(request.body or b"")
    except ValueError as error:
        return None, f"Request body is not JSON: {error}"
    if not isinstance(body, dict) or not isinstance(body.get("query"), str):
        return None, "Request body must be a JSON object with a string `query`"
    if not isinstance(body.get("variables") or {}, dict):
        return None, "`variables` must be a JSON object"
    return body, None


@lru_cache(maxsize=256)
def _valid_document(query: str):
    """The parsed document of `query` if it is valid against the schema, else None; clients send the same few
    documents again and again, and a parsed document is never changed by executing it."""
    try:
        document = parse(query)
    except GraphQLSyntaxError:
        return None
    return None if validate(get_schema(), document) else document


def _document(body: dict):
    """The parsed and validated document, or the 400 answer for it."""
    document = _valid_document(body["query"])
    if document is not None:
        return document, None
    try:
        document = parse(body["query"])
    except GraphQLSyntaxError as error:
        return None, errors.invalid_request([error], parse=True)
    problems = validate(get_schema(), document)
    return (None, errors.invalid_request(problems, parse=False)) if problems else (document, None)


def _answer(result) -> HttpResponse:
    forbidden = [e.original_error for e in result.errors or [] if isinstance(e.original_error, errors.Forbidden)]
    if forbidden:
        return errors.gateway_error(403, "Forbidden", str(forbidden[0]))
    for error in result.errors or []:
        if error.original_error is not None and not isinstance(error.original_error, GraphQLError):
            logger.error("GraphQL resolver failed", exc_info=error.original_error)
    body = {"data": result.data}
    if result.errors:
        body["errors"] = [error.formatted for error in result.errors]
    return json_response(body)


def _serve(request) -> HttpResponse:
    if request.method != "POST":
        return json_response({"errors": [{"message": "Only POST is supported"}]}, status=405)
    body, problem = _request_body(request)
    if problem:
        return errors.invalid_request([GraphQLError(problem)], parse=True)
    document, refusal = _document(body)
    if refusal:
        return refusal
    context = {"realm": request.realm, "grant": request.grant}
    variables, operation = body.get("variables") or {}, body.get("operationName")
    # Operation selection and variable coercion fail before any resolver runs: an invalid request (400).
    built = ExecutionContext.build(get_schema(), document, None, context, variables, operation)
    if isinstance(built, list):
        return errors.invalid_request(built, parse=False)
    return _answer(execute(get_schema(), document, None, context, variables, operation))


_authenticated = api_view(scope=ACCOUNTING_SCOPE, realm_from_url=False)(_serve)


@csrf_exempt
def graphql_endpoint(request) -> HttpResponse:
    """Intuit's GraphQL endpoint (qb.api.intuit.com/graphql): the token names the company."""
    return errors.regateway(_authenticated(request))

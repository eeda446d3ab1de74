"""Intuit's GraphQL error shapes (docs/quickbooks-api.md, GraphQL errors).

- invalid documents: HTTP 400, `errors[].extensions` {code VAL-0100, innerCode GRAPHQL_PARSE_FAILED or
  GRAPHQL_VALIDATION_FAILED, innerMessage, classification VALIDATION_ERROR};
- missing scope: HTTP 200, extensions {classification AUTHORIZATION, code AHZ-0010, innerMessage};
- budget (budgeting-service) errors: HTTP 200, `data: null`, extensions {errorCode: "PNB-INPUT-72", ...};
- gateway errors (whole request: 401, 403): `{"code", "type", "message", "detail", "moreInfo"}`.
"""

from functools import wraps

from django.db import transaction
from graphql import GraphQLError

from sandbox import codec
from sandbox.errors import json_response

PARSE_MESSAGE = "Syntax error. Unable to parse incoming request"
VALIDATION_MESSAGE = "Validation error. Unable to validate incoming request"
INSUFFICIENT_SCOPE = "Access denied; Insufficient Scope"


class Forbidden(Exception):
    """Raised by a resolver when the whole request must answer 403 (a company without the premium API)."""


def invalid_request(errors: list[GraphQLError], *, parse: bool) -> object:
    """HTTP 400 for a document that does not parse, validate, or fit its variables."""
    inner_code = "GRAPHQL_PARSE_FAILED" if parse else "GRAPHQL_VALIDATION_FAILED"
    body = [
        {
            "message": PARSE_MESSAGE if parse else VALIDATION_MESSAGE,
            **({"locations": [loc._asdict() for loc in error.locations]} if error.locations else {}),
            "extensions": {
                "code": "VAL-0100",
                "innerCode": inner_code,
                "innerMessage": error.message,
                "classification": "VALIDATION_ERROR",
            },
        }
        for error in errors
    ]
    return json_response({"errors": body}, status=400)


def insufficient_scope() -> GraphQLError:
    return GraphQLError(
        INSUFFICIENT_SCOPE,
        extensions={"classification": "AUTHORIZATION", "innerMessage": INSUFFICIENT_SCOPE, "code": "AHZ-0010"},
    )


def budget_error(code: str, name: str, message: str) -> GraphQLError:
    """A budgeting-service error. Intuit documents `extensions.errorCode`; a symbolic name for each code
    goes in `errorName` (a sandbox choice: the client must branch on errorCode only)."""
    return GraphQLError(message, extensions={"errorCode": code, "errorName": name})


def project_error(inner_code: str, message: str, *, classification: str = "VALIDATION_ERROR") -> GraphQLError:
    """A Projects API business error. Intuit documents no codes for these; the sandbox answers the extension keys
    of docs/quickbooks-api.md (GraphQL errors) with a descriptive `innerCode` (callers should branch on
    classification, not on codes)."""
    code = "NOT_FOUND" if classification == "NOT_FOUND" else "INVALID_INPUT"
    return GraphQLError(
        message,
        extensions={"classification": classification, "code": code, "innerCode": inner_code, "innerMessage": message},
    )


def gateway_error(status: int, code: str, detail: str):
    """The GraphQL gateway's whole-request envelope (docs/quickbooks-api.md, GraphQL errors), e.g. 401."""
    body = {"code": code, "type": "INPUT", "message": None, "detail": detail, "moreInfo": None}
    response = json_response(body, status=status)
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="Intuit"'
    return response


def regateway(response):
    """Re-envelope a REST gateway fault (from `sandbox.gateway.api_view`) in the GraphQL gateway's shape."""
    if response.status_code not in (401, 403):
        return response
    errors = codec.loads(response.content).get("fault", {}).get("error") or [{}]
    code = "AuthenticationFailed" if response.status_code == 401 else "Forbidden"
    return gateway_error(response.status_code, code, errors[0].get("detail") or code)


def atomic_resolver(resolver):
    """A mutation runs in one sandbox transaction: an error part-way leaves nothing half written."""

    @wraps(resolver)
    def wrapper(*args, **kwargs):
        with transaction.atomic(using="sandbox"):
            return resolver(*args, **kwargs)

    return wrapper

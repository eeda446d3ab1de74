"""Intuit's error bodies, in their three shapes (docs/quickbooks-api.md, Error bodies and Limits).

- business and validation faults: capital `Fault`/`Error` JSON (`QBOFault`);
- the gateway's 401/403: a lower-case `fault` envelope (`gateway_fault`);
- throttling: an XML body with code 3001, even when JSON was asked for (`throttled`).
"""

import uuid

from django.http import HttpResponse

from . import codec
from .timefmt import intuit_now


class QBOFault(Exception):
    """Raise anywhere in a REST handler; the view turns it into Intuit's Fault response."""

    def __init__(self, code, message, detail="", *, element="", status=400, fault_type="ValidationFault"):
        super().__init__(f"{code} {message}: {detail}")
        self.code, self.message, self.detail = str(code), message, detail
        self.element, self.status, self.fault_type = element, status, fault_type

    def body(self) -> dict:
        return {
            "Fault": {
                "Error": [{"Message": self.message, "Detail": self.detail, "code": self.code, "element": self.element}],
                "type": self.fault_type,
            },
            "time": intuit_now(),
        }

    def response(self) -> HttpResponse:
        return json_response(self.body(), status=self.status)


def not_found(entity: str, qbo_id) -> QBOFault:
    return QBOFault(
        610,
        "Object Not Found",
        f"Object Not Found : Something you're trying to use has been made inactive or is not found: {entity} {qbo_id}",
    )


def stale_object() -> QBOFault:
    return QBOFault(
        5010,
        "Stale Object Error",
        "Stale Object Error : You and sandbox@costline.local were working on this at the same time. "
        "sandbox@costline.local finished before you did, so your work was not saved.",
    )


def business_validation(detail: str, *, code=6000, element="") -> QBOFault:
    return QBOFault(
        code, "A business validation error has occurred while processing your request", detail, element=element
    )


def json_response(body, status=200) -> HttpResponse:
    response = HttpResponse(codec.dumps(body), status=status, content_type="application/json;charset=UTF-8")
    response["intuit_tid"] = str(uuid.uuid4())
    return response


def gateway_fault(status: int, detail: str) -> HttpResponse:
    """401 (code 3200, AuthenticationFailed) or 403 (code 3100, ApplicationAuthorizationFailed)."""
    if status == 401:
        message, code, fault_type = (
            "message=AuthenticationFailed; errorCode=003200; statusCode=401",
            "3200",
            "AUTHENTICATION",
        )
    else:
        message, code, fault_type = (
            "message=ApplicationAuthorizationFailed; errorCode=003100; statusCode=403",
            "3100",
            "SERVICE",
        )
    body = {
        "warnings": None,
        "intuitObject": None,
        "fault": {"error": [{"message": message, "detail": detail, "code": code, "element": None}], "type": fault_type},
        "report": None,
        "queryResponse": None,
        "batchItemResponse": [],
        "attachableResponse": [],
        "syncErrorResponse": None,
        "requestId": None,
        "time": intuit_now(epoch_ms=True),
        "status": None,
        "cdcresponse": [],
    }
    response = json_response(body, status=status)
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="Intuit"'
    return response


THROTTLED_XML = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<IntuitResponse xmlns="http://schema.intuit.com/finance/v3" time="{time}">'
    '<Fault type="SERVICE"><Error code="3001"><Message>message=ThrottleExceeded; errorCode=003001; statusCode=429'
    "</Message><Detail>The request limit was reached.  Try again later</Detail></Error></Fault></IntuitResponse>"
)


def throttled(retry_after: int | None = None) -> HttpResponse:
    response = HttpResponse(THROTTLED_XML.format(time=intuit_now()), status=429, content_type="application/xml")
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    response["intuit_tid"] = str(uuid.uuid4())
    return response

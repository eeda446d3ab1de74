"""What QuickBooks can answer, as exceptions that say whether trying again can help.

Intuit reports failures in three shapes (capital `Fault` JSON for business errors, the gateway's
lower-case `fault` for 401/403, XML for 429); `from_response` reads all three. Codes follow Intuit's
ranges (see python-quickbooks' exceptions): 610 not found, 5010 stale object, 5020/5030 not entitled,
2000-6999 validation.
"""

import re
from typing import Any

from requests import Response

from . import jsonio


class QuickBooksError(Exception):
    """Base class. `transient` errors may succeed on a retry; the rest will not."""

    transient = False

    def __init__(
        self,
        message: str,
        *,
        code: str = "",
        detail: str = "",
        element: str = "",
        status: int | None = None,
        intuit_tid: str = "",
    ):
        super().__init__(message)
        self.message, self.code, self.detail, self.element = message, str(code or ""), detail or "", element or ""
        self.status, self.intuit_tid = status, intuit_tid

    def __str__(self) -> str:
        parts = [self.message]
        if self.detail and self.detail != self.message:
            parts.append(self.detail)
        return ": ".join(parts) + (f" (QuickBooks error {self.code})" if self.code else "")

    @property
    def user_message(self) -> str:
        """Plain words for a person, with the field QuickBooks names when it names one."""
        field = f" (field: {self.element})" if self.element else ""
        detail = self.detail or self.message
        return f"QuickBooks did not accept this{field}: {detail}"


class TransientError(QuickBooksError):
    """A timeout, a dropped connection or a 5xx: worth retrying with the same requestid."""

    transient = True


class RateLimitedError(TransientError):
    """429: QuickBooks' throttle (code 3001). `retry_after` is the wait it asked for, if any."""

    def __init__(self, *args: Any, retry_after: float | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.retry_after = retry_after


class AuthenticationError(QuickBooksError):
    """401: the access token is missing, expired or revoked."""


class ReauthorizationRequired(QuickBooksError):
    """The refresh token no longer works (`invalid_grant`): an admin must reconnect the company."""

    @property
    def user_message(self) -> str:
        return "QuickBooks no longer accepts Costline's authorisation for this company. An admin must reconnect it."


class AuthorizationError(QuickBooksError):
    """403: the grant does not cover this company or this scope."""


class NotFoundError(QuickBooksError):
    """610: the object does not exist (or was made inactive)."""


class StaleObjectError(QuickBooksError):
    """5010: someone changed the object since the SyncToken we sent."""


class NotEntitledError(QuickBooksError):
    """5020/5030, or a GraphQL refusal: the company's plan does not include this feature."""


class ValidationError(QuickBooksError):
    """QuickBooks refused the request's content (business rules, references, query syntax)."""


class GraphQLError(QuickBooksError):
    """Errors returned by the GraphQL APIs; `code` is Intuit's errorCode or classification."""


def _class_for_code(code: str) -> type[QuickBooksError]:
    number = int(code) if code.isdigit() else -1
    if number == 610:
        return NotFoundError
    if number == 5010:
        return StaleObjectError
    if number in (5020, 5030):
        return NotEntitledError
    if 1 <= number < 500:
        return AuthenticationError
    if 2000 <= number < 7000 or number == 4000:
        return ValidationError
    return QuickBooksError


def _xml_error(text: str) -> tuple[str, str, str]:
    code = re.search(r'<Error[^>]*code="(\d+)"', text)
    message = re.search(r"<Message>(.*?)</Message>", text, re.S)
    detail = re.search(r"<Detail>(.*?)</Detail>", text, re.S)
    return (code.group(1) if code else "", message.group(1) if message else "", detail.group(1) if detail else "")


def _retry_after(response: Response) -> float | None:
    value = response.headers.get("Retry-After")
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def from_fault(fault: dict, *, status: int | None = None, intuit_tid: str = "") -> QuickBooksError:
    """An exception from a capital-F `Fault` object (REST bodies and batch items)."""
    error = (fault.get("Error") or [{}])[0]
    code = str(error.get("code", ""))
    return _class_for_code(code)(
        error.get("Message", "QuickBooks error"),
        code=code,
        detail=error.get("Detail", ""),
        element=error.get("element", ""),
        status=status,
        intuit_tid=intuit_tid,
    )


def from_response(response: Response) -> QuickBooksError:
    """The exception an error response stands for."""
    status, tid = response.status_code, response.headers.get("intuit_tid", "")
    text = response.text
    if status == 429:
        code, message, detail = _xml_error(text)
        return RateLimitedError(
            message or "Rate limited",
            code=code or "3001",
            detail=detail,
            status=status,
            intuit_tid=tid,
            retry_after=_retry_after(response),
        )
    if status >= 500:
        return TransientError(f"QuickBooks answered {status}", detail=text[:300], status=status, intuit_tid=tid)
    body = jsonio.loads_or_none(text)
    if isinstance(body, dict) and "Fault" in body:
        error = from_fault(body["Fault"], status=status, intuit_tid=tid)
        if status == 401:
            return AuthenticationError(error.message, code=error.code, detail=error.detail, status=status)
        return error
    if isinstance(body, dict) and isinstance(body.get("fault"), dict):  # the gateway's envelope
        error = (body["fault"].get("error") or [{}])[0]
        cls: type[QuickBooksError] = AuthenticationError if status == 401 else AuthorizationError
        return cls(
            error.get("message", ""),
            code=error.get("code", ""),
            detail=error.get("detail", ""),
            status=status,
            intuit_tid=tid,
        )
    if isinstance(body, dict) and isinstance(body.get("errors"), list) and body["errors"]:  # GraphQL 400s
        error = body["errors"][0]
        extensions = error.get("extensions") or {}
        return GraphQLError(
            error.get("message", "GraphQL error"),
            code=str(extensions.get("code", "")),
            detail=extensions.get("innerMessage", ""),
            status=status,
            intuit_tid=tid,
        )
    if isinstance(body, dict) and "code" in body and "detail" in body:  # the GraphQL gateway's envelope
        cls = AuthenticationError if status == 401 else AuthorizationError
        return cls(
            str(body.get("code")),
            code=str(body.get("code")),
            detail=body.get("detail") or "",
            status=status,
            intuit_tid=tid,
        )
    if text.lstrip().startswith("<"):
        code, message, detail = _xml_error(text)
        cls = AuthenticationError if status == 401 else _class_for_code(code)
        return cls(message or f"HTTP {status}", code=code, detail=detail, status=status, intuit_tid=tid)
    cls = {401: AuthenticationError, 403: AuthorizationError, 404: NotFoundError}.get(status, QuickBooksError)
    return cls(f"QuickBooks answered {status}", detail=text[:300], status=status, intuit_tid=tid)

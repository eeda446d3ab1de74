"""The custom scalars of the Projects and Budgets SDL: Decimal, DateTime, Date, PositiveInt.

Money and rates stay `Decimal` end to end: the request body is read with `sandbox.codec.loads` (JSON numbers
become Decimal), `Decimal` values pass through serialization untouched, and the view writes the answer with
`sandbox.codec.dumps`, which prints them as exact JSON numbers. No float ever holds an amount.
"""

import re
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation

from graphql import GraphQLError, GraphQLSchema
from graphql.language import FloatValueNode, IntValueNode, StringValueNode

# Intuit's samples send nanoseconds ("2024-03-30T18:47:25.123456789-07:00"), which datetime cannot hold.
DATETIME_RE = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})"
    r"(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?\s*(Z|z|[+-]\d{2}:?\d{2})?)?$"
)


def to_decimal(value) -> Decimal:
    if isinstance(value, bool) or value is None:
        raise GraphQLError(f"Decimal cannot represent value: {value!r}")
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value))
    except InvalidOperation:
        raise GraphQLError(f"Decimal cannot represent value: {value!r}") from None
    if not number.is_finite():
        raise GraphQLError(f"Decimal cannot represent value: {value!r}")
    return number


def _decimal_literal(node, _variables=None) -> Decimal:
    if isinstance(node, IntValueNode | FloatValueNode | StringValueNode):
        return to_decimal(node.value)
    raise GraphQLError("Decimal cannot represent a non-numeric literal")


def _offset(text: str | None) -> timezone:
    if text is None or text in "Zz":
        return UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    return timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))


def parse_datetime(text) -> str:
    """An ISO 8601 date-time (or date) in any offset, as the stored UTC form 2024-08-22T00:00:00.000Z."""
    match = DATETIME_RE.match(text.strip()) if isinstance(text, str) else None
    if match is None:
        raise GraphQLError(f"DateTime cannot represent value: {text!r}")
    year, month, day, hour, minute, second, fraction, offset = match.groups()
    micros = int((fraction or "0")[:6].ljust(6, "0"))
    try:
        moment = datetime(
            int(year),
            int(month),
            int(day),
            int(hour or 0),
            int(minute or 0),
            int(second or 0),
            micros,
            tzinfo=_offset(offset),
        )
    except ValueError as error:
        raise GraphQLError(f"DateTime cannot represent value: {text!r} ({error})") from None
    return format_datetime(moment)


def format_datetime(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def parse_date(text) -> str:
    try:
        if isinstance(text, str) and len(text) == 10:
            return date.fromisoformat(text).isoformat()
    except ValueError:
        pass
    raise GraphQLError(f"Date cannot represent value: {text!r}; expected YYYY-MM-DD")


def parse_positive_int(value) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise GraphQLError(f"PositiveInt cannot represent value: {value!r}")
    return value


def _string_literal(parse):
    def literal(node, _variables=None):
        if isinstance(node, StringValueNode):
            return parse(node.value)
        raise GraphQLError("Expected a string literal")

    return literal


def _int_literal(node, _variables=None) -> int:
    if isinstance(node, IntValueNode):
        return parse_positive_int(int(node.value))
    raise GraphQLError("PositiveInt cannot represent a non-integer literal")


def install(schema: GraphQLSchema) -> None:
    """Give the SDL's scalars their parsing and serialization."""
    decimal = schema.type_map["Decimal"]
    decimal.serialize, decimal.parse_value, decimal.parse_literal = to_decimal, to_decimal, _decimal_literal
    moment = schema.type_map["DateTime"]
    moment.serialize, moment.parse_value = parse_datetime, parse_datetime
    moment.parse_literal = _string_literal(parse_datetime)
    day = schema.type_map["Date"]
    day.serialize, day.parse_value, day.parse_literal = parse_date, parse_date, _string_literal(parse_date)
    positive = schema.type_map["PositiveInt"]
    positive.serialize, positive.parse_value, positive.parse_literal = int, parse_positive_int, _int_literal

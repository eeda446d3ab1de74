"""The REST API's own faults, worded as Intuit words them (docs/quickbooks-api.md, Error bodies).

Where no source gives the exact wording, the choice is noted next to the fault.
"""

from ..errors import QBOFault, business_validation


def unsupported_operation(detail: str) -> QBOFault:
    """Code 500: an unknown path, entity or operation (docs/quickbooks-api.md, Error bodies)."""
    return QBOFault(500, "Unsupported Operation", f"Operation {detail} is not supported.")


def malformed_body(problem: str) -> QBOFault:
    """What QuickBooks answers to a body it cannot parse as JSON."""
    return QBOFault(
        2010,
        "Request has invalid or unsupported property",
        f"Property Name:{problem} specified is unsupported or invalid",
    )


def required_param(element: str) -> QBOFault:
    return QBOFault(
        2020,
        "Required param missing, need to supply the required value for the API",
        f"Required parameter {element} is missing in the request",
        element=element,
    )


def string_length(element: str, limit: int, supplied: int) -> QBOFault:
    """2050, worded as Intuit answers a DocNumber of 45 characters (docs/quickbooks-api.md, Limits)."""
    return QBOFault(
        2050,
        "String length is either shorter or longer than supported by specification",
        f"String length specified does not match the supported length. Min:0 Max:{limit} supported. "
        f"Supplied length:{supplied}",
        element=element,
    )


# Intuit's documented lengths (docs/quickbooks-api.md, Limits): on every entity that carries the field.
TEXT_LIMITS = {"DocNumber": 21, "PrivateNote": 4000, "DisplayName": 500, "CompanyName": 100, "Notes": 2000}
MEMO_LIMIT, LINE_DESCRIPTION_LIMIT = 1000, 4000  # CustomerMemo.value; Line[].Description


def check_lengths(doc: dict) -> None:
    """Refuse, as Intuit does, text longer than the field takes; nothing is cut short silently."""
    memo = doc.get("CustomerMemo")
    found = [(name, limit, doc.get(name)) for name, limit in TEXT_LIMITS.items()]
    found.append(("CustomerMemo", MEMO_LIMIT, memo.get("value") if isinstance(memo, dict) else None))
    lines = doc.get("Line") if isinstance(doc.get("Line"), list) else []
    found += [
        ("Description", LINE_DESCRIPTION_LIMIT, line.get("Description")) for line in lines if isinstance(line, dict)
    ]
    for element, limit, value in found:
        if isinstance(value, str) and len(value) > limit:
            raise string_length(element, limit, len(value))


def invalid_reference(entity: str, qbo_id) -> QBOFault:
    """2500: a reference to an object that is inactive (a missing one is 610, `errors.not_found`)."""
    return QBOFault(
        2500,
        "Invalid Reference Id",
        f"Invalid Reference Id : Something you're trying to use has been made inactive. "
        f"Check the fields with accounts, customers, items, vendors or employees. {entity} {qbo_id}",
    )


def invalid_project_ref(qbo_id) -> QBOFault:
    """ "Invalid ProjectRef" (tests/sandbox/fixtures/qbo_seed_000_invalid_projectref.json; docs/quickbooks-api.md,
    Writes): ProjectRef names a customer that is not a project.

    The fixture quotes only the text and Intuit documents no code; the sandbox chooses 9341, the one code
    developers have reported, and sends it as a ValidationFault on element ProjectRef.
    """
    return QBOFault(
        9341,
        "Invalid ProjectRef",
        f"Invalid ProjectRef : {qbo_id} is not a project (a Customer with Job = true and IsProject = true).",
        element="ProjectRef",
    )


def not_entitled() -> QBOFault:
    """5020, as Intuit answers a feature the company's subscription does not include."""
    return QBOFault(
        5020,
        "Permission Denied Error",
        "Permission Denied Error : You do not have the access rights to use this feature.",
    )


def duplicate_name(qbo_id) -> QBOFault:
    return QBOFault(
        6240,
        "Duplicate Name Exists Error",
        f"The name supplied already exists. : Another customer, vendor, employee or list entry "
        f"is already using this name. Please use a different name. Id={qbo_id}",
    )


def no_name() -> QBOFault:
    return business_validation(
        "Business Validation Error: You must provide a name (DisplayName or one of "
        "Title, GivenName, MiddleName, FamilyName, Suffix).",
        code=6080,
    )


def amount_mismatch(supplied) -> QBOFault:
    return QBOFault(
        6070,
        "Amount is not equal to UnitPrice * Qty",
        f"Amount is not equal to UnitPrice * Qty. Supplied value:{supplied}",
        element="Line.Amount",
    )


def invalid_tax_code(value) -> QBOFault:
    return business_validation(
        f"Business Validation Error: Invalid line TaxCodeRef {value}: a US company line tax code must be TAX or NON.",
        code=6100,
        element="TaxCodeRef",
    )


def parser_error(detail: str) -> QBOFault:
    return QBOFault(4000, "Error parsing query", f"QueryParserError: {detail}")


def query_validation(detail: str) -> QBOFault:
    """Code 4001 "Invalid query" is our choice: sources quote only the `QueryValidationError: ...` detail."""
    return QBOFault(4001, "Invalid query", f"QueryValidationError: {detail}")


def batch_too_large(size: int, limit: int) -> QBOFault:
    return QBOFault(
        1040,
        "Batch size exceeds allowed limit",
        f"Batch size {size} exceeds the allowed limit of {limit} items per request.",
    )

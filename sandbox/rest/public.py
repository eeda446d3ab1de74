"""What the REST API shows of a stored document.

Other parts of the simulator keep private fields in the same JSON under keys starting with "_" (the Projects
GraphQL API's `_project`); QuickBooks' REST API has no such fields, so they are never shown and never lost.
"""


def public(document: dict) -> dict:
    return {key: value for key, value in document.items() if not key.startswith("_")}


def private(document: dict) -> dict:
    return {key: value for key, value in document.items() if key.startswith("_")}

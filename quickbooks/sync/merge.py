"""Three-way merge of a local edit with a newer QuickBooks version, field by field.

Fields are the top-level keys Costline writes (`to_document`). Each side is compared with the version
last synced, seen through the shape Costline writes (QuickBooks adds Ids, LineNums and other read-only
keys that Costline never sends, and those must not count as changes). A field changed on one side only
takes that side; changed on both sides to different values, it is a conflict. `Line` is one field:
QuickBooks replaces lines whole, so two edits to the lines conflict.
"""

from dataclasses import dataclass, field
from typing import Any


def project(value: Any, like: Any) -> Any:
    """`value` seen through the shape of `like`: only the keys `like` has, recursively."""
    if isinstance(like, dict) and isinstance(value, dict):
        return {key: project(value.get(key), sub) for key, sub in like.items()}
    if isinstance(like, list) and isinstance(value, list):
        if not like:
            return value
        return [project(item, like[min(i, len(like) - 1)]) for i, item in enumerate(value)]
    return value


@dataclass
class Merge:
    local_changes: dict = field(default_factory=dict)  # what to send: fields only Costline changed
    remote_changes: list = field(default_factory=list)  # fields only QuickBooks changed (kept as they are)
    conflicts: list = field(default_factory=list)  # fields both changed, differently

    @property
    def clean(self) -> bool:
        return not self.conflicts


def merge(*, base: dict, local: dict, remote: dict) -> Merge:
    result = Merge()
    for key, mine in local.items():
        was = project(base.get(key), mine)
        theirs = project(remote.get(key), mine)
        if mine == was:
            if theirs != was:
                result.remote_changes.append(key)
        elif theirs == was or theirs == mine:
            result.local_changes[key] = mine
        else:
            result.conflicts.append(key)
    return result


def changed_fields(*, base: dict, local: dict) -> dict:
    """The fields of `local` that differ from the last synced version (all of them when never synced)."""
    if not base:
        return dict(local)
    return {key: value for key, value in local.items() if project(base.get(key), value) != value}

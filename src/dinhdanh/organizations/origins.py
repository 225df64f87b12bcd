"""Why an organization changes: the typed origin every organization service takes (issue 11.1).

Organizations sits below applications and registries, so it never sees an ``Application`` or a
``Snapshot``: the caller hands over the facts the history row, the audit event and the notices need.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from dinhdanh.organizations.models import ChangeOrigin

if TYPE_CHECKING:
    from dinhdanh.people.models import User

__all__ = ["ApplicationOrigin", "OfficerOrigin", "Origin", "RegistryOrigin", "facts", "reference"]


@dataclass(frozen=True)
class ApplicationOrigin:
    """An approved request: its number and id (kept on the history row), and who filed it (told)."""

    number: str
    application_id: int
    applicant: User | None = None
    change: ChangeOrigin = field(default=ChangeOrigin.APPLICATION, init=False)


@dataclass(frozen=True)
class RegistryOrigin:
    """A registry snapshot (Decree 69 Art. 8): the list and the snapshot that said so."""

    source: str
    snapshot_id: int
    change: ChangeOrigin = field(default=ChangeOrigin.REGISTRY, init=False)


@dataclass(frozen=True)
class OfficerOrigin:
    """A person acting directly: an officer on an authority's written request (the default), the
    organization itself, or the system (a lapsed grant)."""

    change: ChangeOrigin = ChangeOrigin.OFFICER


Origin = ApplicationOrigin | RegistryOrigin | OfficerOrigin


def reference(origin: Origin) -> tuple[str, int | None]:
    """What the history and lock rows keep of the origin: a readable reference and the row's id."""
    if isinstance(origin, ApplicationOrigin):
        return origin.number, origin.application_id
    if isinstance(origin, RegistryOrigin):
        return f"{origin.source}#{origin.snapshot_id}", origin.snapshot_id
    return "", None


def facts(origin: Origin) -> dict[str, Any]:
    """What the audit event says of the origin (as it said before origins were typed)."""
    if isinstance(origin, ApplicationOrigin):
        return {"application": origin.number}
    if isinstance(origin, RegistryOrigin):
        return {"snapshot": origin.snapshot_id}
    return {}

"""Who may read what of an organization — named predicates that the page, the API and any other face
share (issue 11.3). Today's rule, measured disagreement fixed: the members list and the access
history are the organization's managers' (the legal representative and administrators they named) and
the police's in jurisdiction; a plain member sees the profile and acts within their grant."""

from __future__ import annotations

from typing import Final

from dinhdanh.organizations.models import MemberRole, Membership

__all__ = ["MANAGERS", "may_manage", "may_read_history", "may_read_members"]

MANAGERS: Final = frozenset({MemberRole.REPRESENTATIVE, MemberRole.ADMINISTRATOR})


def may_manage(membership: Membership | None) -> bool:
    return membership is not None and membership.role in MANAGERS


def may_read_members(membership: Membership | None) -> bool:
    return may_manage(membership)


def may_read_history(membership: Membership | None) -> bool:
    return may_manage(membership)

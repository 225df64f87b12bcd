"""Who may read what of an organization — named predicates that the page, the API and any other face
share (issue 11.3). Today's rule, measured disagreement fixed: the members list and the access
history are the organization's managers' (the legal representative and administrators they named) and
the police's in jurisdiction; a plain member sees the profile and acts within their grant: full powers, or the services named in its
grant rows (issue 12.0; ``selectors.membership_covers``)."""

from __future__ import annotations

from typing import Final

from dinhdanh.organizations.models import MemberRole, Membership

__all__ = ["MANAGERS", "has_full_powers", "may_manage", "may_read_history", "may_read_members"]

MANAGERS: Final = frozenset({MemberRole.REPRESENTATIVE, MemberRole.ADMINISTRATOR})


def may_manage(membership: Membership | None) -> bool:
    return membership is not None and membership.role in MANAGERS


def may_read_members(membership: Membership | None) -> bool:
    return may_manage(membership)


def may_read_history(membership: Membership | None) -> bool:
    return may_manage(membership)


def has_full_powers(membership: Membership | None) -> bool:
    """Every service: the representative and administrators by their role, a member when granted so
    explicitly (``Membership.full_powers``); otherwise only the services of its live grants."""
    return membership is not None and (membership.role in MANAGERS or membership.full_powers)

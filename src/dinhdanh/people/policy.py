"""Who may serve people at the officer's desk, and which person's pages open — named predicates that
the desk, the intake pages, the API and the services share (issue 11.3). Selectors apply them and audit
refusals (``people.selectors.require_desk``); a predicate only answers.

* The desk (look up a person by the number on the card, create an account, raise a level, reset a
  phone) is for holders of ``people.verify_person``, within their territory (``desk_scope``).
* A person's back-office pages open only for someone this session looked up by card number
  (``may_open_person``; the list itself: ``people.lookups``), so ids in addresses cannot be walked.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from dinhdanh.core.access import Jurisdiction, jurisdiction
from dinhdanh.people.permissions import PeoplePermission

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser
    from django.contrib.sessions.backends.base import SessionBase

    from dinhdanh.people.models import User

__all__ = ["DESK_PERMISSION", "LOOKED_UP_KEY", "desk_scope", "may_open_person", "may_use_desk"]

DESK_PERMISSION: Final = PeoplePermission.VERIFY_PERSON
LOOKED_UP_KEY: Final = "people_looked_up"  # the session's list of people looked up by card number


def desk_scope(user: User | AnonymousUser) -> Jurisdiction:
    return jurisdiction(user, DESK_PERMISSION)


def may_use_desk(user: User | AnonymousUser) -> bool:
    return not desk_scope(user).empty


def may_open_person(session: SessionBase, pk: int) -> bool:
    return pk in session.get(LOOKED_UP_KEY, [])

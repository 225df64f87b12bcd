"""The officer's person look-up allow-list (issue 11.7: one home for the rule).

A back-office page about a person (the officer desk, in-person intake) opens only for someone the
officer looked up by the number on the card during this session, through the audited
``selectors.person_by_number``: ids in addresses cannot be walked through to browse other people's
data. The list lives in the session, so it ends with it, and it is shared by every face that shows a
person, so the intake desk and the officer desk give the same answer for the same person.
"""

from __future__ import annotations

from typing import Final

from django.contrib.sessions.backends.base import SessionBase

from dinhdanh.people import policy
from dinhdanh.people.models import User

__all__ = ["KEEP", "SESSION_KEY", "looked_up", "remember"]

SESSION_KEY: Final = policy.LOOKED_UP_KEY
KEEP: Final = 20  # the most recent look-ups; an officer at a desk serves one person at a time


def remember(session: SessionBase, person: User) -> None:
    """``person`` was just found by card number: their pages open for this session."""
    found = [pk for pk in session.get(SESSION_KEY, []) if pk != person.pk][-(KEEP - 1) :]
    session[SESSION_KEY] = [*found, person.pk]


def looked_up(session: SessionBase, pk: int) -> User | None:
    """The person ``pk`` if this session looked them up, else ``None`` (the faces answer 404)."""
    if not policy.may_open_person(session, pk):
        return None
    return User.objects.filter(pk=pk).first()

"""The officer's person look-up allow-list has one home (issue 11.7): the officer desk and the
in-person intake desk open a person's page only after a look-up by card number in this session, and
they share it, so both give the same answer for the same person."""

from __future__ import annotations

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.test import Client

from dinhdanh.people import lookups
from dinhdanh.people.permissions import PeopleRole
from tests.conftest import make_officer, signed_in, unit
from tests.people.test_officer_pages import citizen

pytestmark = pytest.mark.django_db
COMMUNE = "30292"


def intake_desk() -> Client:
    return signed_in(Client(), make_officer(PeopleRole.INTAKE_OFFICER, unit(COMMUNE), name="Cán bộ Hai Bàn"))


def pages(pk: int) -> tuple[str, str]:
    return f"/people/{pk}/", f"/applications/intake/{pk}/"


def test_neither_desk_opens_a_person_nobody_looked_up() -> None:
    client = intake_desk()
    person, _pid = citizen()
    for page in pages(person.pk):
        assert client.get(page).status_code == 404


@pytest.mark.parametrize("desk", ["/people/", "/applications/intake/"])
def test_a_look_up_on_one_desk_opens_the_person_on_both(desk: str) -> None:
    client = intake_desk()
    person, pid = citizen()
    data = {"action": "find", "personal_id": pid} if desk == "/people/" else {"personal_id": pid}
    assert client.post(desk, data).status_code == 302
    for page in pages(person.pk):
        assert client.get(page).status_code == 200, page


def test_another_officers_session_is_not_allowed_by_mine() -> None:
    mine, theirs = intake_desk(), intake_desk()
    person, pid = citizen()
    mine.post("/people/", {"action": "find", "personal_id": pid})
    for page in pages(person.pk):
        assert theirs.get(page).status_code == 404


def test_only_the_most_recent_look_ups_are_kept() -> None:
    session = SessionStore()
    people = [citizen()[0] for _ in range(lookups.KEEP + 1)]
    for person in people:
        lookups.remember(session, person)
    assert lookups.looked_up(session, people[0].pk) is None
    assert all(lookups.looked_up(session, p.pk) == p for p in people[1:])
    lookups.remember(session, people[1])  # looked up again: moves to the end, not kept twice
    assert session[lookups.SESSION_KEY].count(people[1].pk) == 1
    assert len(session[lookups.SESSION_KEY]) == lookups.KEEP


def test_hostile_ids_and_a_deleted_person_are_not_found() -> None:
    session = SessionStore()
    person, _pid = citizen()
    lookups.remember(session, person)
    pk = person.pk
    assert lookups.looked_up(session, pk) == person
    person.delete()
    assert lookups.looked_up(session, pk) is None
    session[lookups.SESSION_KEY] = ["1 OR 1=1", None]
    assert lookups.looked_up(session, 1) is None

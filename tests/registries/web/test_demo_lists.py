"""`dinhdanh demo` imports its six lists, so the lists page has something to show its partner clerk."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from dinhdanh.demo.services import PEOPLE, demo_load
from dinhdanh.people.logins import login_digest
from dinhdanh.people.models import User
from dinhdanh.registries.models import Record, Snapshot, SnapshotStatus
from dinhdanh.registries.sources import Source
from tests.conftest import signed_in
from tests.web.support import html

pytestmark = pytest.mark.django_db


def test_the_demo_imports_every_list_once_and_its_clerk_sees_theirs(client: Client) -> None:
    manifest = demo_load()
    shots = Snapshot.objects.filter(status=SnapshotStatus.COMPLETED)
    assert sorted(shots.values_list("source", flat=True)) == sorted(Source.values)
    for entry in manifest["sources"]:  # type: ignore[attr-defined]
        assert Record.objects.filter(source=entry["source"]).count() == entry["rows"]
    person = next(p for p in PEOPLE if p.partner_source)
    clerk = User.objects.get(login_digest=login_digest(person.login))
    assert shots.get(source=person.partner_source).imported_by == clerk
    demo_load()
    assert Snapshot.objects.count() == len(Source)  # a second load imports nothing

    signed_in(client, clerk)
    page = html(client.get(reverse("registries:lists")))
    assert "business.csv" in page
    assert person.full_name in page
    assert "tax.csv" not in page  # another agency's list

"""The domain-event kernel: registered types only, facts as they were, redaction, periods (decision 0020)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from dinhdanh.core import events
from dinhdanh.core.models import DomainEvent
from tests.conftest import unit

pytestmark = pytest.mark.django_db

COMMUNE = "30292"  # Phường Bình Đức, An Giang (province 91)


def test_each_app_registers_its_own_namespaced_types() -> None:
    names = set(events.registered())
    assert {"applications.submitted", "organizations.issued", "organizations.acted_as"} <= names
    assert {"people.level1_created", "people.level2_raised"} <= names
    assert all(name.split(".")[0] in {"applications", "federation", "organizations", "people"} for name in names)


@pytest.mark.parametrize("name", ["", "submitted", "Applications.submitted", "a.b.c", "a." + "x" * 70, "a b.c"])
def test_a_malformed_type_name_is_refused(name: str) -> None:
    with pytest.raises(ValueError, match="is not"):
        events.register(name, "x")


def test_a_type_registered_twice_with_another_meaning_is_refused() -> None:
    assert events.register("applications.submitted", "Hồ sơ được nộp") == "applications.submitted"
    with pytest.raises(ValueError, match="twice"):
        events.register("applications.submitted", "something else")


def test_an_unregistered_type_is_never_written() -> None:
    with pytest.raises(ValueError, match="unregistered"):
        events.emit("applications.nonsense", actor=None)
    assert not DomainEvent.objects.exists()


def test_an_event_keeps_the_unit_and_province_and_redacts_secrets() -> None:
    emitted = events.emit(
        "people.level2_raised",
        actor=None,
        unit=unit(COMMUNE),
        payload={"level": 2, "personal_id": "091085000001", "nested": {"token": "abc"}, "note": "\x00ok"},
    )
    stored = DomainEvent.objects.get(pk=emitted.pk)
    assert (stored.unit_code, stored.province_code, stored.organization_id) == (COMMUNE, "91", None)
    assert stored.payload == {"level": 2, "personal_id": "***", "nested": {"token": "***"}, "note": "\ufffdok"}


def test_an_event_rolls_back_with_its_transaction() -> None:
    with transaction.atomic():
        events.emit("people.level1_created", actor=None)
        transaction.set_rollback(True)
    assert not DomainEvent.objects.exists()


def test_events_between_is_half_open_and_filters() -> None:
    first = events.emit("people.level1_created", actor=None)
    second = events.emit("people.level2_raised", actor=None, unit=unit(COMMUNE))
    start, end = first.occurred_at, second.occurred_at
    assert list(events.events_between(start, end + timedelta(microseconds=1))) == [first, second]
    assert list(events.events_between(start, end)) == ([first] if end > start else [])
    after = end + timedelta(microseconds=1)
    assert list(events.events_between(start, after, types=["people.level2_raised"])) == [second]
    assert list(events.events_between(start, after, province_code="91")) == [second]
    assert (
        list(events.events_between(timezone.now() + timedelta(days=1), timezone.now() + timedelta(days=2))) == []
    )

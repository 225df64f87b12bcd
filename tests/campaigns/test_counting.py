"""Daily counts move with the events they count, in the same transaction, and a recount from the events
alone agrees with them (issue 14.4, decision 0040)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from dinhdanh.campaigns import counting
from dinhdanh.campaigns.models import Activation, DailyCount, Metric
from dinhdanh.core import events
from dinhdanh.core.models import DomainEvent
from dinhdanh.organizations.models import Organization
from tests.conftest import unit
from tests.organizations.factories import make_organization

pytestmark = pytest.mark.django_db

COMMUNE = "30292"  # Phường Bình Đức, An Giang (province 91)


def counts() -> dict[tuple[str, str, str], int]:
    return {(r.metric, r.unit_code, r.category): r.count for r in DailyCount.objects.all()}


def test_an_issued_account_is_counted_at_its_head_office_in_its_category_on_the_local_day() -> None:
    organization = make_organization(category="cooperative")
    event = events.emit("organizations.issued", actor=None, organization=organization)
    (row,) = DailyCount.objects.all()
    office = organization.head_office
    assert (row.metric, row.unit_id, row.unit_code, row.province_code, row.category, row.count) == (
        Metric.ACCOUNTS_ISSUED, office.pk, office.code, office.province_code, "cooperative", 1,
    )  # fmt: skip
    assert event.unit_id == office.pk
    # The local day: 23:30 UTC is already the next day in Vietnam (UTC+7).
    late = DomainEvent(occurred_at=datetime(2025, 1, 30, 23, 30, tzinfo=UTC), unit_code="x", category="")
    assert counting._key(late, Metric.ACCOUNTS_ISSUED).day.isoformat() == "2025-01-31"


def test_a_second_event_the_same_day_adds_to_the_row() -> None:
    a, b = make_organization(), make_organization()
    for organization in (a, b):
        events.emit("organizations.issued", actor=None, organization=organization)
    events.emit("applications.submitted", actor=None, organization=a, unit=a.head_office, category="enterprise")
    assert counts() == {
        (Metric.ACCOUNTS_ISSUED, a.head_office.code, "enterprise"): 2,
        (Metric.REQUESTS_RECEIVED, a.head_office.code, "enterprise"): 1,
    }


def test_an_organization_is_activated_once_whichever_face_it_signs_in_through() -> None:
    organization = make_organization()
    for kind in ("organizations.acted_as", "federation.signed_in_as", "organizations.acted_as"):
        events.emit(kind, actor=None, organization=organization)
    assert counts() == {(Metric.ACCOUNTS_ACTIVATED, organization.head_office.code, "enterprise"): 1}
    (activation,) = Activation.objects.all()
    first = DomainEvent.objects.filter(type="organizations.acted_as").order_by("pk").first()
    assert first is not None
    assert (activation.organization_id, activation.event_id) == (organization.pk, first.pk)


def test_people_are_counted_without_a_category_and_other_events_not_at_all() -> None:
    events.emit("people.level2_raised", actor=None, unit=unit(COMMUNE), category="enterprise")
    events.emit("people.level1_created", actor=None)  # online: no unit
    events.emit("organizations.locked", actor=None, organization=make_organization())
    assert counts() == {(Metric.PERSONS_LEVEL2, COMMUNE, ""): 1, (Metric.PERSONS_LEVEL1, "", ""): 1}
    assert DailyCount.objects.get(metric=Metric.PERSONS_LEVEL1).unit_id == 0


def test_a_count_rolls_back_with_the_event_that_caused_it() -> None:
    organization = make_organization()
    with transaction.atomic():
        events.emit("organizations.issued", actor=None, organization=organization)
        events.emit("organizations.acted_as", actor=None, organization=organization)
        transaction.set_rollback(True)
    assert not DailyCount.objects.exists()
    assert not Activation.objects.exists()
    events.emit("organizations.acted_as", actor=None, organization=organization)  # the first that landed
    assert counts() == {(Metric.ACCOUNTS_ACTIVATED, organization.head_office.code, "enterprise"): 1}


def test_a_failing_listener_fails_the_event_and_the_decision(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(event: DomainEvent) -> None:
        raise RuntimeError("count store unavailable")

    monkeypatch.setattr(events, "_LISTENERS", [broken])
    with pytest.raises(RuntimeError), transaction.atomic():
        events.emit("organizations.issued", actor=None, organization=make_organization())
    assert not DomainEvent.objects.filter(type="organizations.issued").exists()


def test_the_recount_agrees_names_a_difference_and_repairs_it_only_when_asked() -> None:
    a, b = make_organization(), make_organization(category="other")
    events.emit("organizations.issued", actor=None, organization=a)
    events.emit("organizations.issued", actor=None, organization=b)
    events.emit("federation.signed_in_as", actor=None, organization=b)
    agreed = counting.recount(write=False)
    assert (agreed.differing, agreed.events, agreed.rows) == (0, 3, 3)
    DailyCount.objects.filter(category="other", metric=Metric.ACCOUNTS_ISSUED).update(count=7)
    DailyCount.objects.filter(category="enterprise").delete()
    found = counting.recount(write=False)
    assert found.differing == 2
    assert not found.rewritten
    assert sorted((k.category, stored, expected) for k, stored, expected in found.differences) == [
        ("enterprise", 0, 1), ("other", 7, 1),
    ]  # fmt: skip
    assert DailyCount.objects.get(category="other", metric=Metric.ACCOUNTS_ISSUED).count == 7  # unchanged
    repaired = counting.recount(write=True)
    assert repaired.rewritten
    assert counting.recount(write=False).differing == 0
    assert Activation.objects.get().organization_id == b.pk


KINDS = sorted(counting.COUNTED | {"organizations.locked"})


@hypothesis_settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from(KINDS), st.integers(0, 2)), max_size=25))
def test_what_the_listener_counted_is_always_what_the_events_give(steps: list[tuple[str, int]]) -> None:
    DailyCount.objects.all().delete()
    Activation.objects.all().delete()
    DomainEvent.objects.all().delete()
    organizations = list(Organization.objects.order_by("pk")[:3])
    while len(organizations) < 3:
        organizations.append(
            make_organization(category=["enterprise", "cooperative", "other"][len(organizations)])
        )
    for kind, which in steps:
        events.emit(kind, actor=None, organization=organizations[which])
    assert counting.stored_counts() == counting.counts_from_events()
    assert counting.recount(write=False).differing == 0


def test_the_command_checks_and_rebuilds() -> None:
    from io import StringIO

    from django.core.management import call_command
    from django.core.management.base import CommandError

    events.emit("organizations.issued", actor=None, organization=make_organization())
    out = StringIO()
    call_command("counts", "check", stdout=out)
    assert out.getvalue().startswith("OK: 1 events, 1 daily rows, 0 differing")
    DailyCount.objects.update(count=5)
    out = StringIO()
    with pytest.raises(CommandError, match="counts differ"):
        call_command("counts", "check", stdout=out)
    assert "stored 5, events 1" in out.getvalue()
    assert DailyCount.objects.get().count == 5  # a check writes nothing
    call_command("counts", "rebuild", stdout=StringIO())
    assert DailyCount.objects.get().count == 1

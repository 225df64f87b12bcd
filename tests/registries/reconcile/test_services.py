"""Exclusions and baselines: who may, what is written and audited, duplicates, hostile input, jurisdiction."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from dinhdanh.core.access import AdministratorRole
from dinhdanh.core.audit_actions import KernelAction
from dinhdanh.core.errors import CoreError, DomainError
from dinhdanh.core.models import AuditEvent
from dinhdanh.geo.models import Level
from dinhdanh.people.models import User
from dinhdanh.people.permissions import PeopleRole
from dinhdanh.registries.audit_actions import RegistryAction
from dinhdanh.registries.models import Baseline, Exclusion
from dinhdanh.registries.permissions import RegistryRole
from dinhdanh.registries.reconcile.baselines import baseline_for, baseline_take, baselines
from dinhdanh.registries.reconcile.errors import ReconcileError
from dinhdanh.registries.reconcile.exclusions import exclusion_lift, exclusion_set, exclusions
from dinhdanh.registries.reconcile.outreach import outreach
from dinhdanh.registries.reconcile.scope import Scope
from tests.conftest import make_officer, unit
from tests.registries.reconcile.support import World

pytestmark = pytest.mark.django_db


def refused(error: DomainError) -> str:
    return error.error.code


def test_a_campaign_manager_excludes_and_lifts_with_audit(world: World, manager: User) -> None:
    r2 = world.records["r2"]
    exclusion = exclusion_set(actor=manager, record=r2, reason="unreachable", note="  Đã đến 2 lần  ")
    assert (exclusion.reason, exclusion.note, exclusion.excluded_by) == ("unreachable", "Đã đến 2 lần", manager)
    assert r2.pk not in [r.pk for r in outreach(Scope.everywhere(world.a))]
    event = AuditEvent.objects.get(action=RegistryAction.REGISTRY_EXCLUSION_SET)
    assert event.after["code"] == "0100000002"  # type: ignore[index]
    lifted = exclusion_lift(actor=manager, exclusion=exclusion)
    assert lifted.lifted_at is not None
    assert lifted.lifted_by == manager
    assert AuditEvent.objects.filter(action=RegistryAction.REGISTRY_EXCLUSION_LIFTED).count() == 1
    assert r2.pk in [r.pk for r in outreach(Scope.everywhere(world.a))]
    again = exclusion_set(actor=manager, record=r2, reason="ceased")  # history kept, a new one allowed
    assert Exclusion.objects.filter(record=r2).count() == 2
    assert again.lifted_at is None


def test_a_second_live_exclusion_is_refused_and_writes_nothing(world: World, manager: User) -> None:
    with pytest.raises(DomainError) as caught:
        exclusion_set(actor=manager, record=world.records["r12"], reason="duplicate")
    assert refused(caught.value) == ReconcileError.ALREADY_EXCLUDED.code
    assert "đã được loại" in caught.value.message()
    assert Exclusion.objects.filter(record=world.records["r12"]).count() == 1


def test_lifting_twice_is_refused(world: World, manager: User) -> None:
    exclusion = Exclusion.objects.get(record=world.records["r12"])
    exclusion_lift(actor=manager, exclusion=exclusion)
    with pytest.raises(DomainError) as caught:
        exclusion_lift(actor=manager, exclusion=exclusion)
    assert refused(caught.value) == ReconcileError.ALREADY_LIFTED.code


@pytest.mark.parametrize(
    ("reason", "note", "code"),
    [
        ("bogus", "", ReconcileError.UNKNOWN_REASON.code),
        ("'; DROP TABLE registries_exclusion; --", "", ReconcileError.UNKNOWN_REASON.code),
        ("other", "", ReconcileError.NOTE_REQUIRED.code),
        ("other", "   \u200b ", ReconcileError.NOTE_REQUIRED.code),
        ("ceased", "x" * 501, CoreError.TOO_LONG.code),
        ("ceased", "ghi chú\x00\x1b[31m", CoreError.CONTROL_CHARACTERS.code),
    ],
)
def test_hostile_exclusion_input_is_refused(
    world: World, manager: User, reason: str, note: str, code: str
) -> None:
    with pytest.raises(DomainError) as caught:
        exclusion_set(actor=manager, record=world.records["r2"], reason=reason, note=note)
    assert refused(caught.value) == code
    assert not Exclusion.objects.filter(record=world.records["r2"]).exists()


def test_a_record_no_longer_listed_cannot_be_excluded(world: World, manager: User) -> None:
    with pytest.raises(DomainError) as caught:
        exclusion_set(actor=manager, record=world.records["r8"], reason="ceased")
    assert refused(caught.value) == ReconcileError.RECORD_GONE.code


def test_a_reviewing_officer_of_the_commune_may_exclude(world: World) -> None:
    officer = make_officer(PeopleRole.REVIEWING_OFFICER, world.b, "Cán Bộ Mỹ Thới")
    assert exclusion_set(actor=officer, record=world.records["r3"], reason="foreign_representative").pk
    with pytest.raises(DomainError) as caught:  # r2 is in commune A
        exclusion_set(actor=officer, record=world.records["r2"], reason="ceased")
    assert refused(caught.value) == CoreError.OUT_OF_JURISDICTION.code


def test_outside_the_jurisdiction_or_without_the_role_is_refused_and_audited(world: World) -> None:
    hanoi = make_officer(RegistryRole.CAMPAIGN_MANAGER, unit("01", Level.PROVINCE), "Quản Lý Hà Nội")
    clerk = make_officer(RegistryRole.PARTNER_CLERK, unit("91", Level.PROVINCE), "Cán Bộ Thuế")
    for actor, code in ((hanoi, CoreError.OUT_OF_JURISDICTION.code), (clerk, CoreError.PERMISSION_DENIED.code)):
        with pytest.raises(DomainError) as caught:
            exclusion_set(actor=actor, record=world.records["r2"], reason="ceased")
        assert refused(caught.value) == code
    live = Exclusion.objects.get(record=world.records["r12"])
    with pytest.raises(DomainError):
        exclusion_lift(actor=hanoi, exclusion=live)
    assert AuditEvent.objects.filter(action=KernelAction.ACCESS_DENIED).count() == 3
    assert not Exclusion.objects.filter(record=world.records["r2"]).exists()
    live.refresh_from_db()
    assert live.lifted_at is None


def test_exclusions_are_listed_in_the_scope_only(world: World) -> None:
    assert [e.record.code for e in exclusions(Scope.everywhere(world.a))] == ["0100000008"]
    assert list(exclusions(Scope.everywhere(world.h))) == []


def test_a_baseline_is_taken_per_category_and_retaking_replaces_it(world: World, manager: User) -> None:
    province = unit("91", Level.PROVINCE)
    today = timezone.localdate()
    first = {
        b.category: (b.registered, b.excluded, b.issued)
        for b in baseline_take(actor=manager, unit=province, as_of=today)
    }
    assert first == {
        "enterprise": (6, 1, 4), "cooperative": (0, 0, 0), "tax_agency": (1, 0, 0), "other": (2, 0, 1),
    }  # fmt: skip
    exclusion_set(actor=manager, record=world.records["r2"], reason="unreachable")
    again = {
        b.category: (b.registered, b.excluded) for b in baseline_take(actor=manager, unit=province, as_of=today)
    }
    assert again["enterprise"] == (5, 2)
    assert Baseline.objects.filter(unit=province, as_of=today).count() == 4
    events = AuditEvent.objects.filter(action=RegistryAction.REGISTRY_BASELINE_TAKEN).order_by("pk")
    assert events.count() == 2
    assert events[0].before is None
    assert events[1].before["enterprise"]["registered"] == 6  # type: ignore[index]
    found = baseline_for(province, "enterprise", today + timedelta(days=10))
    assert found is not None
    assert found.registered == 5
    assert baseline_for(province, "enterprise", today - timedelta(days=1)) is None
    assert baselines(Scope.everywhere(world.a)).count() == 0  # a province's baselines are not a commune's
    assert baselines(Scope.everywhere(province)).count() == 4


def test_a_commune_baseline_counts_the_commune_only(world: World, manager: User) -> None:
    taken = {
        b.category: b.registered for b in baseline_take(actor=manager, unit=world.b, as_of=timezone.localdate())
    }
    assert taken == {"enterprise": 2, "cooperative": 0, "tax_agency": 1, "other": 0}


def test_baselines_are_refused_for_the_future_a_district_or_outside(world: World, manager: User) -> None:
    tomorrow = timezone.localdate() + timedelta(days=1)
    with pytest.raises(DomainError) as caught:
        baseline_take(actor=manager, unit=unit("91", Level.PROVINCE), as_of=tomorrow)
    assert refused(caught.value) == ReconcileError.FUTURE_DATE.code
    with pytest.raises(DomainError) as caught:
        baseline_take(actor=manager, unit=world.h, as_of=timezone.localdate())
    assert refused(caught.value) == CoreError.OUT_OF_JURISDICTION.code
    officer = make_officer(PeopleRole.REVIEWING_OFFICER, unit("91", Level.PROVINCE), "Cán Bộ Thẩm Định")
    with pytest.raises(DomainError) as caught:
        baseline_take(actor=officer, unit=world.a, as_of=timezone.localdate())
    assert refused(caught.value) == CoreError.PERMISSION_DENIED.code
    assert not Baseline.objects.exists()


def test_an_officer_of_another_province_sees_nothing_of_an_giang(world: World) -> None:
    hanoi = make_officer(PeopleRole.REVIEWING_OFFICER, unit("01", Level.PROVINCE), "Cán Bộ Hà Nội")
    assert [r.code for r in outreach(Scope.of(hanoi))] == ["0100000007"]
    with pytest.raises(DomainError) as caught:
        Scope.of(hanoi, world.a)
    assert refused(caught.value) == CoreError.OUT_OF_JURISDICTION.code
    citizen = make_officer(AdministratorRole.SYSTEM_ADMIN, None, "Quản Trị")
    with pytest.raises(DomainError) as caught:
        Scope.of(citizen)
    assert refused(caught.value) == CoreError.PERMISSION_DENIED.code

"""Kernel writes: granting and revoking staff roles, declaring days off and make-up working days."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from dinhdanh.applications.permissions import ApplicationPermission
from dinhdanh.core import access, audit
from dinhdanh.core.access import AdministratorRole, KernelRole, Role
from dinhdanh.core.audit_actions import KernelAction
from dinhdanh.core.errors import AccessError, CoreError, DomainError, ErrorCode
from dinhdanh.core.models import AuditEvent, DayOverride, RoleAssignment
from dinhdanh.core.services import day_override_set, role_grant, role_revoke
from dinhdanh.geo.models import AdministrativeUnit, Level, Scheme
from dinhdanh.organizations.permissions import OrganizationRole
from dinhdanh.people.models import User
from dinhdanh.people.permissions import PeopleRole
from dinhdanh.registries.permissions import RegistryRole
from dinhdanh.registries.sources import Source
from tests.conftest import make_officer, make_user, unit

pytestmark = pytest.mark.django_db

BRIDGE_DAY = date(2025, 6, 9)  # a Monday with no holiday


def an_giang() -> AdministrativeUnit:
    return unit("91", Level.PROVINCE)


def snapshot() -> tuple[int, int, int, list[tuple[object, ...]]]:
    return (
        RoleAssignment.objects.count(),
        AuditEvent.objects.count(),
        DayOverride.objects.count(),
        list(DayOverride.objects.values_list("date", "is_working_day", "reason")),
    )


@contextmanager
def refused(error: ErrorCode, field: str | None = None) -> Iterator[None]:
    """The call inside raises ``error`` and leaves every kernel table as it was."""
    before = snapshot()
    with pytest.raises(DomainError) as exc:
        yield
    assert exc.value.error is error
    if field is not None:
        assert exc.value.field == field
    assert snapshot() == before


def last_event() -> AuditEvent:
    found = AuditEvent.objects.order_by("-pk").first()
    assert found is not None
    return found


@pytest.fixture
def admin() -> User:
    return make_officer(AdministratorRole.SYSTEM_ADMIN, None, name="Quản Trị Viên")


# --- role_grant ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "role", [KernelRole.CITIZEN, OrganizationRole.ORG_ADMIN, "citizen", "org_admin", "superuser", "", "ADMIN"]
)
def test_roles_not_held_over_an_area_are_refused(admin: User, role: Role) -> None:
    user = make_user()
    with refused(AccessError.NOT_A_STAFF_ROLE):
        role_grant(actor=admin, user=user, role=role, unit=an_giang())


@pytest.mark.parametrize(
    ("code", "level"),
    [("91", Level.PROVINCE), ("899", Level.DISTRICT), ("01", Level.PROVINCE)],
)
def test_units_of_the_old_scheme_are_refused(admin: User, code: str, level: Level) -> None:
    user = make_user()
    legacy = unit(code, level, Scheme.LEGACY)
    with refused(AccessError.UNIT_NOT_CURRENT):
        role_grant(actor=admin, user=user, role=PeopleRole.REVIEWING_OFFICER, unit=legacy)


def test_the_same_role_twice_is_refused(admin: User) -> None:
    officer = make_officer(PeopleRole.REVIEWING_OFFICER, an_giang())
    with refused(AccessError.DUPLICATE_ROLE):
        role_grant(actor=admin, user=officer, role=PeopleRole.REVIEWING_OFFICER, unit=an_giang())
    with refused(AccessError.DUPLICATE_ROLE):
        role_grant(actor=admin, user=officer, role="reviewing_officer", unit=an_giang())  # type: ignore[arg-type]


def test_the_same_nationwide_role_twice_is_refused(admin: User) -> None:
    with refused(AccessError.DUPLICATE_ROLE):
        role_grant(actor=None, user=admin, role=AdministratorRole.SYSTEM_ADMIN, unit=None)


def test_the_same_role_elsewhere_or_another_role_is_not_a_duplicate(admin: User) -> None:
    officer = make_officer(PeopleRole.REVIEWING_OFFICER, an_giang())
    role_grant(actor=admin, user=officer, role=PeopleRole.REVIEWING_OFFICER, unit=unit("01", Level.PROVINCE))
    role_grant(actor=admin, user=officer, role=PeopleRole.REVIEWING_OFFICER, unit=unit("30292"))
    role_grant(actor=admin, user=officer, role=PeopleRole.INTAKE_OFFICER, unit=an_giang())
    assert officer.role_assignments.count() == 4


def test_a_role_can_be_granted_again_once_revoked_or_expired(admin: User) -> None:
    officer = make_officer(PeopleRole.REVIEWING_OFFICER, an_giang())
    role_revoke(actor=admin, assignment=officer.role_assignments.get())
    again = role_grant(actor=admin, user=officer, role=PeopleRole.REVIEWING_OFFICER, unit=an_giang())

    RoleAssignment.objects.filter(pk=again.pk).update(valid_until=timezone.now() - timedelta(days=1))
    assert not access.has_permission(officer, ApplicationPermission.REVIEW_APPLICATION)
    role_grant(actor=admin, user=officer, role=PeopleRole.REVIEWING_OFFICER, unit=an_giang())
    assert access.has_permission(officer, ApplicationPermission.REVIEW_APPLICATION)


def test_partner_clerks_name_a_known_registry(admin: User) -> None:
    clerk = make_user()
    business = role_grant(
        actor=admin, user=clerk, role=RegistryRole.PARTNER_CLERK, unit=an_giang(), partner_source=Source.BUSINESS
    )
    # Another registry is another assignment, the same one again is a duplicate.
    role_grant(
        actor=admin, user=clerk, role=RegistryRole.PARTNER_CLERK, unit=an_giang(), partner_source=Source.TAX
    )
    with refused(AccessError.DUPLICATE_ROLE):
        role_grant(
            actor=admin, user=clerk, role=RegistryRole.PARTNER_CLERK, unit=an_giang(), partner_source="business"
        )
    assert business.partner_source == "business"


@pytest.mark.parametrize("source", ["unknown", "x" * 40, "business ", "BUSINESS", "\x00", "business\n"])
def test_an_unknown_partner_registry_is_refused(admin: User, source: str) -> None:
    clerk = make_user()
    with refused(CoreError.INVALID_INPUT, field="partner_source"):
        role_grant(
            actor=admin, user=clerk, role=RegistryRole.PARTNER_CLERK, unit=an_giang(), partner_source=source
        )


@pytest.mark.parametrize(
    "valid_until",
    [
        datetime(2020, 1, 1, tzinfo=UTC),
        datetime(2999, 1, 1),  # noqa: DTZ001 - naive on purpose
    ],
    ids=["past", "naive"],
)
def test_an_end_date_must_be_an_aware_future_moment(admin: User, valid_until: datetime) -> None:
    user = make_user()
    with refused(CoreError.INVALID_INPUT, field="valid_until"):
        role_grant(
            actor=admin, user=user, role=PeopleRole.INTAKE_OFFICER, unit=an_giang(), valid_until=valid_until
        )


def test_a_grant_is_audited(admin: User) -> None:
    user = make_user()
    until = timezone.now() + timedelta(days=90)
    assignment = role_grant(
        actor=admin, user=user, role=PeopleRole.INTAKE_OFFICER, unit=an_giang(), valid_until=until
    )

    assert RoleAssignment.objects.get(pk=assignment.pk).valid_until == until
    event = last_event()
    assert event.action == KernelAction.ROLE_GRANTED
    assert (event.actor_id, event.actor_label) == (admin.pk, admin.audit_label)
    assert (event.object_type, event.object_id) == ("core.roleassignment", str(assignment.pk))
    assert event.after == {"user": user.pk, "role": "intake_officer", "unit": "2025/91/", "partner_source": ""}
    assert audit.verify().ok


def test_a_nationwide_grant_by_the_system_is_audited() -> None:
    user = make_user()
    role_grant(actor=None, user=user, role=AdministratorRole.SYSTEM_ADMIN, unit=None)
    event = last_event()
    assert (event.action, event.actor_id, event.actor_label) == (KernelAction.ROLE_GRANTED, None, "system")
    assert event.after is not None
    assert event.after["unit"] == "*"


# --- role_revoke --------------------------------------------------------------------------------


def test_a_revocation_is_audited_and_takes_the_role_away(admin: User) -> None:
    officer = make_officer(PeopleRole.REVIEWING_OFFICER, an_giang())
    assignment = officer.role_assignments.get()

    role_revoke(actor=admin, assignment=assignment)

    assert assignment.revoked_at is not None
    assert RoleAssignment.objects.get(pk=assignment.pk).revoked_at == assignment.revoked_at
    event = last_event()
    assert event.action == KernelAction.ROLE_REVOKED
    assert (event.actor_id, event.object_id) == (admin.pk, str(assignment.pk))
    assert event.before == {"role": "reviewing_officer"}
    assert access.roles_of(officer) == {KernelRole.CITIZEN}
    assert not access.has_permission(officer, ApplicationPermission.REVIEW_APPLICATION)


def test_revoking_twice_keeps_the_first_revocation_and_writes_nothing(admin: User) -> None:
    officer = make_officer(PeopleRole.REVIEWING_OFFICER, an_giang())
    assignment = officer.role_assignments.get()
    stale = RoleAssignment.objects.get(pk=assignment.pk)  # loaded before the first revocation
    role_revoke(actor=admin, assignment=assignment)
    first = RoleAssignment.objects.get(pk=assignment.pk).revoked_at
    before = snapshot()

    role_revoke(actor=admin, assignment=assignment)
    role_revoke(actor=admin, assignment=stale)

    assert snapshot() == before
    assert RoleAssignment.objects.get(pk=assignment.pk).revoked_at == first
    assert stale.revoked_at == first


# --- day_override_set ---------------------------------------------------------------------------


def test_declaring_a_day_off_creates_it_and_is_audited(admin: User) -> None:
    override = day_override_set(actor=admin, day=BRIDGE_DAY, is_working_day=False, reason="Nghỉ bù Quốc khánh")

    stored = DayOverride.objects.get(date=BRIDGE_DAY)
    assert (stored.pk, stored.is_working_day, stored.reason) == (override.pk, False, "Nghỉ bù Quốc khánh")
    event = last_event()
    assert event.action == KernelAction.DAY_OVERRIDE_SET
    assert (event.actor_id, event.object_type, event.object_id) == (admin.pk, "core.dayoverride", str(override.pk))
    assert event.before is None
    assert event.after == {"date": "2025-06-09", "is_working_day": False, "reason": "Nghỉ bù Quốc khánh"}


def test_declaring_the_day_again_updates_it_with_before_and_after(admin: User) -> None:
    day_override_set(actor=admin, day=BRIDGE_DAY, is_working_day=False, reason="Nghỉ bù")
    updated = day_override_set(
        actor=admin, day=BRIDGE_DAY, is_working_day=True, reason="Làm bù theo thông báo mới"
    )

    assert DayOverride.objects.filter(date=BRIDGE_DAY).count() == 1
    assert DayOverride.objects.get(date=BRIDGE_DAY).pk == updated.pk
    assert updated.is_working_day is True
    event = last_event()
    assert event.before == {"is_working_day": False, "reason": "Nghỉ bù"}
    assert event.after == {"date": "2025-06-09", "is_working_day": True, "reason": "Làm bù theo thông báo mới"}
    assert audit.verify().ok


def test_declaring_exactly_the_same_again_writes_nothing(admin: User) -> None:
    first = day_override_set(actor=admin, day=BRIDGE_DAY, is_working_day=False, reason="Nghỉ bù")
    before = snapshot()
    again = day_override_set(actor=admin, day=BRIDGE_DAY, is_working_day=False, reason="  Nghỉ\u00a0bù ")
    assert again.pk == first.pk
    assert snapshot() == before


def test_the_reason_is_normalized_before_it_is_stored(admin: User) -> None:
    decomposed = unicodedata.normalize("NFD", "Nghỉ  bù\u200b Tết")
    override = day_override_set(actor=admin, day=BRIDGE_DAY, is_working_day=False, reason=f"\t{decomposed}\n")
    assert override.reason == "Nghỉ bù Tết"
    assert DayOverride.objects.get(date=BRIDGE_DAY).reason == "Nghỉ bù Tết"


@pytest.mark.parametrize("reason", ["", " ", "   \t\n ", "\u00a0\u3000", "\u200b\u200b", "\ufeff"])
def test_an_empty_reason_is_refused(admin: User, reason: str) -> None:
    with refused(CoreError.EMPTY_VALUE, field="reason"):
        day_override_set(actor=admin, day=BRIDGE_DAY, is_working_day=False, reason=reason)


def test_the_reason_may_be_300_characters_but_not_more(admin: User) -> None:
    with refused(CoreError.TOO_LONG, field="reason"):
        day_override_set(actor=admin, day=BRIDGE_DAY, is_working_day=False, reason="ạ" * 301)
    with refused(CoreError.TOO_LONG, field="reason"):
        day_override_set(actor=admin, day=BRIDGE_DAY, is_working_day=False, reason="x" * 100_000)
    assert len(day_override_set(actor=admin, day=BRIDGE_DAY, is_working_day=False, reason="ạ" * 300).reason) == 300


@pytest.mark.parametrize(
    "reason",
    ["Nghỉ\x00bù", "Nghỉ bù\x07", "\x1b[31mNghỉ bù", "Nghỉ\x7fbù", "Nghỉ\x85bù", "Nghỉ \u202eùb", "Nghỉ\x1cbù"],
)
def test_control_characters_are_refused(admin: User, reason: str) -> None:
    with refused(CoreError.CONTROL_CHARACTERS, field="reason"):
        day_override_set(actor=admin, day=BRIDGE_DAY, is_working_day=False, reason=reason)


def test_a_refusal_leaves_an_existing_declaration_untouched(admin: User) -> None:
    day_override_set(actor=admin, day=BRIDGE_DAY, is_working_day=False, reason="Nghỉ bù")
    for bad in ("", "x" * 301, "a\x00b"):
        with pytest.raises(DomainError):
            day_override_set(actor=admin, day=BRIDGE_DAY, is_working_day=True, reason=bad)
    stored = DayOverride.objects.get(date=BRIDGE_DAY)
    assert (stored.is_working_day, stored.reason) == (False, "Nghỉ bù")


def test_a_moment_is_not_a_day(admin: User) -> None:
    with refused(CoreError.INVALID_INPUT, field="day"):
        day_override_set(
            actor=admin,
            day=datetime(2025, 6, 9, 23, 30, tzinfo=UTC),
            is_working_day=False,
            reason="Nghỉ bù",
        )
    with refused(CoreError.INVALID_INPUT, field="day"):
        day_override_set(actor=admin, day="2025-06-09", is_working_day=False, reason="Nghỉ bù")  # type: ignore[arg-type]


@pytest.mark.parametrize("flag", ["false", 0, 1, None])
def test_the_working_day_flag_must_be_a_boolean(admin: User, flag: object) -> None:
    with refused(CoreError.INVALID_INPUT, field="is_working_day"):
        day_override_set(actor=admin, day=BRIDGE_DAY, is_working_day=flag, reason="Nghỉ bù")  # type: ignore[arg-type]


@hypothesis_settings(max_examples=50, deadline=None)
@given(reason=st.text(max_size=320))
def test_any_reason_is_either_stored_clean_or_refused_without_a_trace(reason: str) -> None:
    with transaction.atomic():
        before = snapshot()
        refusal: DomainError | None = None
        try:
            override = day_override_set(actor=None, day=BRIDGE_DAY, is_working_day=False, reason=reason)
        except DomainError as exc:
            refusal = exc
        if refusal is not None:
            assert refusal.error in {CoreError.EMPTY_VALUE, CoreError.TOO_LONG, CoreError.CONTROL_CHARACTERS}
            assert refusal.field == "reason"
            assert snapshot() == before
        else:
            stored = DayOverride.objects.get(date=BRIDGE_DAY).reason
            assert stored == override.reason
            assert 0 < len(stored) <= 300
            assert stored == stored.strip()
            assert not any(unicodedata.category(ch) == "Cc" for ch in stored)
            assert unicodedata.is_normalized("NFC", stored)
            assert last_event().after == {"date": "2025-06-09", "is_working_day": False, "reason": stored}
        transaction.set_rollback(True)

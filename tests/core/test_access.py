"""Roles × jurisdiction: who may use which permission over which administrative units."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.utils import timezone
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from dinhdanh.applications.permissions import ApplicationPermission
from dinhdanh.core import access
from dinhdanh.core.access import (
    AdministratorRole,
    Jurisdiction,
    KernelPermission,
    KernelRole,
    Permission,
    Role,
)
from dinhdanh.core.audit_actions import KernelAction
from dinhdanh.core.errors import CoreError, DomainError
from dinhdanh.core.models import AuditEvent, RoleAssignment
from dinhdanh.core.services import role_grant
from dinhdanh.geo.models import AdministrativeUnit, Level, Scheme
from dinhdanh.people.models import User
from dinhdanh.people.permissions import PeopleRole
from dinhdanh.registries.permissions import RegistryPermission, RegistryRole
from tests.conftest import make_officer, make_user, unit

pytestmark = pytest.mark.django_db

AN_GIANG = "91"
AN_GIANG_COMMUNE = "30292"  # Phường Bình Đức
OTHER_AN_GIANG_COMMUNE = "30301"  # Phường Mỹ Thới
HA_NOI = "01"
HA_NOI_COMMUNE = "00004"  # Phường Ba Đình


def province(code: str) -> AdministrativeUnit:
    return unit(code, Level.PROVINCE)


def current_units() -> set[int]:
    return set(AdministrativeUnit.objects.filter(scheme=Scheme.CURRENT).values_list("pk", flat=True))


def units_under(prefix: str) -> set[int]:
    return set(AdministrativeUnit.objects.filter(path__startswith=prefix).values_list("pk", flat=True))


def restricted(user: User | AnonymousUser, permission: Permission) -> set[int]:
    qs = AdministrativeUnit.objects.filter(scheme=Scheme.CURRENT)
    return set(access.restrict(qs, user, permission, path_field="path").values_list("pk", flat=True))


def denials() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=KernelAction.ACCESS_DENIED).order_by("pk"))


# --- jurisdiction -------------------------------------------------------------------------------


def test_a_provincial_reviewer_covers_the_communes_of_that_province_only() -> None:
    officer = make_officer(PeopleRole.REVIEWING_OFFICER, province(AN_GIANG))
    scope = access.jurisdiction(officer, ApplicationPermission.REVIEW_APPLICATION)

    assert scope == Jurisdiction(nationwide=False, paths=("2025/91/",))
    assert scope.covers(province(AN_GIANG))
    assert scope.covers(unit(AN_GIANG_COMMUNE))
    assert scope.covers(unit(OTHER_AN_GIANG_COMMUNE))
    assert not scope.covers(province(HA_NOI))
    assert not scope.covers(unit(HA_NOI_COMMUNE))
    assert not scope.covers(None)


def test_a_commune_officer_covers_that_commune_only() -> None:
    officer = make_officer(PeopleRole.INTAKE_OFFICER, unit(AN_GIANG_COMMUNE))
    scope = access.jurisdiction(officer, ApplicationPermission.INTAKE_APPLICATION)

    assert scope.covers(unit(AN_GIANG_COMMUNE))
    assert not scope.covers(unit(OTHER_AN_GIANG_COMMUNE))
    assert not scope.covers(province(AN_GIANG))
    assert not scope.covers(unit(HA_NOI_COMMUNE))
    assert restricted(officer, ApplicationPermission.INTAKE_APPLICATION) == {unit(AN_GIANG_COMMUNE).pk}


def test_a_nationwide_system_administrator_covers_everything_for_their_permissions() -> None:
    admin = make_officer(AdministratorRole.SYSTEM_ADMIN, None)
    scope = access.jurisdiction(admin, KernelPermission.ADMINISTER_SYSTEM)

    assert scope == Jurisdiction(nationwide=True, paths=())
    assert scope.covers(unit(HA_NOI_COMMUNE))
    assert scope.covers(province(AN_GIANG))
    assert scope.covers(None)
    # Nationwide reach does not bring permissions the role does not have.
    assert access.jurisdiction(admin, ApplicationPermission.REVIEW_APPLICATION).empty
    assert not access.has_permission(admin, ApplicationPermission.REVIEW_APPLICATION)


def test_a_permission_the_role_lacks_gives_no_jurisdiction() -> None:
    intake = make_officer(PeopleRole.INTAKE_OFFICER, province(AN_GIANG))
    assert access.jurisdiction(intake, ApplicationPermission.REVIEW_APPLICATION) == access.NOWHERE
    assert access.jurisdiction(intake, ApplicationPermission.INTAKE_APPLICATION).covers(unit(AN_GIANG_COMMUNE))


def test_jurisdictions_add_up_and_nested_areas_collapse() -> None:
    officer = make_officer(PeopleRole.REVIEWING_OFFICER, unit(AN_GIANG_COMMUNE))
    assert access.jurisdiction(officer, ApplicationPermission.REVIEW_APPLICATION).paths == ("2025/91/30292/",)

    role_grant(actor=None, user=officer, role=PeopleRole.REVIEWING_OFFICER, unit=province(AN_GIANG))
    role_grant(actor=None, user=officer, role=PeopleRole.REVIEWING_OFFICER, unit=unit(HA_NOI_COMMUNE))
    scope = access.jurisdiction(officer, ApplicationPermission.REVIEW_APPLICATION)
    assert scope.paths == ("2025/01/00004/", "2025/91/")
    assert scope.covers(unit(OTHER_AN_GIANG_COMMUNE))
    assert scope.covers(unit(HA_NOI_COMMUNE))
    assert not scope.covers(province(HA_NOI))


# --- restrict() ---------------------------------------------------------------------------------


def test_restrict_keeps_the_units_of_the_province() -> None:
    officer = make_officer(PeopleRole.REVIEWING_OFFICER, province(AN_GIANG))
    allowed = restricted(officer, ApplicationPermission.REVIEW_APPLICATION)

    assert allowed == units_under("2025/91/")
    assert province(AN_GIANG).pk in allowed
    assert unit(AN_GIANG_COMMUNE).pk in allowed
    assert unit(HA_NOI_COMMUNE).pk not in allowed
    assert len(allowed) == 1 + province(AN_GIANG).children.count()


def test_restrict_gives_nothing_without_the_permission() -> None:
    officer = make_officer(PeopleRole.INTAKE_OFFICER, province(AN_GIANG))
    assert restricted(officer, ApplicationPermission.REVIEW_APPLICATION) == set()
    assert restricted(make_user(), KernelPermission.VIEW_BACK_OFFICE) == set()
    assert restricted(AnonymousUser(), KernelPermission.VIEW_BACK_OFFICE) == set()


def test_restrict_gives_everything_nationwide() -> None:
    admin = make_officer(AdministratorRole.SYSTEM_ADMIN, None)
    assert restricted(admin, KernelPermission.VIEW_AUDIT_LOG) == current_units()


def test_restrict_follows_a_relation() -> None:
    officer = make_officer(PeopleRole.REVIEWING_OFFICER, province(AN_GIANG))
    inside = make_officer(PeopleRole.INTAKE_OFFICER, unit(AN_GIANG_COMMUNE))
    outside = make_officer(PeopleRole.INTAKE_OFFICER, unit(HA_NOI_COMMUNE))
    nationwide = make_officer(AdministratorRole.SYSTEM_ADMIN, None)

    qs = RoleAssignment.objects.filter(user__in=[inside, outside, nationwide])
    seen = access.restrict(qs, officer, ApplicationPermission.REVIEW_APPLICATION, path_field="unit__path")
    assert [a.user_id for a in seen] == [inside.pk]


# --- what grants nothing ------------------------------------------------------------------------


def test_an_expired_assignment_grants_nothing() -> None:
    officer = make_officer(PeopleRole.REVIEWING_OFFICER, province(AN_GIANG))
    officer.role_assignments.update(valid_until=timezone.now() - timedelta(days=1))

    assert access.roles_of(officer) == {KernelRole.CITIZEN}
    assert access.jurisdiction(officer, ApplicationPermission.REVIEW_APPLICATION).empty
    assert restricted(officer, ApplicationPermission.REVIEW_APPLICATION) == set()


def test_an_assignment_with_a_future_end_still_grants() -> None:
    officer = make_officer(PeopleRole.REVIEWING_OFFICER, province(AN_GIANG))
    officer.role_assignments.update(valid_until=timezone.now() + timedelta(days=30))
    assert access.jurisdiction(officer, ApplicationPermission.REVIEW_APPLICATION).covers(unit(AN_GIANG_COMMUNE))


def test_a_revoked_assignment_grants_nothing() -> None:
    officer = make_officer(PeopleRole.REVIEWING_OFFICER, province(AN_GIANG))
    officer.role_assignments.update(revoked_at=timezone.now())

    assert access.roles_of(officer) == {KernelRole.CITIZEN}
    assert access.jurisdiction(officer, ApplicationPermission.REVIEW_APPLICATION).empty


def test_an_inactive_account_gets_nothing() -> None:
    officer = make_officer(AdministratorRole.SYSTEM_ADMIN, None)
    officer.is_active = False
    officer.save(update_fields=["is_active"])

    assert access.roles_of(officer) == set()
    assert access.jurisdiction(officer, KernelPermission.ADMINISTER_SYSTEM).empty
    assert restricted(officer, KernelPermission.ADMINISTER_SYSTEM) == set()


def test_an_anonymous_visitor_gets_nothing() -> None:
    anonymous = AnonymousUser()
    assert access.roles_of(anonymous) == set()
    assert not access.active_assignments(anonymous).exists()
    for permission in Permission:
        assert access.jurisdiction(anonymous, permission).empty


def test_an_unknown_role_in_the_table_grants_nothing() -> None:
    user = make_user()
    RoleAssignment.objects.create(user=user, role="superuser", unit=None, granted_at=timezone.now())
    assert access.roles_of(user) == {KernelRole.CITIZEN}
    for permission in Permission:
        assert access.jurisdiction(user, permission).empty


# --- roles_of -----------------------------------------------------------------------------------


def test_every_signed_in_person_is_a_citizen_and_staff_roles_add_up() -> None:
    user = make_user()
    assert access.roles_of(user) == {KernelRole.CITIZEN}

    role_grant(actor=None, user=user, role=PeopleRole.INTAKE_OFFICER, unit=unit(AN_GIANG_COMMUNE))
    role_grant(actor=None, user=user, role=RegistryRole.CAMPAIGN_MANAGER, unit=province(AN_GIANG))
    assert access.roles_of(user) == {KernelRole.CITIZEN, PeopleRole.INTAKE_OFFICER, RegistryRole.CAMPAIGN_MANAGER}


# --- require() ----------------------------------------------------------------------------------


def test_require_lets_an_officer_act_in_their_area_and_writes_nothing() -> None:
    officer = make_officer(PeopleRole.REVIEWING_OFFICER, province(AN_GIANG))
    before = AuditEvent.objects.count()

    access.require(officer, ApplicationPermission.REVIEW_APPLICATION, unit=unit(AN_GIANG_COMMUNE))
    access.require(officer, ApplicationPermission.REVIEW_APPLICATION, unit=province(AN_GIANG))
    access.require(officer, RegistryPermission.VIEW_REGISTRY, any_unit=True)

    assert AuditEvent.objects.count() == before


def test_require_without_the_role_is_permission_denied_and_audited() -> None:
    citizen = make_user("Phạm Thị Dung")
    commune = unit(AN_GIANG_COMMUNE)

    with pytest.raises(DomainError) as exc:
        access.require(citizen, ApplicationPermission.REVIEW_APPLICATION, unit=commune, obj=commune)
    assert exc.value.error is CoreError.PERMISSION_DENIED

    [denied] = denials()
    assert denied.actor_id == citizen.pk
    assert (denied.object_type, denied.object_id) == ("geo.administrativeunit", str(commune.pk))
    assert denied.after == {
        "permission": "applications.review",
        "reason": "core.permission_denied",
        "unit": "2025/91/30292/",
    }


def test_require_outside_the_area_is_out_of_jurisdiction_and_audited() -> None:
    officer = make_officer(PeopleRole.REVIEWING_OFFICER, province(AN_GIANG))

    with pytest.raises(DomainError) as exc:
        access.require(officer, ApplicationPermission.REVIEW_APPLICATION, unit=unit(HA_NOI_COMMUNE))
    assert exc.value.error is CoreError.OUT_OF_JURISDICTION

    [denied] = denials()
    assert denied.actor_id == officer.pk
    assert denied.after == {
        "permission": "applications.review",
        "reason": "core.out_of_jurisdiction",
        "unit": "2025/01/00004/",
    }


def test_require_for_a_nationwide_object_needs_nationwide_reach() -> None:
    officer = make_officer(PeopleRole.REVIEWING_OFFICER, province(AN_GIANG))
    with pytest.raises(DomainError) as exc:
        access.require(officer, ApplicationPermission.REVIEW_APPLICATION)
    assert exc.value.error is CoreError.OUT_OF_JURISDICTION
    assert denials()[0].after == {"permission": "applications.review", "reason": "core.out_of_jurisdiction"}

    admin = make_officer(AdministratorRole.SYSTEM_ADMIN, None)
    access.require(admin, KernelPermission.ADMINISTER_SYSTEM)
    assert len(denials()) == 1


@pytest.mark.parametrize(
    "who",
    ["anonymous", "citizen", "inactive", "expired", "revoked", "wrong_role", "elsewhere"],
)
def test_every_refusal_writes_exactly_one_event_without_personal_data(who: str) -> None:
    person: User | AnonymousUser
    if who == "anonymous":
        person = AnonymousUser()
    elif who == "citizen":
        person = make_user("Hoàng Văn Em")
    else:
        role = PeopleRole.INTAKE_OFFICER if who == "wrong_role" else PeopleRole.REVIEWING_OFFICER
        area = unit(HA_NOI_COMMUNE) if who == "elsewhere" else province(AN_GIANG)
        person = make_officer(role, area, name="Hoàng Văn Em")
        if who == "inactive":
            person.is_active = False
            person.save(update_fields=["is_active"])
        elif who == "expired":
            person.role_assignments.update(valid_until=timezone.now() - timedelta(seconds=1))
        elif who == "revoked":
            person.role_assignments.update(revoked_at=timezone.now())
    before = AuditEvent.objects.count()

    with pytest.raises(DomainError) as exc:
        access.require(person, ApplicationPermission.REVIEW_APPLICATION, unit=unit(AN_GIANG_COMMUNE))
    expected = CoreError.OUT_OF_JURISDICTION if who == "elsewhere" else CoreError.PERMISSION_DENIED
    assert exc.value.error is expected

    assert AuditEvent.objects.count() == before + 1
    [denied] = denials()
    assert set(denied.after or {}) == {"permission", "reason", "unit"}
    payload = str(denied.after) + str(denied.before)
    assert "Hoàng" not in payload
    if isinstance(person, User):
        assert person.personal_id_masked not in payload
        assert denied.actor_id == person.pk
    else:
        assert (denied.actor_id, denied.actor_label) == (None, "system")


def test_repeated_refusals_are_each_audited() -> None:
    citizen = make_user()
    for _ in range(3):
        with pytest.raises(DomainError):
            access.require(citizen, KernelPermission.ADMINISTER_SYSTEM, any_unit=True)
    assert len(denials()) == 3


# --- property: covers() is "some assigned unit is u or an ancestor of u" -------------------------

UNIT_CODES = [
    (AN_GIANG, Level.PROVINCE),
    (AN_GIANG_COMMUNE, Level.COMMUNE),
    (OTHER_AN_GIANG_COMMUNE, Level.COMMUNE),
    (HA_NOI, Level.PROVINCE),
    (HA_NOI_COMMUNE, Level.COMMUNE),
]
STATES = ("active", "expired", "revoked", "ends_later")

assignments = st.lists(
    st.tuples(
        st.sampled_from(sorted(access.staff_roles())),
        st.one_of(st.integers(0, len(UNIT_CODES) - 1), st.none()),  # None: nationwide
        st.sampled_from(STATES),
    ),
    max_size=6,
)


def _is_ancestor_or_self(candidate: AdministrativeUnit, u: AdministrativeUnit) -> bool:
    node: AdministrativeUnit | None = u
    while node is not None:
        if node.pk == candidate.pk:
            return True
        node = node.parent
    return False


@hypothesis_settings(max_examples=25, deadline=None)
@given(granted=assignments, permission=st.sampled_from(access.declared_permissions()))
def test_covers_matches_brute_force_ancestry(
    granted: list[tuple[Role, int | None, str]], permission: Permission
) -> None:
    with transaction.atomic():
        units = [
            AdministrativeUnit.objects.select_related("parent").get(scheme=Scheme.CURRENT, level=level, code=code)
            for code, level in UNIT_CODES
        ]
        user = make_user()
        now = timezone.now()
        live: list[tuple[Role, AdministrativeUnit | None]] = []
        for role, index, state in granted:
            where = None if index is None else units[index]
            RoleAssignment.objects.create(
                user=user,
                role=role,
                unit=where,
                granted_at=now - timedelta(days=10),
                valid_until={"expired": now - timedelta(days=1), "ends_later": now + timedelta(days=1)}.get(state),
                revoked_at=now - timedelta(days=2) if state == "revoked" else None,
            )
            if state in ("active", "ends_later"):
                live.append((role, where))

        scope = access.jurisdiction(user, permission)
        allowed = set(
            access.restrict(
                AdministrativeUnit.objects.filter(pk__in=[u.pk for u in units]),
                user,
                permission,
                path_field="path",
            ).values_list("pk", flat=True)
        )
        for u in units:
            expected = any(
                permission in access.grants_of(role) and (where is None or _is_ancestor_or_self(where, u))
                for role, where in live
            )
            assert scope.covers(u) == expected, (u.path, live)
            assert (u.pk in allowed) == expected
        assert scope.covers(None) == any(permission in access.grants_of(r) and w is None for r, w in live)
        assert access.roles_of(user) == {KernelRole.CITIZEN} | {role for role, _ in live}
        transaction.set_rollback(True)

"""Issue 14.0: merging and splitting communes re-homes organizations, roles and open requests."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from django.utils import timezone

from dinhdanh.applications.models import Application, Status
from dinhdanh.core.access import AdministratorRole
from dinhdanh.core.errors import DomainError
from dinhdanh.core.models import AuditEvent, RoleAssignment
from dinhdanh.core.services import role_grant
from dinhdanh.geo import reform
from dinhdanh.geo import selectors as geo
from dinhdanh.geo.errors import GeoError
from dinhdanh.geo.models import AdministrativeUnit, Level, Scheme, UnitSuccession
from dinhdanh.geo.reform import Item, Rehoming, split_items, units_merge, units_split
from dinhdanh.geo.rollup import ambiguous, rollup
from dinhdanh.geo.villages import village_create
from dinhdanh.organizations.models import Organization
from dinhdanh.people.models import User
from dinhdanh.people.permissions import PeopleRole
from tests.conftest import make_officer, make_user, unit
from tests.organizations.factories import commune, make_application, make_organization

pytestmark = pytest.mark.django_db


@dataclass
class Scene:
    a: AdministrativeUnit
    b: AdministrativeUnit
    c: AdministrativeUnit
    org_a: Organization
    org_c: Organization
    open_a: Application
    closed_a: Application
    role_a: RoleAssignment
    twin_a: RoleAssignment
    village: AdministrativeUnit
    admin: User


@pytest.fixture
def scene() -> Scene:
    a, b, c = commune(index=0), commune(index=1), commune(index=2)
    applicant = make_user("Trần Thị Nộp")
    officer = make_officer(PeopleRole.REVIEWING_OFFICER, a, "Cán bộ xã A")
    twin = make_officer(PeopleRole.REVIEWING_OFFICER, b, "Cán bộ xã A và B")
    twin_a = role_grant(actor=None, user=twin, role=PeopleRole.REVIEWING_OFFICER, unit=a)
    return Scene(
        a=a,
        b=b,
        c=c,
        org_a=make_organization(head_office=a),
        org_c=make_organization(head_office=c),
        open_a=make_application(applicant=applicant, data={}, head_office=a),
        closed_a=make_application(applicant=applicant, data={}, head_office=a, status=Status.APPROVED),
        role_a=RoleAssignment.objects.get(user=officer, unit=a),
        twin_a=twin_a,
        village=village_create(actor=None, commune=a, code="01", name="Thôn 1", valid_from=date(2025, 7, 1)),
        admin=make_officer(AdministratorRole.SYSTEM_ADMIN, unit("91", Level.PROVINCE), "Quản trị An Giang"),
    )


def _fresh(app: Application) -> Application:
    # refresh_from_db would set the state machine's protected status field: read the row anew.
    return Application.objects.get(pk=app.pk)


def _today() -> date:
    return timezone.localdate()


def _nothing_written(s: Scene) -> None:
    for row in (s.a, s.org_a, s.role_a, s.twin_a, s.village):
        row.refresh_from_db()
    s.open_a = _fresh(s.open_a)
    assert s.a.valid_to is None
    assert s.village.valid_to is None
    assert s.org_a.head_office_id == s.a.pk
    assert s.open_a.unit_id == s.a.pk
    assert s.role_a.unit_id == s.a.pk
    assert s.twin_a.revoked_at is None
    assert not UnitSuccession.objects.filter(predecessor=s.a).exists()
    assert not AuditEvent.objects.filter(action__in=["geo.units_merged", "geo.units_split"]).exists()


def test_a_merge_moves_everything_that_lived_at_the_commune(scene: Scene) -> None:
    s = scene
    today = _today()
    result = units_merge(actor=s.admin, retired=[s.a], into=s.b, effective_on=today)
    assert result.rehomed == {"core": 2, "organizations": 1, "applications": 1}
    assert result.villages_retired == 1
    for row in (s.a, s.org_a, s.org_c, s.role_a, s.twin_a, s.village):
        row.refresh_from_db()
    s.open_a, s.closed_a = _fresh(s.open_a), _fresh(s.closed_a)
    assert s.a.valid_to == today - timedelta(days=1)
    assert s.village.valid_to == today - timedelta(days=1)
    link = UnitSuccession.objects.get(predecessor=s.a)
    assert (link.successor_id, link.partial, link.effective_on) == (s.b.pk, False, today)
    assert (s.org_a.head_office_id, s.org_a.head_office_path) == (s.b.pk, s.b.path)
    assert s.org_c.head_office_id == s.c.pk
    assert (s.open_a.head_office_id, s.open_a.unit_id, s.open_a.unit_path) == (s.b.pk, s.b.pk, s.b.path)
    assert s.closed_a.unit_id == s.a.pk  # decided where it was decided
    assert s.role_a.unit_id == s.b.pk
    assert s.twin_a.revoked_at is not None  # already held at B: revoked, not doubled
    event = AuditEvent.objects.get(action="geo.units_merged")
    assert event.before == {"units": [s.a.path]}
    assert event.after is not None
    assert event.after["rehomed"] == result.rehomed
    assert event.actor_id == s.admin.pk


def test_after_a_merge_the_old_commune_rolls_up_into_the_new_and_leaves_the_listings(scene: Scene) -> None:
    s = scene
    legacy = UnitSuccession.objects.filter(successor=s.a).values_list("predecessor_id", flat=True).first()
    assert legacy is not None
    today = _today()
    units_merge(actor=None, retired=[s.a], into=s.b, effective_on=today)
    assert rollup([s.a.pk, legacy, s.village.pk], level=Level.COMMUNE, on=today) == {
        s.a.pk: s.b,
        legacy: s.b,
        s.village.pk: s.b,
    }
    yesterday = today - timedelta(days=1)
    assert rollup([s.a.pk, legacy], level=Level.COMMUNE, on=yesterday) == {s.a.pk: s.a, legacy: s.a}
    s.a.refresh_from_db()
    assert not s.a.is_current
    assert geo.resolve_commune_code(s.a.code) == s.b
    assert not geo.units(level=Level.COMMUNE).filter(pk=s.a.pk).exists()
    assert s.a not in geo.current_children(s.a.parent)


@pytest.mark.parametrize(
    ("case", "code"),
    [
        ("into_itself", "geo.reform_same_unit"),
        ("nothing", "geo.reform_nothing"),
        ("future", "geo.reform_date_late"),
        ("before_start", "geo.reform_date_early"),
        ("legacy", "geo.not_a_current_commune"),
        ("province", "geo.not_a_current_commune"),
        ("village", "geo.not_a_current_commune"),
        ("out_of_province", "core.out_of_jurisdiction"),
        ("officer", "core.permission_denied"),
    ],
)
def test_a_bad_merge_is_refused_and_writes_nothing(scene: Scene, case: str, code: str) -> None:
    s = scene
    today = _today()
    legacy = AdministrativeUnit.objects.filter(scheme=Scheme.LEGACY, level=Level.COMMUNE).first()
    assert legacy is not None
    args: dict[str, object] = {"actor": s.admin, "retired": [s.a], "into": s.b, "effective_on": today}
    match case:
        case "into_itself":
            args["retired"] = [s.a, s.a]
        case "nothing":
            args["retired"] = []
        case "future":
            args["effective_on"] = today + timedelta(days=1)
        case "before_start":
            args["effective_on"] = date(2025, 7, 1)
        case "legacy":
            args["retired"] = [legacy]
        case "province":
            args["into"] = unit("91", Level.PROVINCE)
        case "village":
            args["into"] = s.village
        case "out_of_province":
            args["into"] = commune("01")
        case "officer":
            args["actor"] = s.role_a.user
    with pytest.raises(DomainError) as refused:
        units_merge(**args)  # type: ignore[arg-type]
    assert refused.value.code == code
    _nothing_written(s)


def test_a_commune_merged_once_cannot_be_merged_again(scene: Scene) -> None:
    s = scene
    units_merge(actor=None, retired=[s.a], into=s.b, effective_on=_today())
    s.a.refresh_from_db()
    with pytest.raises(DomainError) as refused:
        units_merge(actor=None, retired=[s.a], into=s.c, effective_on=_today())
    assert refused.value.code == "geo.not_a_current_commune"
    stale = AdministrativeUnit.objects.get(pk=s.c.pk)
    stale.valid_to = None  # a copy read before someone else retired it
    units_merge(actor=None, retired=[s.c], into=s.b, effective_on=_today())
    with pytest.raises(DomainError):
        units_merge(actor=None, retired=[stale], into=s.b, effective_on=_today())


@pytest.fixture
def failing_rehomer() -> Iterator[None]:
    def fail(plan: Rehoming) -> int:
        raise DomainError(GeoError.REFORM_NOTHING)

    reform.register_rehomer("test_failing", fail)
    yield
    reform._REHOMERS.pop("test_failing")


@pytest.mark.usefixtures("failing_rehomer")
def test_a_failing_rehomer_undoes_the_whole_reform(scene: Scene) -> None:
    with pytest.raises(DomainError):
        units_merge(actor=None, retired=[scene.a], into=scene.b, effective_on=_today())
    _nothing_written(scene)


def test_rehomers_are_registered_once_by_each_app() -> None:
    assert {"core", "organizations", "applications"} <= set(reform.rehomers())
    with pytest.raises(ValueError, match="twice"):
        reform.register_rehomer("core", lambda plan: 0)


def _split_mapping(s: Scene) -> dict[tuple[str, int], AdministrativeUnit]:
    return {
        ("core.roleassignment", s.role_a.pk): s.c,
        ("core.roleassignment", s.twin_a.pk): s.b,
        ("organizations.organization", s.org_a.pk): s.c,
        ("applications.application", s.open_a.pk): s.b,
    }


def test_split_items_lists_what_a_split_asks_about_and_writes_nothing(scene: Scene) -> None:
    items = split_items(scene.a)
    assert {(i.kind, i.pk) for i in items} == set(_split_mapping(scene))
    assert all(i.unit_id == scene.a.pk for i in items)
    _nothing_written(scene)


def test_a_split_sends_each_row_where_it_is_assigned(scene: Scene) -> None:
    s = scene
    today = _today()
    result = units_split(actor=s.admin, retired=s.a, into=[s.b, s.c], assign=_split_mapping(s), effective_on=today)
    assert result.successions == 2
    assert set(UnitSuccession.objects.filter(predecessor=s.a).values_list("successor_id", "partial")) == {
        (s.b.pk, True),
        (s.c.pk, True),
    }
    for row in (s.org_a, s.role_a, s.twin_a):
        row.refresh_from_db()
    s.open_a = _fresh(s.open_a)
    assert (s.org_a.head_office_id, s.org_a.head_office_path) == (s.c.pk, s.c.path)
    assert s.open_a.unit_id == s.b.pk
    assert s.role_a.unit_id == s.c.pk
    assert s.twin_a.revoked_at is not None
    assert AuditEvent.objects.filter(action="geo.units_split").count() == 1
    chosen = rollup([s.a.pk], level=Level.COMMUNE, on=today)[s.a.pk]
    assert chosen in (s.b, s.c)
    assert ambiguous([s.a.pk], level=Level.COMMUNE, on=today)[s.a.pk] == tuple(
        sorted((s.b, s.c), key=lambda u: u.code)
    )


def test_a_split_can_assign_by_a_function(scene: Scene) -> None:
    s = scene

    def by_kind(item: Item) -> AdministrativeUnit:
        return s.c if item.kind == "organizations.organization" else s.b

    units_split(actor=None, retired=s.a, into=[s.b, s.c], assign=by_kind, effective_on=_today())
    s.org_a.refresh_from_db()
    s.open_a = _fresh(s.open_a)
    assert (s.org_a.head_office_id, s.open_a.head_office_id) == (s.c.pk, s.b.pk)


def test_a_split_that_forgets_a_row_or_sends_it_elsewhere_writes_nothing(scene: Scene) -> None:
    s = scene
    partial = _split_mapping(s)
    del partial[("organizations.organization", s.org_a.pk)]
    with pytest.raises(DomainError) as refused:
        units_split(actor=None, retired=s.a, into=[s.b, s.c], assign=partial, effective_on=_today())
    assert refused.value.code == "geo.reform_unassigned"
    assert str(s.org_a.pk) in refused.value.message()
    _nothing_written(s)
    elsewhere = _split_mapping(s)
    elsewhere[("organizations.organization", s.org_a.pk)] = commune(index=5)
    with pytest.raises(DomainError) as refused:
        units_split(actor=None, retired=s.a, into=[s.b, s.c], assign=elsewhere, effective_on=_today())
    assert refused.value.code == "geo.reform_target_outside"
    _nothing_written(s)
    with pytest.raises(DomainError) as refused:
        units_split(actor=None, retired=s.a, into=[s.b], assign={}, effective_on=_today())
    assert refused.value.code == "geo.reform_split_too_few"
    _nothing_written(s)

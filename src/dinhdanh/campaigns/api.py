"""Campaigns API under /api/v1/campaigns/ (issue 14.9): the plans a viewer may read and one plan's
standings as of a day — the dashboard's numbers, through the same service and the same access rule.

Two credentials: a person's cookie session (``VIEW_PLAN`` over the territory), or a machine's own
client-credentials access token with the scope ``campaigns.read`` (``Authorization: Bearer``, or
``DPoP`` for a bound token) over the territory an operator granted the client
(``dinhdanh plan readers grant``). A token that fails any check is refused with OAuth's 401/403 and
its challenge; a session is never consulted when a token is presented.
"""

from __future__ import annotations

from datetime import date, datetime

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema

from dinhdanh.campaigns import dashboard, readers
from dinhdanh.campaigns.models import Plan
from dinhdanh.campaigns.models.reports import ProvinceReport
from dinhdanh.campaigns.reports import UnitLine
from dinhdanh.campaigns.standings import TargetStanding
from dinhdanh.campaigns.viewing import UnitFigures, Viewer, plan_for, unit_figures, visible_plans, week_for
from dinhdanh.core.errors import CoreError, DomainError
from dinhdanh.federation.protocol.errors import OAuthError
from dinhdanh.federation.protocol.resource import client_caller
from dinhdanh.geo.models import AdministrativeUnit
from dinhdanh.http.security import signed_in_user
from dinhdanh.http.zones import Zone

ZONE = Zone.INNER
router = Router(tags=["campaigns"])

PREFIX = "/api/v1/campaigns"  # under the issuer: a DPoP proof's htu is FEDERATION_ISSUER + this + path


class RefusedTokenError(Exception):
    """A presented token that does not hold: answered with OAuth's own response, not a problem."""

    def __init__(self, error: OAuthError) -> None:
        super().__init__(error.description)
        self.error = error


def viewer_of(request: HttpRequest, path: str) -> Viewer:
    """The machine reader whose token the request presents, else the signed-in person."""
    if not request.headers.get("Authorization"):
        return signed_in_user(request)
    try:
        caller = client_caller(request, path=f"{PREFIX}{path}", scope=readers.SCOPE, now=timezone.now())
    except OAuthError as exc:
        raise RefusedTokenError(exc) from exc
    return readers.machine_reader(caller.client)


class PlanOut(Schema):
    slug: str
    reference: str
    title: str
    issuing_body: str
    issued_on: date
    status: str
    scope_unit: str  # "<scheme>/<level>/<code>", as the plan named it
    scope_name: str


class StandingOut(Schema):
    target: int
    metric: str
    segment: str
    unit: str
    unit_name: str
    kind: str
    value: int
    baseline: int | None
    due: date
    required: int | None
    done: int | None
    expected: int | None
    pace_per_day: float | None
    forecast: date | None
    standing: str | None  # met | ahead | on_track | behind | not_started; None with a reason
    reason: str
    units: list[StandingOut]  # the units it was allocated to, best first (the ranking)


class PhaseOut(Schema):
    number: int
    name: str
    starts_on: date
    ends_on: date
    targets: list[StandingOut]


class TaskOut(Schema):
    number: str
    title: str
    lead_unit: str
    coordinating_units: list[str]
    deadline: date | None
    regular: bool
    status: str
    overdue: bool


class BoardOut(Schema):
    plan: PlanOut
    as_of: date
    phases: list[PhaseOut]
    tasks: list[TaskOut]


def _plan(p: Plan) -> PlanOut:
    u = p.scope_unit
    return PlanOut(
        slug=p.slug, reference=p.reference, title=p.title, issuing_body=p.issuing_body, issued_on=p.issued_on,
        status=p.status, scope_unit=f"{u.scheme}/{u.level}/{u.code}", scope_name=u.name,
    )  # fmt: skip


def _standing(s: TargetStanding, ranked: list[TargetStanding] | None = None) -> StandingOut:
    t, o = s.target, s.outlook
    return StandingOut(
        target=t.pk, metric=t.metric, segment=t.segment, unit=f"{t.unit.scheme}/{t.unit.level}/{t.unit.code}",
        unit_name=t.unit.name, kind=t.kind, value=t.value, baseline=t.baseline, due=t.due, required=t.required,
        done=o.done if o else None, expected=o.expected if o else None,
        pace_per_day=round(o.pace, 2) if o else None, forecast=o.forecast if o else None,
        standing=str(o.standing) if o else None, reason=s.reason,
        units=[_standing(r) for r in ranked or []],
    )  # fmt: skip


def _phase(pb: dashboard.PhaseBoard) -> PhaseOut:
    phase = pb.phase
    return PhaseOut(
        number=phase.number, name=phase.name, starts_on=phase.starts_on, ends_on=phase.ends_on,
        targets=[_standing(s, pb.rankings.get(s.target.pk)) for s in pb.targets],
    )  # fmt: skip


def _task(line: dashboard.TaskLine) -> TaskOut:
    t = line.task
    return TaskOut(
        number=t.number, title=t.title, lead_unit=t.lead_unit, coordinating_units=[str(u) for u in t.coordinating_units],
        deadline=t.deadline, regular=t.regular, status=t.status, overdue=line.overdue,
    )  # fmt: skip


@router.get("/plans", response=list[PlanOut], url_name="campaign_plans")
def plans(request: HttpRequest) -> list[PlanOut]:
    return [_plan(p) for p in visible_plans(viewer_of(request, "/plans"))]


@router.get("/plans/{slug}", response=BoardOut, url_name="campaign_plan")
def plan(request: HttpRequest, slug: str, as_of: str = "") -> BoardOut:
    """Every target of the plan as of ``as_of`` (YYYY-MM-DD, today by default)."""
    day = _day(as_of)
    viewer = viewer_of(request, f"/plans/{slug}")
    plan_for(viewer, slug)  # the viewer's rule, person or machine; the board is then read as the system
    board = dashboard.plan_board(actor=None, slug=slug, as_of=day)
    phases = [_phase(pb) for pb in board.phases]
    tasks = [_task(line) for line in board.tasks]
    return BoardOut(plan=_plan(board.plan), as_of=board.as_of, phases=phases, tasks=tasks)


# --- figures by unit: the drill-down's numbers, for a ministry's pull -------------------------------------


class UnitOut(Schema):
    code: str  # "<scheme>/<level>/<code>"
    name: str
    level: str


class FiguresOut(Schema):
    unit: UnitOut | None  # None: the country
    counts: dict[str, dict[str, int]]  # metric → category ("" for people's metrics) → count to the day


class UnitFiguresOut(Schema):
    as_of: date
    unit: UnitOut | None
    own: FiguresOut | None
    units: list[FiguresOut]  # one level down: the provinces, a province's communes, a commune's villages
    moved_to: list[UnitOut]  # a code no longer in force: the units now holding its territory, nothing else


def _unit(u: AdministrativeUnit | None) -> UnitOut | None:
    return None if u is None else UnitOut(code=f"{u.scheme}/{u.level}/{u.code}", name=u.name, level=str(u.level))


def _day(raw: str) -> date:
    try:
        return date.fromisoformat(raw) if raw else timezone.localdate()
    except ValueError as exc:
        raise DomainError(CoreError.BAD_REQUEST) from exc


def _figures_out(found: UnitFigures) -> UnitFiguresOut:
    moved = bool(found.moved_to)
    return UnitFiguresOut(
        as_of=found.as_of, unit=_unit(found.unit),
        own=None if moved else FiguresOut(unit=_unit(found.unit), counts=found.own.counts),
        units=[FiguresOut(unit=_unit(u), counts=f.counts) for u, f in found.rows],
        moved_to=[u for u in map(_unit, found.moved_to) if u is not None],
    )  # fmt: skip


@router.get("/units", response=UnitFiguresOut, url_name="campaign_units")
def units(request: HttpRequest, as_of: str = "") -> UnitFiguresOut:
    """The country and each province today: what the platform counted up to ``as_of``."""
    day = _day(as_of)
    return _figures_out(unit_figures(viewer_of(request, "/units"), code=None, as_of=day))


@router.get("/units/{code}", response=UnitFiguresOut, url_name="campaign_unit")
def unit(request: HttpRequest, code: str, as_of: str = "", scheme: str = "") -> UnitFiguresOut:
    """A province (2 digits) with its communes, a commune (5 digits) with its villages; a 2024 district
    (3 digits) or a code no longer in force answers with the units that now hold its territory."""
    day = _day(as_of)
    viewer = viewer_of(request, f"/units/{code}")
    return _figures_out(unit_figures(viewer, code=code, as_of=day, scheme=scheme))


# --- the weekly reporting cycle ---------------------------------------------------------------------------


class UnitReportOut(Schema):
    unit: UnitOut
    status: str  # on_time | late | missing | pending (before the due time)
    submitted_at: datetime | None
    numbers: dict[str, dict[str, int]] | None  # "<metric>/<segment or *>" → {"week", "total"}; None: not readable
    difficulties: str | None
    proposals: str | None


class ProvinceReportOut(Schema):
    submitted_at: datetime
    due_at: datetime
    expected: int
    submitted: int
    on_time: int
    numbers: dict[str, dict[str, int]]
    difficulties: str
    proposals: str


class WeekOut(Schema):
    plan: str
    week_start: date
    due_at: datetime
    province_due_at: datetime | None
    expected: int
    submitted: int
    on_time: int
    rate: float
    units: list[UnitReportOut]
    province_report: ProvinceReportOut | None


def _line(line: UnitLine) -> UnitReportOut:
    report = line.report
    return UnitReportOut(
        unit=_unit(line.unit) or UnitOut(code="", name="", level=""), status=str(line.status),
        submitted_at=report.submitted_at if report else None, numbers=report.numbers if report else None,
        difficulties=report.difficulties if report else None, proposals=report.proposals if report else None,
    )  # fmt: skip


def _province(report: ProvinceReport | None) -> ProvinceReportOut | None:
    if report is None:
        return None
    return ProvinceReportOut(
        submitted_at=report.submitted_at, due_at=report.due_at, expected=report.expected,
        submitted=report.submitted, on_time=report.on_time, numbers=report.numbers,
        difficulties=report.difficulties, proposals=report.proposals,
    )  # fmt: skip


@router.get("/plans/{slug}/reports", response=WeekOut, url_name="campaign_reports")
def week(request: HttpRequest, slug: str, week: str = "") -> WeekOut:
    """A week's reports (``week``: its Monday, YYYY-MM-DD; the current one by default): the rate, each
    reporting unit's status and, where the viewer may read it, its report; the province's roll-up."""
    viewer = viewer_of(request, f"/plans/{slug}/reports")
    board = week_for(viewer, slug=slug, week=week)
    return WeekOut(
        plan=board.plan.slug, week_start=board.week_start, due_at=board.due_at,
        province_due_at=board.province_due_at, expected=board.rate.expected, submitted=board.rate.submitted,
        on_time=board.rate.on_time, rate=round(board.rate.rate, 4), units=[_line(x) for x in board.lines],
        province_report=_province(board.province_report),
    )  # fmt: skip

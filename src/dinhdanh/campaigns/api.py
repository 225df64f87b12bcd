"""Campaigns API under /api/v1/campaigns/ (issue 14.9): the plans a person may read and one plan's
standings as of a day — the dashboard's numbers, through the same service and the same access rule.
Cookie sessions are the credential (reads only)."""

from __future__ import annotations

from datetime import date

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema

from dinhdanh.campaigns import dashboard
from dinhdanh.campaigns.models import Plan
from dinhdanh.campaigns.standings import TargetStanding
from dinhdanh.core.errors import CoreError, DomainError
from dinhdanh.http.security import signed_in_user
from dinhdanh.http.zones import Zone

ZONE = Zone.INNER
router = Router(tags=["campaigns"])


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
    return [_plan(p) for p in dashboard.plans_visible(actor=signed_in_user(request))]


@router.get("/plans/{slug}", response=BoardOut, url_name="campaign_plan")
def plan(request: HttpRequest, slug: str, as_of: str = "") -> BoardOut:
    """Every target of the plan as of ``as_of`` (YYYY-MM-DD, today by default)."""
    try:
        day = date.fromisoformat(as_of) if as_of else timezone.localdate()
    except ValueError as exc:
        raise DomainError(CoreError.BAD_REQUEST) from exc
    board = dashboard.plan_board(actor=signed_in_user(request), slug=slug, as_of=day)
    phases = [_phase(pb) for pb in board.phases]
    tasks = [_task(line) for line in board.tasks]
    return BoardOut(plan=_plan(board.plan), as_of=board.as_of, phases=phases, tasks=tasks)

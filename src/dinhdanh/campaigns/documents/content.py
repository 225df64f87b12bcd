"""What a report says, from the dashboard's numbers (``campaigns.dashboard.plan_board``): each target's
required, done, share and standing as of the report day, the ranking of the units it was allocated to
(commendation: met or ahead; criticism: behind), and the plan's tasks with the overdue ones.

Plain data, in the words the document prints (Vietnamese source text, translated like any other), so
that the DOCX, the PDF and the XLSX annex say the same thing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.utils.translation import gettext as _

from dinhdanh.campaigns.dashboard import PhaseBoard, PlanBoard, TaskLine
from dinhdanh.campaigns.forecast import Standing
from dinhdanh.campaigns.models import Metric, Plan, Segment
from dinhdanh.campaigns.standings import TargetStanding

__all__ = [
    "PhaseSection",
    "Ranking",
    "ReportContent",
    "Row",
    "TaskRow",
    "build",
    "date_in_words",
    "standing_label",
]

COMMEND = frozenset({Standing.MET, Standing.AHEAD})
CRITICISE = frozenset({Standing.BEHIND})


def date_in_words(day: date) -> str:
    """ "ngày 05 tháng 12 năm 2026": Decree 30/2020, Phụ lục I, 1.6: a day below 10 and the months
    January and February take a leading zero."""
    month = f"{day.month:02d}" if day.month <= 2 else str(day.month)
    return _("ngày {day} tháng {month} năm {year}").format(day=f"{day.day:02d}", month=month, year=day.year)


def standing_label(standing: Standing | None) -> str:
    labels = {
        Standing.MET: _("đã đạt"),
        Standing.AHEAD: _("vượt tiến độ"),
        Standing.ON_TRACK: _("đúng tiến độ"),
        Standing.BEHIND: _("chậm tiến độ"),
        Standing.NOT_STARTED: _("chưa bắt đầu"),
    }
    return labels[standing] if standing is not None else ""


@dataclass(frozen=True)
class Row:
    """One target of the plan, or one unit's share of it."""

    phase: int
    metric: str
    segment: str
    unit: str
    unit_code: str
    allocated: bool  # a unit's share of a plan's target
    baseline: int | None
    required: int | None
    done: int | None
    share: float | None  # done / required
    standing: Standing | None
    forecast: date | None
    note: str  # why there is no figure

    @property
    def standing_text(self) -> str:
        return standing_label(self.standing) or self.note

    @property
    def subject(self) -> str:
        """ "Tài khoản tổ chức đã cấp – Doanh nghiệp" (no segment for everyone)."""
        return f"{self.metric} – {self.segment}" if self.segment else self.metric


@dataclass(frozen=True)
class Ranking:
    target: Row
    commend: list[Row]  # met or ahead, best first
    criticise: list[Row]  # behind
    others: list[Row]  # on track, not started, no figure


@dataclass(frozen=True)
class PhaseSection:
    number: int
    name: str
    starts_on: date
    ends_on: date
    targets: list[Row]  # the plan's own targets, in its order
    rankings: list[Ranking]  # of the targets allocated to units
    rows: list[Row]  # every target followed by its units' shares: the annex's table


@dataclass(frozen=True)
class TaskRow:
    number: str
    title: str
    lead_unit: str
    deadline: date | None
    timing: str
    status: str
    status_code: str
    overdue: bool


@dataclass(frozen=True)
class ReportContent:
    plan: Plan
    final: bool
    as_of: date
    sections: list[PhaseSection]
    tasks: list[TaskRow] = field(default_factory=list)

    @property
    def overdue(self) -> list[TaskRow]:
        return [t for t in self.tasks if t.overdue]

    @property
    def starts_on(self) -> date:
        return self.sections[0].starts_on

    @property
    def ends_on(self) -> date:
        return self.sections[-1].ends_on


def _row(standing: TargetStanding, phase: int) -> Row:
    target, seen = standing.target, standing.outlook
    return Row(
        phase=phase,
        metric=str(Metric(target.metric).label),
        segment="" if target.segment == Segment.ALL else str(Segment(target.segment).label),
        unit=target.unit.name,
        unit_code=target.unit.code,
        allocated=target.parent_id is not None,
        baseline=target.baseline,
        required=seen.goal if seen is not None else target.required,
        done=seen.done if seen is not None else None,
        share=seen.share if seen is not None else None,
        standing=seen.standing if seen is not None else None,
        forecast=seen.forecast if seen is not None else None,
        note=standing.reason,
    )


def _section(board: PhaseBoard) -> PhaseSection:
    number = board.phase.number
    targets, rankings, rows = [], [], []
    for standing in board.targets:
        top = _row(standing, number)
        targets.append(top)
        rows.append(top)
        units = [_row(s, number) for s in board.rankings.get(standing.target.pk, [])]
        rows.extend(units)
        if units:
            rankings.append(
                Ranking(
                    target=top,
                    commend=[u for u in units if u.standing in COMMEND],
                    criticise=[u for u in units if u.standing in CRITICISE],
                    others=[u for u in units if u.standing not in COMMEND | CRITICISE],
                )
            )
    phase = board.phase
    return PhaseSection(number, phase.name, phase.starts_on, phase.ends_on, targets, rankings, rows)


def _task(line: TaskLine) -> TaskRow:
    task = line.task
    return TaskRow(
        number=task.number,
        title=task.title,
        lead_unit=task.lead_unit,
        deadline=task.deadline,
        timing=task.timing,
        status=task.get_status_display(),
        status_code=task.status,
        overdue=line.overdue,
    )


def build(board: PlanBoard, *, phases: list[int] | None) -> ReportContent:
    """The report of ``phases`` (numbers; None: the whole plan, the final report) from ``board``."""
    chosen = [b for b in board.phases if phases is None or b.phase.number in phases]
    return ReportContent(
        plan=board.plan,
        final=phases is None,
        as_of=board.as_of,
        sections=[_section(b) for b in chosen],
        tasks=[_task(line) for line in board.tasks],
    )

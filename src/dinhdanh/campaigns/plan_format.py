"""The plan file (`dinhdanh plan load FILE`, docs/campaigns/plans.md): parsed and checked whole.

``parse_plan(text)`` returns a ``PlanSpec`` ready to write, or raises ``PlanFileErrors`` with every
refusal found, each named by its line. It reads the administrative units (to resolve codes) and writes
nothing. Units are named by code or by name (``plan_units``), in the scheme in force on the plan's date
unless the code says which ("2008/91": Kiên Giang as it was; "2025/91": today's An Giang); a unit that
was not in force on that date is refused, an old one that was is kept as named (its counts roll up
through ``geo.rollup``).
"""

from __future__ import annotations

import re
from datetime import date, time

import yaml

from dinhdanh.campaigns import allocation
from dinhdanh.campaigns.errors import LineError, PlanError, PlanFileErrors
from dinhdanh.campaigns.models import Metric
from dinhdanh.campaigns.models.plans import PlanStatus, Segment, TargetKind, TaskStatus, Weekday
from dinhdanh.campaigns.plan_reader import Reader
from dinhdanh.campaigns.plan_spec import AllocationSpec, PhaseSpec, PlanSpec, TargetSpec, TaskSpec
from dinhdanh.campaigns.plan_units import REGISTRY, BaselineRule, registry_baseline, resolve_unit
from dinhdanh.core.errors import DomainError
from dinhdanh.geo.models import AdministrativeUnit

__all__ = ["AllocationSpec", "PhaseSpec", "PlanSpec", "TargetSpec", "TaskSpec", "parse_plan"]

_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# Words the campaign pages use after /campaigns/ (the drill-down): a plan so named could not be opened.
RESERVED_SLUGS = frozenset({"units"})
_PLAN_KEYS = (
    "slug", "reference", "title", "issuing_body", "issued_on", "scope", "status", "reporting", "phases",
    "targets", "tasks",
)  # fmt: skip
_REPORTING_KEYS = ("unit_weekday", "unit_time", "province_weekday")
_PHASE_KEYS = ("number", "name", "starts_on", "ends_on")
_TARGET_KEYS = ("phase", "metric", "segment", "unit", "value", "percent", "baseline", "due_on", "allocations")
_ALLOCATION_KEYS = ("unit", "value", "baseline")
_TASK_KEYS = ("number", "title", "lead", "coordinating", "deadline", "timing", "status")
_WEEKDAYS: dict[str, int] = {
    **{w.name.lower(): int(w.value) for w in Weekday},
    # As Vietnamese write them ("thứ năm", "thu 5"), folded: accents and case do not matter.
    **{f"thu_{n}": n - 2 for n in range(2, 8)},
    **dict(zip(("thu_hai", "thu_ba", "thu_tu", "thu_nam", "thu_sau", "thu_bay"), range(6), strict=True)),
    "chu_nhat": 6,
}
_SEGMENTS: dict[str, str] = {**{str(s.value): str(s.value) for s in Segment if s.value}, "all": ""}


def parse_plan(text: str, *, may_read_baseline: BaselineRule | None = None) -> PlanSpec:
    """``may_read_baseline(unit)``: whether the one loading may read the registries' baselines of
    ``unit`` (``baseline: registry``); ``None`` lets the machine's operator read them all."""
    reader = Reader()
    spec = _Parser(reader, may_read_baseline).plan(text)
    if reader.errors or spec is None:
        raise PlanFileErrors(reader.errors)
    return spec


class _Parser:
    def __init__(self, reader: Reader, may_read_baseline: BaselineRule | None) -> None:
        self.r = reader
        self.may_read_baseline = may_read_baseline
        self.issued_on: date | None = None

    def plan(self, text: str) -> PlanSpec | None:
        root = self.r.compose(text)
        if root is None:
            return None
        top = self.r.mapping(
            root,
            what="plan",
            allowed=_PLAN_KEYS,
            required=("slug", "reference", "title", "issuing_body", "issued_on", "scope", "phases"),
        )
        if top is None:
            return None
        slug = self._slug(top["slug"]) if "slug" in top else None
        reference = self.r.text(top["reference"], "reference", limit=60) if "reference" in top else None
        title = self.r.text(top["title"], "title", limit=500) if "title" in top else None
        body = self.r.text(top["issuing_body"], "issuing_body", limit=200) if "issuing_body" in top else None
        self.issued_on = self.r.day(top["issued_on"], "issued_on") if "issued_on" in top else None
        scope = self.unit(top["scope"], "scope", parent=None) if "scope" in top else None
        status = str(PlanStatus.DRAFT)
        if "status" in top:
            status = self.r.choice(top["status"], "status", {str(s): str(s) for s in PlanStatus}) or status
        reporting = self._reporting(top["reporting"]) if "reporting" in top else (None, None, None)
        phases = self._phases(top["phases"]) if "phases" in top else []
        targets = self._targets(top["targets"], phases, scope) if "targets" in top else []
        tasks = self._tasks(top["tasks"]) if "tasks" in top else []
        issued_on = self.issued_on
        if slug is None or reference is None or title is None or body is None or issued_on is None:
            return None
        if scope is None or self.r.errors:
            return None
        return PlanSpec(
            slug=slug,
            reference=reference,
            title=title,
            issuing_body=body,
            issued_on=issued_on,
            scope=scope,
            status=status,
            unit_report_weekday=reporting[0],
            unit_report_time=reporting[1],
            province_report_weekday=reporting[2],
            phases=phases,
            targets=targets,
            tasks=tasks,
        )

    # --- header ------------------------------------------------------------------------------------

    def _slug(self, node: yaml.Node) -> str | None:
        raw = self.r.scalar(node, "slug")
        if raw is None:
            return None
        if not _SLUG.match(raw) or len(raw) > 80:
            self.r.fail(node, PlanError.BAD_SLUG, value=raw[:80])
            return None
        if raw in RESERVED_SLUGS:
            self.r.fail(node, PlanError.RESERVED_SLUG, value=raw)
            return None
        return raw

    def _reporting(self, node: yaml.Node) -> tuple[int | None, time | None, int | None]:
        found = self.r.mapping(node, what="reporting", allowed=_REPORTING_KEYS)
        if found is None:
            return None, None, None
        unit_day = (
            self.r.choice(found["unit_weekday"], "unit_weekday", _WEEKDAYS) if "unit_weekday" in found else None
        )
        unit_time = self.r.clock(found["unit_time"], "unit_time") if "unit_time" in found else None
        province = found.get("province_weekday")
        province_day = self.r.choice(province, "province_weekday", _WEEKDAYS) if province is not None else None
        return unit_day, unit_time, province_day

    def unit(self, node: yaml.Node, key: str, *, parent: AdministrativeUnit | None) -> AdministrativeUnit | None:
        return resolve_unit(self.r, node, key, parent=parent, day=self.issued_on)

    def baseline(
        self, node: yaml.Node, *, unit: AdministrativeUnit | None, segment: str | None, due: date | None
    ) -> int | None:
        """A number, or ``registry``: the registries' baseline (other refusals already name the line
        when the unit, segment or due date is unknown)."""
        if isinstance(node, yaml.ScalarNode) and str(node.value).strip().lower() == REGISTRY:
            if unit is None or segment is None or due is None:
                return None
            if self.may_read_baseline is not None and not self.may_read_baseline(unit):
                self.r.fail(node, PlanError.BASELINE_FORBIDDEN, code=unit.code, name=unit.name)
                return None
            return registry_baseline(self.r, node, unit=unit, segment=segment, due=due)
        return self.r.integer(node, "baseline")

    # --- phases ------------------------------------------------------------------------------------

    def _phases(self, node: yaml.Node) -> list[PhaseSpec]:
        phases: list[PhaseSpec] = []
        items = self.r.sequence(node, what="phases")
        if not items and not self.r.errors:
            self.r.fail(node, PlanError.NO_PHASES)
        for item in items:
            found = self.r.mapping(item, what="phase", allowed=_PHASE_KEYS, required=_PHASE_KEYS)
            if found is None or len(found) < len(_PHASE_KEYS):
                continue
            number = self.r.integer(found["number"], "number")
            name = self.r.text(found["name"], "name", limit=200)
            starts, ends = self.r.day(found["starts_on"], "starts_on"), self.r.day(found["ends_on"], "ends_on")
            if number is None or name is None or starts is None or ends is None:
                continue
            line = item.start_mark.line + 1
            if ends < starts:
                self.r.fail(found["ends_on"], PlanError.PHASE_BACKWARDS, number=number, starts=starts, ends=ends)
                continue
            twin = next((p for p in phases if p.number == number), None)
            if twin is not None:
                self.r.fail(found["number"], PlanError.PHASE_DUPLICATE, number=number, first=twin.line)
                continue
            for other in phases:
                if starts <= other.ends_on and other.starts_on <= ends:
                    self.r.fail(
                        found["starts_on"],
                        PlanError.PHASE_OVERLAP,
                        number=number,
                        starts=starts,
                        ends=ends,
                        other=other.number,
                        other_starts=other.starts_on,
                        other_ends=other.ends_on,
                    )
            phases.append(PhaseSpec(number=number, name=name, starts_on=starts, ends_on=ends, line=line))
        return phases

    # --- targets -----------------------------------------------------------------------------------

    def _targets(
        self, node: yaml.Node, phases: list[PhaseSpec], scope: AdministrativeUnit | None
    ) -> list[TargetSpec]:
        targets: list[TargetSpec] = []
        seen: dict[tuple[int, str, str, int], int] = {}
        by_number = {p.number: p for p in phases}
        for item in self.r.sequence(node, what="targets"):
            target = self._target(item, by_number, scope)
            if target is None:
                continue
            keys = [(target.unit, target.line)] + [(a.unit, a.line) for a in target.allocations]
            for unit, line in keys:
                first = seen.setdefault((target.phase, target.metric, target.segment, unit.pk), line)
                if first != line:
                    self.r.errors.append(
                        LineError(
                            PlanError.DUPLICATE_TARGET,
                            line=line,
                            metric=target.metric,
                            segment=target.segment or "*",
                            unit=unit.code,
                            phase=target.phase,
                            first=first,
                        )
                    )
            targets.append(target)
        return targets

    def _target(
        self, item: yaml.Node, phases: dict[int, PhaseSpec], scope: AdministrativeUnit | None
    ) -> TargetSpec | None:
        found = self.r.mapping(item, what="target", allowed=_TARGET_KEYS, required=("phase", "metric"))
        if found is None:
            return None
        errors_before = len(self.r.errors)
        number = self.r.integer(found["phase"], "phase") if "phase" in found else None
        phase = phases.get(number) if number is not None else None
        if number is not None and phase is None and phases:
            self.r.fail(found["phase"], PlanError.UNKNOWN_PHASE, number=number)
        metric = (
            self.r.choice(found["metric"], "metric", {str(m): str(m) for m in Metric})
            if "metric" in found
            else None
        )
        segment = self.r.choice(found["segment"], "segment", _SEGMENTS) if "segment" in found else ""
        unit = self.unit(found["unit"], "unit", parent=scope) if "unit" in found else scope
        due_on = self.r.day(found["due_on"], "due_on") if "due_on" in found else None
        due = due_on or (phase.ends_on if phase is not None else None)
        baseline = (
            self.baseline(found["baseline"], unit=unit, segment=segment, due=due) if "baseline" in found else None
        )
        kind, value = self._value(item, found, baseline)
        if phase is not None and due_on is not None and not phase.starts_on <= due_on <= phase.ends_on:
            self.r.fail(
                found["due_on"],
                PlanError.DUE_OUTSIDE_PHASE,
                due=due_on,
                number=phase.number,
                starts=phase.starts_on,
                ends=phase.ends_on,
            )
        if len(self.r.errors) > errors_before or phase is None or metric is None or segment is None:
            return None
        if unit is None or kind is None or value is None:
            return None
        target = TargetSpec(
            phase=phase.number,
            metric=metric,
            segment=segment,
            unit=unit,
            kind=kind,
            value=value,
            baseline=baseline,
            due_on=due_on,
            line=item.start_mark.line + 1,
        )
        if "allocations" in found:
            target.allocations = self._allocations(found["allocations"], target, due=due)
        return target

    def _value(
        self, item: yaml.Node, found: dict[str, yaml.Node], baseline: int | None
    ) -> tuple[str | None, int | None]:
        if ("value" in found) == ("percent" in found):
            self.r.fail(item, PlanError.VALUE_OR_PERCENT)
            return None, None
        if "percent" in found:
            percent = self.r.integer(found["percent"], "percent")
            if percent is not None and percent > 100:
                self.r.fail(found["percent"], PlanError.PERCENT_OVER, value=percent)
                return None, None
            return str(TargetKind.PERCENT), percent
        value = self.r.integer(found["value"], "value")
        if value is not None and baseline is not None and value > baseline:
            self.r.fail(found["value"], PlanError.ABOVE_BASELINE, value=value, baseline=baseline)
            return None, None
        return str(TargetKind.ABSOLUTE), value

    def _allocations(self, node: yaml.Node, target: TargetSpec, *, due: date | None) -> list[AllocationSpec]:
        if target.kind != TargetKind.ABSOLUTE:
            self.r.fail(node, PlanError.ALLOCATION_NOT_ABSOLUTE)
            return []
        errors_before = len(self.r.errors)
        shares: list[tuple[AdministrativeUnit, int | None, int | None, int]] = []
        for item in self.r.sequence(node, what="allocations"):
            found = self.r.mapping(item, what="allocation", allowed=_ALLOCATION_KEYS, required=("unit",))
            if found is None or "unit" not in found:
                continue
            unit = self.unit(found["unit"], "unit", parent=target.unit)
            value = self.r.integer(found["value"], "value") if "value" in found else None
            baseline = (
                self.baseline(found["baseline"], unit=unit, segment=target.segment, due=due)
                if "baseline" in found
                else None
            )
            if value is None and baseline is None and "value" not in found and "baseline" not in found:
                self.r.fail(item, PlanError.ALLOCATION_NEEDS)
                continue
            if value is not None and baseline is not None and value > baseline:
                self.r.fail(found["value"], PlanError.ABOVE_BASELINE, value=value, baseline=baseline)
                continue
            if unit is not None:
                shares.append((unit, value, baseline, item.start_mark.line + 1))
        if not shares or len(self.r.errors) > errors_before:
            return []
        fixed = {u.path: v for u, v, _b, _l in shares if v is not None}
        weights = {u.path: b or 0 for u, v, b, _l in shares if v is None}
        if not weights and sum(fixed.values()) != target.value:
            self.r.fail(node, PlanError.ALLOCATION_SUM, total=sum(fixed.values()), value=target.value)
            return []
        try:
            values = allocation.split(target.value, weights, fixed=fixed)
        except DomainError as exc:
            self.r.fail(node, PlanError.ALLOCATION_SUM, total=exc.params.get("fixed", "?"), value=target.value)
            return []
        result = []
        for unit, value, baseline, line in shares:
            share = values[unit.path]
            if baseline is not None and share > baseline:  # more spread than its baseline holds
                self.r.errors.append(
                    LineError(PlanError.ABOVE_BASELINE, line=line, value=share, baseline=baseline)
                )
            result.append(
                AllocationSpec(unit=unit, value=share, baseline=baseline, edited=value is not None, line=line)
            )
        return result

    # --- tasks -------------------------------------------------------------------------------------

    def _tasks(self, node: yaml.Node) -> list[TaskSpec]:
        tasks: list[TaskSpec] = []
        numbers: dict[str, int] = {}
        for item in self.r.sequence(node, what="tasks"):
            found = self.r.mapping(
                item, what="task", allowed=_TASK_KEYS, required=("number", "title", "lead", "deadline")
            )
            if found is None or not {"number", "title", "lead", "deadline"} <= found.keys():
                continue
            number = self.r.text(found["number"], "number", limit=20)
            title = self.r.text(found["title"], "title", limit=4000)
            lead = self.r.text(found["lead"], "lead", limit=300)
            helpers = [
                self.r.text(n, "coordinating", limit=300)
                for n in (
                    self.r.sequence(found["coordinating"], what="coordinating") if "coordinating" in found else []
                )
            ]
            deadline, regular = self._deadline(found["deadline"])
            timing = self.r.text(found["timing"], "timing", limit=300, optional=True) if "timing" in found else ""
            status = str(TaskStatus.PENDING)
            if "status" in found:
                status = self.r.choice(found["status"], "status", {str(s): str(s) for s in TaskStatus}) or status
            line = item.start_mark.line + 1
            if number is not None:
                first = numbers.setdefault(number, line)
                if first != line:
                    self.r.fail(found["number"], PlanError.DUPLICATE_TASK, number=number, first=first)
                    continue
            if number is None or title is None or lead is None or timing is None or regular is None:
                continue
            if None in helpers:
                continue
            tasks.append(
                TaskSpec(
                    number=number,
                    title=title,
                    lead_unit=lead,
                    coordinating_units=[h for h in helpers if h],
                    deadline=deadline,
                    regular=regular,
                    timing=timing,
                    status=status,
                    line=line,
                )
            )
        return tasks

    def _deadline(self, node: yaml.Node) -> tuple[date | None, bool | None]:
        raw = self.r.scalar(node, "deadline")
        if raw is None:
            return None, None
        if raw.strip().lower() in ("regular", "thường xuyên", "thuong xuyen"):
            return None, True
        errors_before = len(self.r.errors)
        day = self.r.day(node, "deadline")
        if day is None:
            del self.r.errors[errors_before:]
            self.r.fail(node, PlanError.TASK_DEADLINE, value=raw[:30])
            return None, None
        return day, False

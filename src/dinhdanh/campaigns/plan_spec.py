"""What a plan file says once checked (``plan_format.parse_plan``): ready to write, each part with the
line it came from so that a later refusal (``plan_services``) can still name it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time

from dinhdanh.geo.models import AdministrativeUnit

__all__ = ["AllocationSpec", "PhaseSpec", "PlanSpec", "TargetSpec", "TaskSpec"]


@dataclass
class PhaseSpec:
    number: int
    name: str
    starts_on: date
    ends_on: date
    line: int


@dataclass
class AllocationSpec:
    unit: AdministrativeUnit
    value: int
    baseline: int | None
    edited: bool  # the file gave the value; otherwise it was spread by baseline
    line: int


@dataclass
class TargetSpec:
    phase: int
    metric: str
    segment: str
    unit: AdministrativeUnit
    kind: str
    value: int
    baseline: int | None
    due_on: date | None
    line: int
    allocations: list[AllocationSpec] = field(default_factory=list)


@dataclass
class TaskSpec:
    number: str
    title: str
    lead_unit: str
    coordinating_units: list[str]
    deadline: date | None
    regular: bool
    timing: str
    status: str
    line: int


@dataclass
class PlanSpec:
    slug: str
    reference: str
    title: str
    issuing_body: str
    issued_on: date
    scope: AdministrativeUnit
    status: str
    unit_report_weekday: int | None
    unit_report_time: time | None
    province_report_weekday: int | None
    phases: list[PhaseSpec]
    targets: list[TargetSpec]
    tasks: list[TaskSpec]

"""`dinhdanh plan load FILE [--replace]` and `dinhdanh plan show SLUG` (issue 14.1, SPEC §8).

A file with errors prints every one, "dòng N: … / line N: …", on standard error and exits non-zero;
nothing is written. The machine's operator acts here (``actor=None``), as for the other commands.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dinhdanh.campaigns.errors import PlanError, PlanFileErrors
from dinhdanh.campaigns.models.plans import Plan, Segment, TargetKind
from dinhdanh.campaigns.plan_reader import MAX_BYTES
from dinhdanh.campaigns.plan_services import plan_load
from dinhdanh.core.errors import DomainError


class Command(BaseCommand):
    help = "Nạp và xem kế hoạch triển khai. / Load and show campaign plans."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser("load", help="nạp tệp kế hoạch YAML / load a YAML plan file")
        load.add_argument("file", help="tệp .yaml, hoặc - để đọc từ stdin / a .yaml file, or - for stdin")
        load.add_argument("--replace", action="store_true", help="thay kế hoạch cùng slug / replace the same slug")
        show = sub.add_parser("show", help="xem một kế hoạch / show a plan")
        show.add_argument("slug")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "load":
            self._load(options["file"], replace=options["replace"])
        else:
            self._show(options["slug"])

    def _load(self, name: str, *, replace: bool) -> None:
        try:
            raw = sys.stdin.buffer.read(MAX_BYTES + 1) if name == "-" else _read(Path(name))
            text = raw.decode("utf-8-sig")
        except OSError as exc:
            raise CommandError(f"Không đọc được tệp / cannot read the file: {exc.strerror or exc}") from None
        except UnicodeDecodeError:
            raise CommandError("Tệp không phải UTF-8 / the file is not UTF-8") from None
        try:
            plan = plan_load(actor=None, text=text, replace=replace)
        except PlanFileErrors as exc:
            for error in exc.errors:
                self.stderr.write(error.bilingual())
            raise CommandError(exc.bilingual() if len(exc.errors) == 1 else _summary(exc)) from None
        except DomainError as exc:
            raise CommandError(exc.bilingual()) from None
        self.stdout.write(
            f"OK: {plan.slug} ({plan.reference}): {plan.phases.count()} giai đoạn / phases, "
            f"{plan.targets.count()} chỉ tiêu / targets, {plan.tasks.count()} nhiệm vụ / tasks"
        )

    def _show(self, slug: str) -> None:
        plan = Plan.objects.select_related("scope_unit").filter(slug=slug).first()
        if plan is None:
            raise CommandError(DomainError(PlanError.PLAN_NOT_FOUND, slug=slug[:80]).bilingual())
        out = self.stdout
        out.write(f"{plan.reference} — {plan.title}")
        out.write(
            f"{plan.issuing_body}, {plan.issued_on:%d/%m/%Y}; {plan.scope_unit.name} ({plan.scope_unit.path})"
        )
        out.write(f"status: {plan.status}")
        if plan.unit_report_weekday is not None:
            at = f" {plan.unit_report_time:%H:%M}" if plan.unit_report_time else ""
            province = plan.province_report_weekday
            out.write(f"reports: units weekday {plan.unit_report_weekday}{at}; province weekday {province}")
        targets = plan.targets.select_related("unit", "phase").order_by("phase__number", "metric", "segment", "pk")
        for phase in plan.phases.all():
            out.write(f"\n{phase.number}. {phase.name} ({phase.starts_on:%d/%m/%Y} – {phase.ends_on:%d/%m/%Y})")
            for t in targets:
                if t.phase_id != phase.pk:
                    continue
                amount = f"{t.value}%" if t.kind == TargetKind.PERCENT else str(t.value)
                of = f"/{t.baseline}" if t.baseline is not None else ""
                due = f" by {t.due_on:%d/%m/%Y}" if t.due_on else ""
                indent = "    " if t.parent_id else "  "
                segment = Segment(t.segment).value or "*"
                out.write(f"{indent}{t.metric} {segment} @ {t.unit.code} {t.unit.name}: {amount}{of}{due}")
        tasks = list(plan.tasks.order_by("pk"))
        if tasks:
            out.write("\ntasks:")
        for task in tasks:
            when = "regular" if task.regular else f"{task.deadline:%d/%m/%Y}"
            out.write(f"  {task.number}. [{task.status}] {task.title[:80]} — {task.lead_unit} ({when})")


def _read(path: Path) -> bytes:
    with path.open("rb") as handle:
        return handle.read(MAX_BYTES + 1)


def _summary(exc: PlanFileErrors) -> str:
    return f"{exc.message('vi')} / {exc.message('en')}"

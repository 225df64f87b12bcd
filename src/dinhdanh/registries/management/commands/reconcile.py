"""dinhdanh reconcile [--unit CODE] [--category C] [--outreach-xlsx FILE] [--baseline YYYY-MM-DD]

Prints a JSON summary per province (per commune with --unit) and category: the outreach count, the
data-cleansing counts by kind and the count differences between sources and accounts. Optionally
writes the outreach list as XLSX and takes baselines (the unit and its communes, or every province and
commune). Runs as the operator of the machine: no jurisdiction applies.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from dinhdanh.core.errors import DomainError
from dinhdanh.geo.models import AdministrativeUnit, Level, Scheme
from dinhdanh.registries.reconcile.baselines import baseline_take
from dinhdanh.registries.reconcile.errors import ReconcileError
from dinhdanh.registries.reconcile.outreach import outreach_xlsx
from dinhdanh.registries.reconcile.scope import Scope, parse_category, parse_day, parse_unit
from dinhdanh.registries.reconcile.summary import summary


def _writable(path: Path) -> Path:
    parent = path.expanduser().resolve().parent
    if path.is_dir() or not parent.is_dir() or not os.access(parent, os.W_OK):
        raise DomainError(ReconcileError.BAD_OUTPUT, field="outreach_xlsx", path=str(path)[:200])
    return path


def _baseline_units(unit: AdministrativeUnit | None) -> list[AdministrativeUnit]:
    current = AdministrativeUnit.objects.filter(scheme=Scheme.CURRENT)
    if unit is None:
        return list(current.filter(level__in=[Level.PROVINCE, Level.COMMUNE]).order_by("path"))
    if unit.level == Level.PROVINCE:
        return [unit, *current.filter(level=Level.COMMUNE, parent=unit).order_by("path")]
    return [unit]


class Command(BaseCommand):
    help = (
        "Đối soát danh sách tham chiếu với tài khoản định danh / reconcile the reference lists with the "
        "issued accounts; prints a JSON summary."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--unit", default="", help="mã tỉnh (2 chữ số) hoặc mã xã (5 chữ số) / unit code")
        parser.add_argument("--category", default="", help="enterprise, cooperative, tax_agency, other")
        parser.add_argument("--outreach-xlsx", type=Path, default=None, help="ghi danh sách vận động / write XLSX")
        parser.add_argument("--baseline", default="", help="chốt số liệu nền ngày YYYY-MM-DD / take baselines")

    def handle(self, *args: Any, **options: Any) -> None:
        unit = parse_unit(options["unit"])
        category = parse_category(options["category"])
        as_of = parse_day(options["baseline"])
        target = _writable(options["outreach_xlsx"]) if options["outreach_xlsx"] else None
        scope = Scope.everywhere(unit)
        result: dict[str, Any] = summary(scope, category)
        if target is not None:
            with target.open("wb") as fh:
                rows = outreach_xlsx(actor=None, scope=scope, category=category, dest=fh)
            result["outreach_xlsx"] = {"file": str(target), "rows": rows}
        if as_of is not None:
            units = _baseline_units(unit)
            taken = sum(len(baseline_take(actor=None, unit=u, as_of=as_of)) for u in units)
            result["baselines"] = {"as_of": as_of.isoformat(), "units": len(units), "rows": taken}
        self.stdout.write(json.dumps(result, ensure_ascii=False))

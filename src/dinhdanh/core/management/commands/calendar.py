"""`dinhdanh calendar list|set|remove`: the working-day calendar's exceptions (issue 11.8) — extra days
off and make-up working days that the law announces each year, which deadlines count with. The rules
are the services' (``core.services``), the same as on the administrators' page."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from dinhdanh.core import selectors
from dinhdanh.core.errors import CoreError, DomainError
from dinhdanh.core.services import day_override_remove, day_override_set


def _day(text: str) -> date:
    try:
        return datetime.strptime(text.strip(), "%Y-%m-%d").date()  # noqa: DTZ007  (a calendar date)
    except ValueError as exc:
        raise DomainError(CoreError.INVALID_INPUT, field="date") from exc


class Command(BaseCommand):
    help = "Ngày nghỉ thêm và ngày làm bù. / Extra days off and make-up working days."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        listing = sub.add_parser("list")
        listing.add_argument("--year", type=int, default=0)
        setting = sub.add_parser("set")
        setting.add_argument("--date", required=True, help="YYYY-MM-DD")
        kind = setting.add_mutually_exclusive_group(required=True)
        kind.add_argument("--day-off", action="store_true", help="ngày nghỉ / a day off")
        kind.add_argument("--working", action="store_true", help="ngày làm bù / a working day")
        setting.add_argument("--reason", required=True)
        removing = sub.add_parser("remove")
        removing.add_argument("--date", required=True, help="YYYY-MM-DD")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "list":
            year = options["year"] or timezone.localdate().year
            if not 1900 < year < 3000:
                raise DomainError(CoreError.INVALID_INPUT, field="year")
            for row in selectors.day_overrides(year):
                kind = "làm bù / working" if row.is_working_day else "nghỉ / day off"
                self.stdout.write(f"{row.date:%Y-%m-%d}\t{kind}\t{row.reason}")
        elif action == "set":
            override = day_override_set(
                actor=None, day=_day(options["date"]), is_working_day=options["working"], reason=options["reason"]
            )
            self.stdout.write(f"OK: {override.date:%Y-%m-%d}")
        elif day_override_remove(actor=None, day=_day(options["date"])):
            self.stdout.write("OK")
        else:
            self.stdout.write("Không có ngày này trong lịch / No such override")

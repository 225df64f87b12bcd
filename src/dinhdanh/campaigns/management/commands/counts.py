"""`dinhdanh counts check|rebuild`: the campaigns' daily counts against the domain events (issue 14.4).

``check`` recomputes every count from the events alone and names the differences (exit 1 if any);
``rebuild`` replaces the counts by what the events give, in one transaction — after a restore, or to
prove on a copy that the counts kept in each event's transaction are right."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dinhdanh.campaigns.counting import recount


class Command(BaseCommand):
    help = "Đối chiếu số đếm theo ngày với sự kiện. / Daily counts against the events."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("check")
        sub.add_parser("rebuild")

    def handle(self, *args: Any, **options: Any) -> None:
        result = recount(write=options["action"] == "rebuild")
        for key, stored, expected in result.differences:
            self.stdout.write(
                f"{key.day} {key.metric} {key.unit_code or '-'} {key.category or '-'}: "
                f"stored {stored}, events {expected}"
            )
        summary = f"{result.events} events, {result.rows} daily rows, {result.differing} differing"
        if result.rewritten:
            self.stdout.write(f"REBUILT: {summary}")
        elif result.differing and options["action"] == "check":
            raise CommandError(f"Số đếm không khớp / counts differ: {summary}")
        else:
            self.stdout.write(f"OK: {summary}")

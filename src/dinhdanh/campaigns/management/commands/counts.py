"""`dinhdanh counts check|rebuild|maintain`: the campaigns' counts against the domain events (issue 14.4).

``check`` recomputes every daily count from the events alone, and the map and running totals
(``campaigns.series``) from the daily counts and a fresh roll-up, and names the differences (exit 1
if any); ``rebuild`` replaces the daily counts by what the events give and computes the map and the
running totals again, in one transaction each — after a restore, or to prove on a copy that the
counts kept in each event's transaction are right. ``maintain`` is the nightly job: the map again if
the units changed, then the days closed since."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from dinhdanh.campaigns import series
from dinhdanh.campaigns.counting import recount


class Command(BaseCommand):
    help = "Đối chiếu số đếm theo ngày với sự kiện. / Daily counts against the events."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("check")
        sub.add_parser("rebuild")
        sub.add_parser("maintain")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "maintain":
            done = series.maintain()
            self.stdout.write(
                f"OK: map {'recomputed' if done['map'] else 'kept'}, {done['series']} series written"
            )
            return
        result = recount(write=action == "rebuild")
        for key, stored, expected in result.differences:
            self.stdout.write(
                f"{key.day} {key.metric} {key.unit_code or '-'} {key.category or '-'}: "
                f"stored {stored}, events {expected}"
            )
        summary = f"{result.events} events, {result.rows} daily rows, {result.differing} differing"
        if action == "rebuild":
            now = timezone.now()
            state = series.rebuild(on=timezone.localdate(now), through=series.closable(now))
            self.stdout.write(f"{'REBUILT' if result.rewritten else 'OK'}: {summary}")
            self.stdout.write(f"REBUILT: map of {state.on}, running totals through {state.closed_through}")
            return
        found = series.check()
        for level, unit_id, metric, category in found.series_differing:
            self.stdout.write(f"running total {level} {unit_id} {metric} {category or '-'}: differs")
        if found.homes_differing:
            self.stdout.write(f"map: {found.homes_differing} units differ from a fresh roll-up")
        if result.differing or found.differing or found.homes_differing:
            raise CommandError(
                f"Số đếm không khớp / counts differ: {summary}; running totals: {found.differing} differing"
            )
        self.stdout.write(f"OK: {summary}")
        if found.built:
            self.stdout.write("OK: map and running totals agree with the daily counts")

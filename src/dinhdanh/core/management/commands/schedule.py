"""`dinhdanh schedule list|run|set`: the recurring jobs the task worker runs (decision 0017)."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from dinhdanh.core import schedule
from dinhdanh.core.models import ScheduledJob


def _when(moment: Any) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M:%S") if moment else "-"


class Command(BaseCommand):
    help = "Lịch các việc định kỳ. / The schedule of recurring jobs."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        listing = sub.add_parser("list")
        listing.add_argument("--json", action="store_true")
        running = sub.add_parser("run", help="enqueue a job now")
        running.add_argument("name")
        setting = sub.add_parser("set")
        setting.add_argument("name")
        setting.add_argument("--every", type=int, default=None, help="seconds")
        state = setting.add_mutually_exclusive_group()
        state.add_argument("--enable", action="store_true")
        state.add_argument("--disable", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "run":
            self.stdout.write(f"OK: {schedule.run_now(options['name'])}")
            return
        if action == "set":
            enabled = True if options["enable"] else False if options["disable"] else None
            row = schedule.set_job(options["name"], every=options["every"], enabled=enabled)
            self.stdout.write(f"OK: {row.name} {row.every}s {'on' if row.enabled else 'off'}")
            return
        self._list(as_json=options["json"])

    def _list(self, *, as_json: bool) -> None:
        schedule.sync()
        jobs = schedule.registered()
        rows = list(ScheduledJob.objects.all())
        ids = [r.last_task_id for r in rows if r.last_task_id]
        outcomes = {
            str(pk): status for pk, status in DBTaskResult.objects.filter(id__in=ids).values_list("id", "status")
        }
        listed = [
            {
                "name": row.name,
                "every": row.every,
                "enabled": row.enabled,
                "next_run": _when(row.next_run_at),
                "last_run": _when(row.last_run_at),
                "last_outcome": str(outcomes.get(row.last_task_id, "")) if row.last_task_id else "",
                "summary": str(jobs[row.name].summary) if row.name in jobs else "(unknown: not in the code)",
            }
            for row in rows
        ]
        if as_json:
            self.stdout.write(json.dumps(listed, ensure_ascii=False))
            return
        for item in listed:
            state = "on " if item["enabled"] else "off"
            self.stdout.write(
                f"{item['name']:<24} {state} every {item['every']:>6}s  next {item['next_run']}  "
                f"last {item['last_run']} {item['last_outcome'] or '-'}  {item['summary']}"
            )

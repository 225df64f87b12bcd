"""Send the messages that are due: first attempts the task queue missed and retries after back-off.

Run from cron (``outbox_deliver`` every minute) or as a worker (``outbox_deliver --loop``); the loop
stops after ``--max-seconds`` so a supervisor restarts it with fresh code and connections.
"""

from __future__ import annotations

import json
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from dinhdanh.notifications.services import deliver_due

MAX_LOOP_SECONDS = 3600


class Command(BaseCommand):
    help = "Gửi các thông báo đến hạn trong hộp thư đi và in kết quả dạng JSON. / Send due outbox messages."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--limit", type=int, default=100, help="messages per pass (default 100)")
        parser.add_argument("--loop", action="store_true", help="keep sending until --max-seconds have passed")
        parser.add_argument(
            "--max-seconds",
            type=int,
            default=60,
            help=f"how long --loop runs (default 60, at most {MAX_LOOP_SECONDS})",
        )
        parser.add_argument("--interval", type=float, default=5.0, help="pause when nothing is due (seconds)")

    def handle(self, *args: Any, **options: Any) -> None:
        limit = max(1, int(options["limit"]))
        budget = min(max(0, int(options["max_seconds"])), MAX_LOOP_SECONDS)
        interval = min(max(0.0, float(options["interval"])), float(budget) or 0.0)
        started = time.monotonic()
        totals = {"passes": 0, "due": 0, "sent": 0, "failed": 0, "dead": 0, "skipped": 0}
        while True:
            counts = deliver_due(limit=limit)
            totals["passes"] += 1
            for name, n in counts.items():
                totals[name] += n
            if not options["loop"]:
                break
            left = budget - (time.monotonic() - started)
            if left <= 0:
                break
            # A full pass means more may be waiting: go again at once.
            if counts["due"] < limit:
                time.sleep(min(interval, left))
        self.stdout.write(json.dumps(totals, sort_keys=True))

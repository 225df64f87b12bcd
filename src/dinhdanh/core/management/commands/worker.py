"""`dinhdanh worker`: the task worker (decision 0017) — runs queued tasks, the recurring jobs that are
due, and re-queues the tasks of workers that died. Run one or more per deployment (systemd unit in
docs/configuration.md); `make run` and `dinhdanh demo` start one beside the web server."""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.compat import DEFAULT_TASK_BACKEND_ALIAS, task_backends

from dinhdanh.core.startup import refuse_unsafe_start
from dinhdanh.core.worker import TaskWorker, new_worker_id


class Command(BaseCommand):
    help = "Chạy các việc nền và việc định kỳ. / Run background tasks and recurring jobs."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--interval", type=float, default=1.0, help="seconds between polls when idle")
        parser.add_argument("--batch", action="store_true", help="run what is queued, then stop")
        parser.add_argument("--max-tasks", type=int, default=None)
        parser.add_argument("--max-seconds", type=float, default=None)
        parser.add_argument("--queue", default="*", help="queue names, comma-separated; * for all")

    def handle(self, *args: Any, **options: Any) -> None:
        if not isinstance(task_backends[DEFAULT_TASK_BACKEND_ALIAS], DatabaseBackend):
            raise CommandError(
                "DINHDANH_TASK_BACKEND không phải 'database': không có gì để chạy. "
                "/ DINHDANH_TASK_BACKEND is not 'database': there is nothing to run."
            )
        for name in ("interval", "max_seconds"):
            if options[name] is not None and not 0 <= options[name] < 10**6:
                raise CommandError(f"--{name.replace('_', '-')}: 0 … 1000000")
        if options["max_tasks"] is not None and options["max_tasks"] < 1:
            raise CommandError("--max-tasks: ≥ 1")
        try:
            refuse_unsafe_start()
        except ImproperlyConfigured as exc:
            raise CommandError(str(exc)) from exc
        logging.getLogger("dinhdanh.core.worker").setLevel(
            logging.INFO if options["verbosity"] else logging.WARNING
        )
        worker = TaskWorker(
            queue_names=options["queue"].split(","),
            interval=options["interval"],
            batch=options["batch"],
            backend_name=DEFAULT_TASK_BACKEND_ALIAS,
            startup_delay=False,
            max_tasks=options["max_tasks"],
            worker_id=new_worker_id(),
            excluded_queue_names=[],
            max_seconds=options["max_seconds"],
        )
        worker.configure_signals()
        worker.run()

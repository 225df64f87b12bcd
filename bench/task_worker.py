"""The task worker's overhead per task (decision 0017): enqueue, claim, run, record.

    .venv/bin/python bench/task_worker.py [tasks]                     # embedded SQLite, a fresh data dir
    DATABASE_URL=postgres://dinhdanh:dinhdanh@127.0.0.1:5432/dinhdanh_bench .venv/bin/python bench/task_worker.py

Enqueues N no-op tasks (each an INSERT), then runs `core.worker.TaskWorker` in this process until the
queue is empty (each task: a locked claim, the call, the result written). Prints tasks/s for both and
the worker's share of one core. Bounded: at most 5,000 tasks and 60 s per phase. The database tables
are the real ones (`migrate` into a temporary data dir, or the given PostgreSQL database).
"""

from __future__ import annotations

import logging
import os
import sys
import tempfile
import time

N = min(int(sys.argv[1]) if len(sys.argv) > 1 else 1000, 5000)
DEADLINE_S = 60.0


def noop(n: int) -> int:
    """The bench's task; made a Django task (module level, as the backend requires) once Django is set up."""
    return n


def main() -> None:
    data = tempfile.mkdtemp(prefix="dinhdanh-bench-tasks-")
    os.environ["DINHDANH_DATA_DIR"] = data
    os.environ["DINHDANH_TASK_BACKEND"] = "database"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dinhdanh.settings.dev")
    import django

    if "bench" not in os.environ.get("DATABASE_URL", "bench"):
        sys.exit("DATABASE_URL must name a bench database (it empties the task queue)")
    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.tasks import task
    from django_tasks_db.models import DBTaskResult

    from dinhdanh.core import schedule
    from dinhdanh.core.models import ScheduledJob
    from dinhdanh.core.worker import TaskWorker, new_worker_id

    call_command("migrate", verbosity=0)
    logging.getLogger("django.tasks").setLevel(logging.WARNING)
    logging.getLogger("dinhdanh.core.worker").setLevel(logging.WARNING)
    DBTaskResult.objects.all().delete()
    schedule.sync()
    ScheduledJob.objects.update(enabled=False)  # only the bench's tasks

    bench_task = task(noop)
    globals()["noop"] = bench_task  # the worker finds the task by its path, __main__.noop

    began = time.perf_counter()
    done = 0
    while done < N and time.perf_counter() - began < DEADLINE_S:
        bench_task.enqueue(done)
        done += 1
    enqueue_s = time.perf_counter() - began
    worker = TaskWorker(
        queue_names=["*"], interval=0, batch=True, backend_name="default", startup_delay=False,
        max_tasks=None, worker_id=new_worker_id(), excluded_queue_names=[], max_seconds=DEADLINE_S,
    )  # fmt: skip
    cpu0, began = time.process_time(), time.perf_counter()
    worker.run()
    run_s, cpu_s = time.perf_counter() - began, time.process_time() - cpu0
    finished = DBTaskResult.objects.filter(status="SUCCESSFUL").count()
    print(f"database: {connection.vendor}; tasks: {done} enqueued, {finished} run")
    print(f"enqueue: {done / enqueue_s:,.0f} tasks/s")
    print(f"worker:  {finished / run_s:,.0f} tasks/s ({run_s:.2f} s wall, {cpu_s / run_s:.0%} of one core)")


if __name__ == "__main__":
    main()

"""Decision 0017 (issue 11.5): the task worker runs queued tasks and the recurring jobs that are due,
and puts back in the queue the tasks of a worker that stopped beating, a bounded number of times."""

from __future__ import annotations

import io
import json
from datetime import timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from dinhdanh.core import schedule
from dinhdanh.core import worker as core_worker
from dinhdanh.core.audit_actions import KernelAction
from dinhdanh.core.errors import DomainError
from dinhdanh.core.models import AuditEvent, ScheduledJob, WorkerBeat
from dinhdanh.core.worker import TaskWorker, beat, new_worker_id, requeue_orphans
from tests.core.worker_tasks import add

pytestmark = pytest.mark.django_db

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def database_tasks(settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    # In-process, inside the test's transaction: the worker must not close that connection (it would
    # on PostgreSQL), and its beat thread, with a connection of its own, must not write outside it.
    monkeypatch.setattr(core_worker, "close_old_connections", lambda: None)
    monkeypatch.setattr(core_worker, "BEAT_SECONDS", 3600.0)
    settings.TASKS = DATABASE_TASKS
    settings.TASK_WORKER_STALE_SECONDS = 60
    settings.TASK_MAX_ATTEMPTS = 3


def worker(**options: Any) -> TaskWorker:
    values: dict[str, Any] = {
        "queue_names": ["*"], "interval": 0, "batch": True, "backend_name": "default", "startup_delay": False,
        "max_tasks": None, "worker_id": new_worker_id(), "excluded_queue_names": [], "max_seconds": 30,
    }  # fmt: skip
    values.update(options)
    return TaskWorker(**values)


def test_the_worker_runs_queued_tasks_and_the_jobs_that_are_due(database_tasks: None) -> None:
    queued = add.enqueue(2, 3)
    assert DBTaskResult.objects.get(pk=queued.id).status == TaskResultStatus.READY
    worker().run()
    assert DBTaskResult.objects.get(pk=queued.id).return_value == 5
    jobs = ScheduledJob.objects.all()
    assert {j.name for j in jobs} == set(schedule.registered())  # every recurring job has its row
    for job in jobs:
        assert job.last_task_id, job.name
        assert DBTaskResult.objects.get(pk=job.last_task_id).status == TaskResultStatus.SUCCESSFUL, job.name
    assert not WorkerBeat.objects.exists()  # a clean stop is not a death


def test_a_due_job_is_enqueued_once_and_moves_one_interval_on(database_tasks: None) -> None:
    now = timezone.now()
    assert "outbox_deliver" in schedule.tick(now)
    row = ScheduledJob.objects.get(name="outbox_deliver")
    assert row.next_run_at == now + timedelta(seconds=row.every)
    assert "outbox_deliver" not in schedule.tick(now)  # a second worker at the same moment: nothing
    assert DBTaskResult.objects.filter(task_path__endswith="outbox_deliver").count() == 1
    schedule.set_job("outbox_deliver", enabled=False)
    assert schedule.tick(now + timedelta(days=1)) == [
        name for name in sorted(schedule.registered()) if name != "outbox_deliver"
    ]


def test_an_operator_changes_a_job_through_the_command_and_bad_input_changes_nothing(database_tasks: None) -> None:
    call_command("schedule", "set", "expire_memberships", "--every", "7200", stdout=io.StringIO())
    row = ScheduledJob.objects.get(name="expire_memberships")
    assert row.every == 7200
    (event,) = AuditEvent.objects.filter(action=KernelAction.SCHEDULE_CHANGED)
    assert (event.before, event.after) == ({"every": 3600, "enabled": True}, {"every": 7200, "enabled": True})
    for bad in ("0", "59", str(10**9)):
        with pytest.raises(DomainError) as refused:
            call_command("schedule", "set", "expire_memberships", "--every", bad, stdout=io.StringIO())
        assert refused.value.code == "tasks.bad_interval"
    with pytest.raises(DomainError) as unknown:
        schedule.set_job("'; DROP TABLE core_scheduledjob; --", every=600)
    assert unknown.value.code == "tasks.unknown_job"
    assert ScheduledJob.objects.get(name="expire_memberships").every == 7200
    out = io.StringIO()
    call_command("schedule", "list", "--json", stdout=out)
    listed = {item["name"]: item for item in json.loads(out.getvalue())}
    assert listed["expire_memberships"]["every"] == 7200
    assert listed["expire_memberships"]["summary"]


def test_run_now_enqueues_and_is_audited(database_tasks: None) -> None:
    task_id = schedule.run_now("prune_task_results")
    assert DBTaskResult.objects.get(pk=task_id).status == TaskResultStatus.READY
    assert AuditEvent.objects.filter(action=KernelAction.SCHEDULE_RUN).count() == 1


def running(worker_ids: list[str], *, minutes_ago: int = 10) -> DBTaskResult[Any, Any]:
    result = add.enqueue(1, 1)
    DBTaskResult.objects.filter(pk=result.id).update(
        status=TaskResultStatus.RUNNING,
        worker_ids=worker_ids,
        started_at=timezone.now() - timedelta(minutes=minutes_ago),
    )
    return DBTaskResult.objects.get(pk=result.id)


def test_a_task_whose_worker_died_is_queued_again_then_failed(database_tasks: None) -> None:
    once = running(["dead-1"])
    thrice = running(["dead-1", "dead-2", "dead-3"])
    assert requeue_orphans() == (1, 1)
    once.refresh_from_db()
    thrice.refresh_from_db()
    assert (once.status, once.started_at) == (TaskResultStatus.READY, None)
    assert thrice.status == TaskResultStatus.FAILED
    assert thrice.exception_class_path == "dinhdanh.core.worker.WorkerDiedError"
    actions = sorted(AuditEvent.objects.filter(object_type="tasks.task").values_list("action", flat=True))
    assert actions == [KernelAction.TASK_ABANDONED, KernelAction.TASK_REQUEUED]
    worker(max_tasks=1).run()  # and the requeued one runs
    once.refresh_from_db()
    assert (once.status, once.return_value, len(once.worker_ids)) == (TaskResultStatus.SUCCESSFUL, 2, 2)


def test_a_beating_worker_and_a_fresh_claim_are_left_alone(database_tasks: None) -> None:
    beat("alive-1", started_at=timezone.now())
    busy = running(["alive-1"], minutes_ago=30)
    fresh = running(["silent-but-just-started"], minutes_ago=0)
    assert requeue_orphans() == (0, 0)
    busy.refresh_from_db()
    fresh.refresh_from_db()
    assert (busy.status, fresh.status) == (TaskResultStatus.RUNNING, TaskResultStatus.RUNNING)


def test_the_worker_refuses_to_start_without_the_database_backend() -> None:
    with pytest.raises(CommandError, match="DINHDANH_TASK_BACKEND"):
        call_command("worker", "--batch")


@pytest.mark.parametrize("args", [["--max-tasks", "0"], ["--interval", "-1"], ["--max-seconds", "1e9"]])
def test_the_worker_refuses_bad_bounds(database_tasks: None, args: list[str]) -> None:
    with pytest.raises(CommandError):
        call_command("worker", "--batch", *args)

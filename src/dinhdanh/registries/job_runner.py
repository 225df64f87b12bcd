"""Where an uploaded file's import runs, and how to tell it is still alive (issue 10, point 5).

The one boundary between "a job was recorded" and "something imports it": ``start`` is called once the
job row is committed; ``alive`` tells whether the process that claimed a job still runs. A real task
worker (a later issue) replaces the ``process`` runner here and nowhere else.

Runners (``settings.REGISTRY_IMPORT_RUNNER``):

* ``process`` (default): a detached process per job, ``python -m dinhdanh run_import_job <id>``, in its
  own session, so that neither the web worker's timeout nor its restart stops an import; the web
  request returns at once. The process keeps a heartbeat file beside the upload (``Heartbeat``).
* ``inline``: the import runs in the caller, before it returns (tests; a spawned process would not see
  the test database).
* ``task``: ``registries.jobs.run_import_job.enqueue`` on the configured Django tasks backend.
"""

from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from types import TracebackType

from django.conf import settings

from dinhdanh.registries.uploads import upload_dir

__all__ = ["HEARTBEAT_SECONDS", "Heartbeat", "alive", "heartbeat_age", "heartbeat_path", "start", "worker_id"]

log = logging.getLogger(__name__)
HEARTBEAT_SECONDS = 10.0


def worker_id() -> str:
    """This process, as a job records its importer: ``host:pid``."""
    return f"{socket.gethostname()[:100]}:{os.getpid()}"


def start(job_id: int, language: str) -> None:
    """Have job ``job_id`` imported (called on commit of ``jobs.job_create``)."""
    runner = str(settings.REGISTRY_IMPORT_RUNNER)
    if runner == "inline":
        from dinhdanh.registries.services.jobs import job_run  # noqa: PLC0415  (jobs imports this module)

        job_run(job_id=job_id)
    elif runner == "task":
        from dinhdanh.registries.services.jobs import run_import_job  # noqa: PLC0415  (jobs imports this module)

        run_import_job.enqueue(job_id, language)
    else:
        _spawn(job_id)


def _spawn(job_id: int) -> None:
    command = [sys.executable, "-m", "dinhdanh", "run_import_job", str(int(job_id))]
    # Its own session: a signal to the web worker's process group (timeout, reload) does not reach it.
    # No pipes: nobody reads them, and a full pipe would stop the import. Output goes where ours goes.
    subprocess.Popen(  # noqa: S603  (our own interpreter and command, a number as the only argument)
        command,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
        close_fds=True,
    )
    log.info("registry import job %s started in its own process", job_id)


def heartbeat_path(job_id: int) -> Path:
    return upload_dir() / f"{int(job_id)}.alive"


def heartbeat_age(job_id: int) -> float | None:
    """Seconds since the job's process last said it was alive; None if it never did."""
    try:
        return max(0.0, time.time() - heartbeat_path(job_id).stat().st_mtime)
    except OSError:
        return None


def alive(worker: str) -> bool | None:
    """Whether the process ``host:pid`` runs: None when it is on another machine (only the heartbeat
    can tell then)."""
    host, _sep, pid_text = worker.rpartition(":")
    if not host or not pid_text.isdigit() or host != socket.gethostname()[:100]:
        return None
    pid = int(pid_text)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # an exited child its parent has not reaped yet still answers the signal
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return True
    return not (state and state[0] in ("Z", "X"))


class Heartbeat:
    """Touches the job's heartbeat file every ``HEARTBEAT_SECONDS`` from a thread while the import runs:
    a file, not a row, because on SQLite the import's transaction holds the only write lock."""

    def __init__(self, job_id: int) -> None:
        self.path = heartbeat_path(job_id)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name=f"heartbeat-{job_id}", daemon=True)

    def _touch(self) -> None:
        try:
            self.path.touch(mode=0o600)
        except OSError:
            log.warning("registry import heartbeat %s cannot be written", self.path.name)

    def _beat(self) -> None:
        while not self._stop.wait(HEARTBEAT_SECONDS):
            self._touch()

    def __enter__(self) -> Heartbeat:
        self._touch()
        self._thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._stop.set()
        self._thread.join()
        self.path.unlink(missing_ok=True)

"""Tasks only the worker tests enqueue (importable by path from a worker process started in the
repository's root)."""

from __future__ import annotations

import time
from pathlib import Path

from django.tasks import task


@task
def add(a: int, b: int) -> int:
    return a + b


@task
def nap_once(marker: str, seconds: float) -> str:
    """Sleeps the first time it runs (so the test can kill its worker), returns at once after that."""
    path = Path(marker)
    if path.exists():
        return "second run"
    path.write_text("started")
    time.sleep(seconds)
    return "first run"


@task
def mark(folder: str, n: int) -> str:
    """Leaves ``folder/n``; a second run of the same task leaves ``n.again`` instead (scale-out tests)."""
    import os

    time.sleep(0.02)  # long enough for two workers to interleave
    try:
        fd = os.open(Path(folder) / str(n), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        (Path(folder) / f"{n}.again").write_text("again")
        return "again"
    os.close(fd)
    return "once"

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

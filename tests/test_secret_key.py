"""The generated SECRET_KEY: processes starting together on a fresh data dir agree on one key."""

from __future__ import annotations

import multiprocessing
import os
from pathlib import Path

import pytest

from dinhdanh.settings.env import secret_key


def _read(directory: str, barrier: multiprocessing.synchronize.Barrier, out: multiprocessing.Queue[str]) -> None:
    os.environ.pop("DINHDANH_SECRET_KEY", None)
    barrier.wait(timeout=30)
    out.put(secret_key(Path(directory)))


def test_processes_racing_on_a_fresh_data_dir_share_one_whole_key(tmp_path: Path) -> None:
    ctx = multiprocessing.get_context("spawn")
    n = 6
    barrier = ctx.Barrier(n)
    out: multiprocessing.Queue[str] = ctx.Queue()
    procs = [ctx.Process(target=_read, args=(str(tmp_path), barrier, out)) for _ in range(n)]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join(timeout=60)
    assert [proc.exitcode for proc in procs] == [0] * n
    keys = {out.get(timeout=5) for _ in range(n)}
    assert len(keys) == 1
    (key,) = keys
    assert len(key) >= 32
    assert sorted(p.name for p in tmp_path.iterdir()) == ["secret_key"]  # no temporary file left behind
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_an_existing_key_is_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DINHDANH_SECRET_KEY", raising=False)
    (tmp_path / "secret_key").write_text("k" * 60 + "\n")
    assert secret_key(tmp_path) == "k" * 60

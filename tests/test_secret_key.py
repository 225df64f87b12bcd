"""Keys generated into the data dir (the SECRET_KEY, ``core.keys``): processes starting together on a
fresh data dir agree on one whole key."""

from __future__ import annotations

import multiprocessing
import os
from pathlib import Path
from typing import Any

import pytest

from dinhdanh.core.secret_files import publish_once
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


def _publish(
    path: str, content: str, barrier: multiprocessing.synchronize.Barrier, out: multiprocessing.Queue[Any]
) -> None:
    barrier.wait(timeout=30)
    made = publish_once(Path(path), content)
    out.put((made, Path(path).read_text()))


def test_racing_writers_of_a_key_file_leave_one_whole_content_that_everyone_reads(tmp_path: Path) -> None:
    # core.keys makes every data key (HMAC and sealing keys) this way: an empty read would be an empty key.
    ctx = multiprocessing.get_context("spawn")
    n = 6
    barrier = ctx.Barrier(n)
    out: multiprocessing.Queue[Any] = ctx.Queue()
    target = tmp_path / "login-index"
    procs = [ctx.Process(target=_publish, args=(str(target), f"{i:064x}", barrier, out)) for i in range(n)]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join(timeout=60)
    results = [out.get(timeout=5) for _ in range(n)]
    assert sum(made for made, _ in results) == 1
    assert len({content for _, content in results}) == 1
    assert len(results[0][1]) == 64
    assert [p.name for p in tmp_path.iterdir()] == ["login-index"]

"""Overload (issue 16.6): a server past its capacity answers 503 with Retry-After at once, never leaves a
request hanging, and what it does serve is served correctly. One process with 24 threads and room for
one request at a time, 48 sign-ins at once at the real argon2 cost. Timings are measured in
``bench/overload.py``; here only a hang (no answer within the client's 20 s) fails."""

from __future__ import annotations

import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from tests.ops.sites import databases, new_site
from tests.ops.test_scale_out import ENV, ROOT, SETUP, VICTIM, _free_port, _ready, _shell

__all__ = ["databases"]  # the module-scoped fixture, used by name

BURST = 48


def _prepared(base: str) -> tuple[dict[str, str], str]:
    """A CSRF cookie and token, fetched one by one before the burst (a fetch may itself be shed)."""
    for _ in range(50):
        answer = httpx.get(f"{base}/api/v1/auth/csrf", timeout=20)
        if answer.status_code == 200:
            return dict(answer.cookies), answer.json()["csrf_token"]
    raise AssertionError("no CSRF token")


def test_past_capacity_requests_are_answered_503_with_retry_after_and_none_hangs(
    tmp_path: Path, databases: list[str]
) -> None:
    site = new_site(tmp_path, "overload", databases)
    site.env.update(
        {**ENV, "DINHDANH_ARGON2_TIME_COST": "3", "DINHDANH_ARGON2_MEMORY_KIB": "65536", "DINHDANH_ARGON2_PARALLELISM": "2"},
        PYTHONPATH=str(ROOT), DINHDANH_MAX_ACTIVE_REQUESTS="1", DINHDANH_SHED_WAIT_MS="200",
    )  # fmt: skip
    assert site.run("migrate").code == 0
    _shell(site, SETUP)
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "DINHDANH_"))}
    env.update({"DINHDANH_DATA_DIR": str(site.data_dir), **site.env})
    server = subprocess.Popen(  # noqa: S603 - our interpreter, our command
        [sys.executable, "-m", "dinhdanh", "serve", "--bind", f"127.0.0.1:{port}", "--workers", "1", "--threads", "24"],
        env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        _ready(base)
        sessions = [_prepared(base) for _ in range(BURST)]

        def sign_in(n: int) -> tuple[int, str, str]:
            cookies, token = sessions[n]
            answer = httpx.post(
                f"{base}/api/v1/auth/signin", cookies=cookies, timeout=20,
                json={"personal_id": VICTIM, "password": f"doan-sai-{n}-mat-khau"},
                headers={"X-CSRFToken": token, "Referer": base + "/"},
            )  # fmt: skip
            return answer.status_code, answer.json().get("code", ""), answer.headers.get("Retry-After", "")

        with ThreadPoolExecutor(BURST) as pool:
            answers = list(pool.map(sign_in, range(BURST)))  # a hang raises httpx.ReadTimeout here
    finally:
        server.terminate()
        server.wait(timeout=60)
    outcomes = {answer: answers.count(answer) for answer in set(answers)}
    assert set(outcomes) <= {(401, "people.invalid_login", ""), (503, "core.overloaded", "1")}, outcomes
    assert outcomes.get((503, "core.overloaded", "1"), 0) > 0, outcomes  # past capacity: shed
    assert outcomes.get((401, "people.invalid_login", ""), 0) > 0, outcomes  # within it: served

"""How fast a server past its capacity answers (issue 16.6): 503 within a second, never a hang.

    .venv/bin/python bench/overload.py [burst]

Starts `dinhdanh serve` on loopback (one process, 24 threads, DINHDANH_MAX_ACTIVE_REQUESTS=1,
DINHDANH_SHED_WAIT_MS=200) on a fresh SQLite data dir, then sends `burst` (default 48, at most 200)
password sign-ins at once at the real argon2 cost, and prints for the shed (503) and the served (401)
answers their count and the p50/p99/max time to answer. Target: every 503 within 1 s. Bounded: one
burst, 20 s per request.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
BURST = min(int(sys.argv[1]) if len(sys.argv) > 1 else 48, 200)
LOGIN = "001085009911"


def _run(env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, "-m", "dinhdanh", *args], env=env, cwd=ROOT, check=True, capture_output=True)  # noqa: S603


def main() -> None:
    data = tempfile.mkdtemp(prefix="dinhdanh-bench-overload-")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "DINHDANH_"))}
    env.update(
        DINHDANH_DATA_DIR=data, DJANGO_SETTINGS_MODULE="dinhdanh.settings.dev", PYTHONPATH=str(ROOT),
        DINHDANH_MAX_ACTIVE_REQUESTS="1", DINHDANH_SHED_WAIT_MS="200", DINHDANH_SIGNIN_FREE_FAILURES="1000",
        DINHDANH_SIGNIN_LOCK_FAILURES="1000", DINHDANH_SIGNIN_IP_FREE_FAILURES="1000",
    )  # fmt: skip
    _run(env, "migrate")
    _run(env, "shell", "-c", f"from tests.conftest import make_user; make_user('Bench', personal_id='{LOGIN}')")
    port = 8765
    server = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "dinhdanh", "serve", "--bind", f"127.0.0.1:{port}", "--workers", "1", "--threads", "24"],
        env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        sessions: list[tuple[dict[str, str], str]] = []
        while len(sessions) < BURST:
            answer = httpx.get(f"{base}/api/v1/auth/csrf", timeout=20)
            if answer.status_code == 200:
                sessions.append((dict(answer.cookies), answer.json()["csrf_token"]))

        def sign_in(n: int) -> tuple[int, float]:
            cookies, token = sessions[n]
            started = time.perf_counter()
            answer = httpx.post(
                f"{base}/api/v1/auth/signin", cookies=cookies, timeout=20,
                json={"personal_id": LOGIN, "password": f"sai-{n}-mat-khau-dai"},
                headers={"X-CSRFToken": token, "Referer": base + "/"},
            )  # fmt: skip
            return answer.status_code, time.perf_counter() - started

        with ThreadPoolExecutor(BURST) as pool:
            answers = list(pool.map(sign_in, range(BURST)))
    finally:
        server.terminate()
        server.wait(timeout=60)
    print(f"burst {BURST} sign-ins at once; 1 process, 24 threads, 1 active, shed after 200 ms; 2 CPUs; SQLite")
    for status, label in ((503, "shed  "), (401, "served")):
        times = sorted(t for s, t in answers if s == status)
        if times:
            p99 = times[min(len(times) - 1, int(len(times) * 0.99))]
            print(f"{label} {len(times):4d}   p50 {statistics.median(times) * 1000:6.0f} ms   "
                  f"p99 {p99 * 1000:6.0f} ms   max {times[-1] * 1000:6.0f} ms")  # fmt: skip
    other = [s for s, _t in answers if s not in (401, 503)]
    print(f"other answers: {len(other)}")
    print(f"command: .venv/bin/python bench/overload.py {BURST}")


if __name__ == "__main__":
    main()

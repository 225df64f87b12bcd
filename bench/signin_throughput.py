"""Password sign-in throughput at the configured argon2id cost, and what the platform adds on top.

    make bench            # or: .venv/bin/python bench/signin_throughput.py [rounds]

It measures, interleaved and single-threaded on a fresh SQLite database in a temporary data dir (or on
the PostgreSQL database DATABASE_URL names):
  hash     argon2-cffi verifying the stored hash alone (the floor: what the cost parameters buy)
  service  people.signin.password_check + signin_complete (lookup, throttle, history, audit, session row)
  http     POST /api/v1/auth/signin through the whole Django stack (middleware, CSRF, JSON, cookies)
and prints medians of wall time and CPU time (argon2 with p=2 runs two lanes in parallel, so CPU time is
what gives sign-ins per core), and the overhead of each layer over the hash (target < 10 %).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from layers import Sample, account, django_site, load_average, measure

ROUNDS = int(sys.argv[1]) if len(sys.argv) > 1 else 15
LOGIN = "079085001234"
PASSWORD = "bench-mat-khau-dai-2026"  # noqa: S105  # a throwaway account in a temporary database


def main() -> None:
    database = django_site()
    from argon2 import PasswordHasher
    from django.conf import settings
    from django.test import Client

    from dinhdanh.people import signin
    from dinhdanh.people.models import SignInMethod

    user = account(LOGIN, "Người Đo Hiệu Năng", password=PASSWORD)
    stored = user.password.removeprefix("argon2")
    hasher = PasswordHasher(
        time_cost=settings.ARGON2_TIME_COST,
        memory_cost=settings.ARGON2_MEMORY_COST_KIB,
        parallelism=settings.ARGON2_PARALLELISM,
    )
    client_info = signin.Client(ip="127.0.0.1", user_agent="bench")

    def raw_hash() -> None:
        hasher.verify(stored, PASSWORD)

    def service() -> None:
        outcome = signin.password_check(login=LOGIN, password=PASSWORD, client=client_info)
        assert isinstance(outcome, signin.PasswordOutcome)  # never guarded: no failures here
        signin.signin_complete(user=outcome.user, method=SignInMethod.PASSWORD, client=client_info)

    http = Client(REMOTE_ADDR="127.0.0.1", HTTP_HOST="127.0.0.1")

    def over_http() -> None:
        http.cookies.clear()
        response = http.post(
            "/api/v1/auth/signin",
            {"personal_id": LOGIN, "password": PASSWORD},
            content_type="application/json",
        )
        assert response.status_code == 200, response.content

    layers: dict[str, Callable[[], Sample | None]] = {"hash": raw_hash, "service": service, "http": over_http}
    medians = measure(layers, ROUNDS)

    base, base_cpu = medians["hash"].wall, medians["hash"].cpu
    print(
        f"argon2id t={settings.ARGON2_TIME_COST} m={settings.ARGON2_MEMORY_COST_KIB} KiB "
        f"p={settings.ARGON2_PARALLELISM}; {ROUNDS} rounds; {load_average()}; database {database}"
    )
    for name, figure in medians.items():
        median, median_cpu = figure.wall, figure.cpu
        print(
            f"{name:8s} wall {median * 1000:6.1f} ms ({1 / median:4.1f}/s per process)   "
            f"CPU {median_cpu * 1000:6.1f} ms = {1 / median_cpu:4.1f} sign-ins/s per core   "
            f"overhead over the hash: wall {(median - base) / base * 100:+5.1f} %, "
            f"CPU {(median_cpu - base_cpu) / base_cpu * 100:+5.1f} %"
        )
    print(f"command: .venv/bin/python bench/signin_throughput.py {ROUNDS}")


if __name__ == "__main__":
    main()

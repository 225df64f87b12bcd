"""Issue 10 (low): parallel requests got an extra password guess, because the throttle was checked
before the password and counted after it. Here several threads send wrong passwords at once, against
the real database; the hash is made slow enough that they all overlap."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.db import connection

from dinhdanh.core.errors import DomainError
from dinhdanh.people.models import Throttle
from dinhdanh.people.signin import Client, password_check
from tests.conftest import make_user

pytestmark = pytest.mark.django_db(transaction=True)

NUMBER = "001085007531"
THREADS = 6
ALLOWED = 3  # failures before this address is locked out of the login


def _slow_hashing(settings: Any) -> None:
    # The cost of a check is the stored hash's: the account is created under these settings.
    settings.ARGON2_TIME_COST = 3
    settings.ARGON2_MEMORY_COST_KIB = 32768
    settings.PASSWORD_HASHERS = list(settings.PASSWORD_HASHERS)


@pytest.mark.skipif(connection.vendor == "sqlite", reason="SQLite's in-memory test database serializes threads")
def test_parallel_wrong_passwords_get_no_extra_guess(settings: Any) -> None:
    settings.SIGNIN_FREE_FAILURES = ALLOWED - 1
    settings.SIGNIN_LOCK_FAILURES = ALLOWED  # a lock, not a back-off: no clock in the outcome
    _slow_hashing(settings)
    make_user("Lâm Văn Tú", personal_id=NUMBER)
    start = threading.Barrier(THREADS, timeout=30)

    def guess(i: int) -> str:
        try:
            start.wait()
            password_check(login=NUMBER, password=f"doan-sai-{i}-mat-khau", client=Client(ip="203.0.113.9"))
        except DomainError as exc:
            return exc.code
        finally:
            connection.close()
        return "ok"

    with ThreadPoolExecutor(THREADS) as pool:
        futures = [pool.submit(guess, i) for i in range(THREADS)]
        codes = sorted(f.result(timeout=120) for f in futures)

    assert codes.count("people.invalid_login") == ALLOWED, codes  # checked: exactly the allowance
    assert codes.count("people.throttled") == THREADS - ALLOWED, codes
    assert Throttle.objects.get(scope="pair").failures == ALLOWED

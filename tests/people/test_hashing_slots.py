"""A bound on the password hashes a process computes at once (people.hashers, decision 0049): at most
``PASSWORD_CHECKS_AT_ONCE``, whatever the threads; a check that cannot get a turn within
``PASSWORD_CHECK_WAIT_MS`` is answered "busy" (503, ``core.overloaded``), counts no attempt, and never
hangs. No timing is asserted: the slots are held on purpose and the wait is 0."""

from __future__ import annotations

import platform
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

import pytest
from django.contrib.auth.hashers import Argon2PasswordHasher, make_password
from django.test import override_settings

from dinhdanh.core.errors import CoreError, DomainError
from dinhdanh.people.hashers import hashing_slot
from dinhdanh.people.models import SignInEvent, Throttle
from dinhdanh.people.signin import Client, password_check
from tests.conftest import PASSWORD, make_user
from tests.people.support import csrf_client, post_json, problem

pytestmark = pytest.mark.django_db

NUMBER = "001085007788"
HOME = Client(ip="203.0.113.9", user_agent="Firefox")
LONG = 60_000  # ms: the threads below are released by an event, never by this running out


@contextmanager
def held(count: int) -> Iterator[None]:
    """``count`` slots taken by this thread (the semaphore counts, so one thread may take several)."""
    with ExitStack() as stack:
        for _ in range(count):
            stack.enter_context(hashing_slot())
        yield


@pytest.mark.parametrize("limit", [1, 2, 3])
def test_at_most_the_limit_is_held_and_one_more_is_answered_busy(limit: int) -> None:
    with override_settings(PASSWORD_CHECKS_AT_ONCE=limit, PASSWORD_CHECK_WAIT_MS=0):
        with held(limit), pytest.raises(DomainError) as refused:
            make_password(PASSWORD)
        assert refused.value.error is CoreError.OVERLOADED
        assert refused.value.error.status == 503
        with held(limit - 1):  # a slot given back is taken again
            assert make_password(PASSWORD).startswith("argon2$argon2id$")


def test_a_failed_hash_gives_its_slot_back(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(self: Any, password: str, salt: str) -> str:
        raise RuntimeError("argon2 failed")

    with override_settings(PASSWORD_CHECKS_AT_ONCE=1, PASSWORD_CHECK_WAIT_MS=0):
        with monkeypatch.context() as patched:
            patched.setattr(Argon2PasswordHasher, "encode", broken)
            with pytest.raises(RuntimeError):
                make_password(PASSWORD)
        assert make_password(PASSWORD).startswith("argon2$")


def test_zero_means_no_bound() -> None:
    with override_settings(PASSWORD_CHECKS_AT_ONCE=0, PASSWORD_CHECK_WAIT_MS=0), held(50):
        assert make_password(PASSWORD).startswith("argon2$")


def test_threads_beyond_the_limit_wait_for_a_slot_then_hash(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two slots, four threads: two hash, two wait; the waiting ones hash once a slot is free."""
    inside, most, go = 0, 0, threading.Event()
    count = threading.Lock()
    two_in = threading.Event()
    original = Argon2PasswordHasher.encode

    def slow(self: Any, password: str, salt: str) -> str:
        nonlocal inside, most
        with count:
            inside += 1
            most = max(most, inside)
            if inside == 2:
                two_in.set()
        go.wait(LONG / 1000)
        with count:
            inside -= 1
        return original(self, password, salt)

    monkeypatch.setattr(Argon2PasswordHasher, "encode", slow)
    results: list[str] = []
    with override_settings(PASSWORD_CHECKS_AT_ONCE=2, PASSWORD_CHECK_WAIT_MS=LONG):
        threads = [threading.Thread(target=lambda: results.append(make_password(PASSWORD))) for _ in range(4)]
        for thread in threads:
            thread.start()
        assert two_in.wait(LONG / 1000)
        go.set()
        for thread in threads:
            thread.join(LONG / 1000)
    assert len(results) == 4
    assert most == 2


@override_settings(PASSWORD_CHECKS_AT_ONCE=1, PASSWORD_CHECK_WAIT_MS=0)
def test_a_busy_sign_in_counts_no_attempt_and_is_not_a_wrong_password() -> None:
    make_user(personal_id=NUMBER)
    with held(1), pytest.raises(DomainError) as refused:
        password_check(login=NUMBER, password="sai-mat-khau-hoan-toan", client=HOME)
    assert refused.value.error is CoreError.OVERLOADED
    assert not Throttle.objects.filter(failures__gt=0).exists()
    assert not SignInEvent.objects.exists()
    password_check(login=NUMBER, password=PASSWORD, client=HOME)  # a turn free: signed in


@override_settings(PASSWORD_CHECKS_AT_ONCE=1, PASSWORD_CHECK_WAIT_MS=0)
def test_the_api_answers_503_overloaded_with_retry_after() -> None:
    make_user(personal_id=NUMBER)
    client, token = csrf_client()
    with held(1):
        answer = post_json(client, "/api/v1/auth/signin", {"personal_id": NUMBER, "password": PASSWORD}, token)
    problem(answer, 503, "core.overloaded")
    assert answer["Retry-After"] == "1"
    assert (
        post_json(client, "/api/v1/auth/signin", {"personal_id": NUMBER, "password": PASSWORD}, token).status_code
        == 200
    )


MEMORY_PROBE = """
import re, threading
from pathlib import Path
from argon2 import PasswordHasher
from dinhdanh.people.hashers import return_hash_memory
def rss():
    return int(re.search(r"VmRSS:\\s+(\\d+)", Path("/proc/self/status").read_text()).group(1)) // 1024
print(return_hash_memory())
hasher, one_at_a_time = PasswordHasher(time_cost=1, memory_cost=19456, parallelism=1), threading.Lock()
def sign_ins():
    for _ in range(2):
        with one_at_a_time:
            hasher.hash("mat-khau-thu")
before = rss()
threads = [threading.Thread(target=sign_ins) for _ in range(4)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print(rss() - before)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux") or platform.libc_ver()[0] != "glibc", reason="glibc only")
def test_a_hash_gives_its_memory_back_whichever_thread_ran_it() -> None:
    """Without the pinned threshold, four threads that each hashed once keep 4 × 19 MiB (glibc arenas)."""
    done = subprocess.run(  # noqa: S603 - our interpreter, a fixed script
        [sys.executable, "-c", MEMORY_PROBE], capture_output=True, text=True, check=True, timeout=120
    )
    pinned, kept_mb = done.stdout.split()
    assert pinned == "True"
    assert int(kept_mb) < 19, done.stdout

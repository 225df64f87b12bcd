"""Argon2id with cost parameters from settings, so raising them makes Django rehash on next sign-in; and
a bound on the hashes computed at once in a process (decision 0049).

Each argon2 hash holds its memory cost (``ARGON2_MEMORY_COST_KIB``) while it runs, so a process with N
threads checking N passwords at once would hold N times that. ``PASSWORD_CHECKS_AT_ONCE`` hashes run at
once per process, whatever its threads; the others wait their turn, at most ``PASSWORD_CHECK_WAIT_MS``,
then are answered ``core.overloaded`` (503, as ``http.shedding`` answers), never left hanging. Every
hash goes through here: sign-in (the dummy hash of an unknown number too), password change and reset,
registration, and the rehash after a sign-in when the parameters changed.

The memory must also go back when a hash ends. glibc serves a large allocation with ``mmap`` and unmaps
it when freed, but after the first such free it raises its threshold to that size (up to 32 MiB), so
the next hash's buffer comes from the arena of the thread that asks, which keeps it: a process whose
four threads have each signed someone in would hold four buffers for good, whatever the bound above.
``return_hash_memory`` pins the threshold (1 MiB), so every hash buffer is mapped and given back.
"""

from __future__ import annotations

import ctypes
import platform
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache

from django.conf import settings
from django.contrib.auth.hashers import Argon2PasswordHasher

from dinhdanh.core.errors import CoreError, DomainError

__all__ = ["Argon2idHasher", "hashing_slot", "return_hash_memory"]

_M_MMAP_THRESHOLD = -3  # glibc's mallopt parameter (malloc.h)
MMAP_THRESHOLD = 1024 * 1024  # far below any argon2 memory cost OWASP lists (7 MiB and up)

_SLOTS: dict[int, threading.BoundedSemaphore] = {}
_SLOTS_LOCK = threading.Lock()


def _slots(limit: int) -> threading.BoundedSemaphore:
    # One semaphore per limit, made once: the setting is read on every use (tests override it).
    with _SLOTS_LOCK:
        if limit not in _SLOTS:
            _SLOTS[limit] = threading.BoundedSemaphore(limit)
        return _SLOTS[limit]


@cache
def return_hash_memory() -> bool:
    """Pin glibc's mmap threshold (see the module), once per process; False where there is no glibc."""
    if not sys.platform.startswith("linux") or platform.libc_ver()[0] != "glibc":
        return False
    try:
        return bool(ctypes.CDLL(None).mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD))
    except (OSError, AttributeError):
        return False


@contextmanager
def hashing_slot() -> Iterator[None]:
    """Hold one of the process's ``PASSWORD_CHECKS_AT_ONCE`` hashing slots (0: no bound), or raise
    ``DomainError(CoreError.OVERLOADED)`` after ``PASSWORD_CHECK_WAIT_MS`` without one."""
    return_hash_memory()
    limit = int(settings.PASSWORD_CHECKS_AT_ONCE)
    if limit <= 0:
        yield
        return
    slots = _slots(limit)
    if not slots.acquire(timeout=max(0, int(settings.PASSWORD_CHECK_WAIT_MS)) / 1000):
        raise DomainError(CoreError.OVERLOADED)
    try:
        yield
    finally:
        slots.release()


class Argon2idHasher(Argon2PasswordHasher):
    # Read on every use, not cached at construction: Django keeps hasher instances for the life of
    # the process and only drops them when PASSWORD_HASHERS itself changes.
    @property
    def time_cost(self) -> int:  # type: ignore[override]
        return int(settings.ARGON2_TIME_COST)

    @property
    def memory_cost(self) -> int:  # type: ignore[override]
        return int(settings.ARGON2_MEMORY_COST_KIB)

    @property
    def parallelism(self) -> int:  # type: ignore[override]
        return int(settings.ARGON2_PARALLELISM)

    def encode(self, password: str, salt: str) -> str:
        with hashing_slot():
            return super().encode(password, salt)

    def verify(self, password: str, encoded: str) -> bool:
        with hashing_slot():
            return super().verify(password, encoded)

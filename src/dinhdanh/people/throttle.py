"""Throttling of failed sign-ins, per account and per client address, with exponential back-off.

Keys are keyed digests (the account's login digest, an HMAC of the address), never the raw values.
The account key is the digest of the number *tried*, whether or not an account has it, so throttling
behaves the same for unknown numbers and does not reveal which numbers have accounts.

Counts are written in their own transaction: a failed sign-in rolls nothing of this back.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from django.conf import settings
from django.db import transaction

from dinhdanh.core.errors import DomainError
from dinhdanh.core.keys import blind_index
from dinhdanh.people.errors import PeopleError
from dinhdanh.people.models import Throttle


class Scope(StrEnum):
    ACCOUNT = "account"
    ADDRESS = "address"


@dataclass(frozen=True)
class Failure:
    failures: int
    blocked_seconds: int
    lock_started: bool  # the account just crossed the lock threshold: tell its owner


def address_key(ip: str | None) -> str:
    return blind_index("throttle-address", _address_bucket(ip))


def _address_bucket(ip: str | None) -> str:
    """One IPv4 address, or one IPv6 /64: a single subscriber gets a whole /64, so counting single IPv6
    addresses would hand an attacker 2**64 fresh counters. IPv4-mapped addresses count as IPv4."""
    try:
        address = ipaddress.ip_address(str(ip or "").strip())
    except ValueError:
        return ip or "unknown"
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address)


def backoff_seconds(failures: int, free: int) -> int:
    """0 while within the free attempts, then 1, 2, 4, ... seconds, capped."""
    if failures <= free:
        return 0
    return int(min(2 ** (failures - free - 1), settings.SIGNIN_BACKOFF_MAX_SECONDS))


def remaining_block(*, keys: list[tuple[Scope, str]], now: datetime) -> int:
    """Seconds before another attempt is accepted under any of ``keys`` (0: go ahead)."""
    rows = Throttle.objects.filter(
        scope__in=[s.value for s, _ in keys], key__in=[k for _, k in keys], blocked_until__gt=now
    )
    wanted = {(s.value, k) for s, k in keys}
    waits = [
        int((r.blocked_until - now).total_seconds()) + 1
        for r in rows
        if (r.scope, r.key) in wanted and r.blocked_until
    ]
    return max(waits, default=0)


def refuse_if_blocked(*, keys: list[tuple[Scope, str]], now: datetime) -> None:
    if wait := remaining_block(keys=keys, now=now):
        raise DomainError(PeopleError.THROTTLED, seconds=wait)


def _bump(scope: Scope, key: str, now: datetime) -> tuple[int, bool]:
    row, _ = Throttle.objects.select_for_update().get_or_create(scope=scope.value, key=key)
    memory = timedelta(seconds=settings.SIGNIN_FAILURE_MEMORY_SECONDS)
    if row.last_failure_at is not None and now - row.last_failure_at > memory:
        row.failures = 0
    was_blocked = row.blocked_until is not None and row.blocked_until > now
    row.failures += 1
    row.last_failure_at = now
    if scope is Scope.ACCOUNT and row.failures >= settings.SIGNIN_LOCK_FAILURES:
        wait = int(settings.SIGNIN_LOCK_SECONDS)
        lock_started = not was_blocked
    else:
        free = settings.SIGNIN_FREE_FAILURES if scope is Scope.ACCOUNT else settings.SIGNIN_IP_FREE_FAILURES
        wait = backoff_seconds(row.failures, free)
        lock_started = False
    row.blocked_until = now + timedelta(seconds=wait) if wait else row.blocked_until
    row.save(update_fields=["failures", "last_failure_at", "blocked_until"])
    return wait, lock_started and scope is Scope.ACCOUNT


def record_failure(*, account: str | None, address: str, now: datetime) -> Failure:
    with transaction.atomic():
        waits = [0]
        lock_started = False
        failures = 0
        if account is not None:
            wait, lock_started = _bump(Scope.ACCOUNT, account, now)
            waits.append(wait)
            failures = Throttle.objects.get(scope=Scope.ACCOUNT.value, key=account).failures
        waits.append(_bump(Scope.ADDRESS, address, now)[0])
    return Failure(failures=failures, blocked_seconds=max(waits), lock_started=lock_started)


def record_success(*, account: str) -> None:
    # The address counter stays: one good password must not wipe out a spray from the same address.
    Throttle.objects.filter(scope=Scope.ACCOUNT.value, key=account).delete()


def keys_for(*, account: str | None, address: str) -> list[tuple[Scope, str]]:
    keys = [(Scope.ADDRESS, address)]
    if account is not None:
        keys.append((Scope.ACCOUNT, account))
    return keys

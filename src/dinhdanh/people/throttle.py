"""Throttling of failed sign-ins (and of registrations) with exponential back-off, under four counters.

- ``PAIR``: one client address on one login. 3 free failures, then 1, 2, 4 … s, and at 10 that address
  is locked out of that login for 15 minutes. Guessing one account from one place ends here.
- ``ADDRESS``: one client address on every login. 30 free failures, then back-off: password spraying
  (one password against many numbers) from one place ends here.
- ``ACCOUNT``: one login from every address. It never refuses anybody. At 10 failures (a distributed
  attack) the login is *guarded* until 24 h pass without a failure or the holder completes a sign-in:
  the password alone then answers nothing, only the password followed by a second factor gets in
  (``signin``; docs/people.md, "Guarded sign-in").
- ``REGISTER``: one client address starting registrations, counted whatever the outcome.
- ``LOOKUP``: one account looking other people up by personal number (a representative about to grant
  a member sees the name of the number typed), counted whatever the outcome.

Hard refusals are per address and per (address, login), never per login alone: whoever knows a
number cannot keep its holder out.

Race-free: an attempt is *taken* (checked against the blocks and counted as a failure, rows locked, in
one transaction) before the password is checked, and given back when it turns out right. Parallel
requests cannot all pass the check before any of them is counted.

Keys are keyed digests (the login digest, HMACs of the address), never the raw values. The account
key is the digest of the number *tried*, whether or not an account has it, so throttling behaves the
same for unknown numbers and does not reveal which numbers have accounts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from django.conf import settings
from django.db import connection, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Q
from django.utils import timezone

from dinhdanh.core.errors import DomainError
from dinhdanh.core.keys import blind_index
from dinhdanh.core.rows import Update
from dinhdanh.http.addresses import address_bucket
from dinhdanh.people import rows
from dinhdanh.people.errors import PeopleError
from dinhdanh.people.models import Throttle


class Scope(StrEnum):
    ACCOUNT = "account"
    ADDRESS = "address"
    PAIR = "pair"
    REGISTER = "register"
    LOOKUP = "lookup"


@dataclass(frozen=True)
class Policy:
    free: int  # failures before back-off starts
    memory: int  # seconds without a failure after which the count starts again
    lock_failures: int = 0  # at this count (0: never) the key is blocked for lock_seconds
    lock_seconds: int = 0
    refuses: bool = True  # False: the count only informs (the login-wide guard)


def policy(scope: Scope) -> Policy:
    memory = int(settings.SIGNIN_FAILURE_MEMORY_SECONDS)
    if scope is Scope.PAIR:
        return Policy(
            free=int(settings.SIGNIN_FREE_FAILURES),
            memory=memory,
            lock_failures=int(settings.SIGNIN_LOCK_FAILURES),
            lock_seconds=int(settings.SIGNIN_LOCK_SECONDS),
        )
    if scope is Scope.ADDRESS:
        return Policy(free=int(settings.SIGNIN_IP_FREE_FAILURES), memory=memory)
    if scope is Scope.REGISTER:
        return Policy(free=int(settings.REGISTER_FREE_ATTEMPTS), memory=int(settings.REGISTER_WINDOW_SECONDS))
    if scope is Scope.LOOKUP:
        return Policy(
            free=int(settings.LOOKUP_FREE_ATTEMPTS),
            memory=int(settings.LOOKUP_WINDOW_SECONDS),
            lock_failures=int(settings.LOOKUP_LOCK_ATTEMPTS),
            lock_seconds=int(settings.LOOKUP_WINDOW_SECONDS),
        )
    return Policy(free=int(settings.SIGNIN_LOCK_FAILURES), memory=memory, refuses=False)


type _State = tuple[int, datetime | None, datetime | None]  # failures, last_failure_at, blocked_until
_NONE: _State = (0, None, None)


@dataclass(frozen=True)
class _Taken:
    scope: str
    key: str
    before: _State
    after: _State


@dataclass(frozen=True)
class Ticket:
    """An attempt taken: counted as a failure until ``release`` gives it back."""

    taken: tuple[_Taken, ...]
    guarded: bool = False  # the login was under guard when this attempt came
    guard_started: bool = False  # if it fails, this attempt is the one that puts the login under guard


def address_key(ip: str | None) -> str:
    return blind_index("throttle-address", address_bucket(ip))


def lookup_key(user_pk: object) -> str:
    return blind_index("throttle-lookup", str(user_pk))


def pair_key(ip: str | None, account: str) -> str:
    return blind_index("throttle-pair", f"{address_bucket(ip)}\n{account}")


def keys_for(*, account: str | None, ip: str | None) -> list[tuple[Scope, str]]:
    keys = [(Scope.ADDRESS, address_key(ip))]
    if account is not None:
        keys += [(Scope.PAIR, pair_key(ip, account)), (Scope.ACCOUNT, account)]
    return keys


def backoff_seconds(failures: int, free: int) -> int:
    """0 while within the free attempts, then 1, 2, 4, ... seconds, capped."""
    if failures <= free:
        return 0
    return int(min(2 ** (failures - free - 1), settings.SIGNIN_BACKOFF_MAX_SECONDS))


def _wait(rule: Policy, failures: int) -> int:
    if not rule.refuses:
        return 0
    if rule.lock_failures and failures >= rule.lock_failures:
        return rule.lock_seconds
    return backoff_seconds(failures, rule.free)


def _remembered(row: Throttle, rule: Policy, now: datetime) -> int:
    """The failures that still count: none once ``memory`` passed without one."""
    if row.last_failure_at is None or now - row.last_failure_at > timedelta(seconds=rule.memory):
        return 0
    return row.failures


def is_guarded(row: Throttle | None, now: datetime) -> bool:
    rule = policy(Scope.ACCOUNT)
    return row is not None and _remembered(row, rule, now) >= rule.free


def _matching(keys: list[tuple[Scope, str]]) -> Q:
    match = Q(pk__in=[])
    for scope, key in keys:
        match |= Q(scope=scope.value, key=key)
    return match


def remaining_block(*, keys: list[tuple[Scope, str]], now: datetime) -> int:
    """Seconds before another attempt is accepted under any of ``keys`` (0: go ahead)."""
    blocked = (rows.THROTTLE_BLOCKED.first(s.value, k, now) for s, k in keys if policy(s).refuses)
    waits = [int((r.blocked_until - now).total_seconds()) + 1 for r in blocked if r and r.blocked_until]
    return max(waits, default=0)


def refuse_if_blocked(*, keys: list[tuple[Scope, str]], now: datetime) -> None:
    if wait := remaining_block(keys=keys, now=now):
        raise DomainError(PeopleError.THROTTLED, seconds=wait)


def _locked_rows(wanted: list[tuple[str, str]]) -> dict[tuple[str, str], Throttle]:
    """The rows of ``wanted``, created if missing and locked, in one order (no deadlock between two
    attempts). A row ``release`` deleted while this waited for it is created again."""
    match = _matching([(Scope(s), k) for s, k in wanted])
    found: dict[tuple[str, str], Throttle] = {}
    for _ in range(3):
        missing = [(s, k) for s, k in wanted if (s, k) not in found]
        Throttle.objects.bulk_create([Throttle(scope=s, key=k) for s, k in missing], ignore_conflicts=True)
        found = {
            (r.scope, r.key): r
            for r in Throttle.objects.select_for_update().filter(match).order_by("scope", "key")
        }
        if len(found) == len(wanted):
            return found
    raise RuntimeError("throttle rows vanished three times in a row")  # pragma: no cover


def _counted(rule: Policy, remembered: int, now: datetime) -> _State:
    """A key's state once this attempt is counted on top of the ``remembered`` failures."""
    failures = remembered + 1
    wait = _wait(rule, failures)
    return failures, now, (now + timedelta(seconds=wait) if wait else None)


def _insert_fresh_sql(db: BaseDatabaseWrapper, size: int) -> str:
    quote = db.ops.quote_name
    scope, key = quote("scope"), quote("key")
    columns = ", ".join([scope, key, quote("failures"), quote("last_failure_at"), quote("blocked_until")])
    values = ", ".join(["(%s, %s, %s, %s, %s)"] * size)
    return (
        f"INSERT INTO {quote(Throttle._meta.db_table)} ({columns}) VALUES {values} "  # noqa: S608  (model's names)
        f"ON CONFLICT ({scope}, {key}) DO NOTHING RETURNING {scope}, {key}"
    )


# Keys with no row yet (every key of a client that has not failed lately) are counted by their insert:
# one statement, where reading and updating each row took three (decision 0051).
_INSERT_FRESH = rows.Many(_insert_fresh_sql)
_SAVE = Update(Throttle, ["failures", "last_failure_at", "blocked_until"], "{id} = %s", ["id"])


def take(*, keys: list[tuple[Scope, str]], now: datetime, refuse: bool = True) -> Ticket:
    """Count one attempt under every key, or raise THROTTLED (counting nothing) while one is blocked.

    A key without a row gets one, already counted; the other rows are locked before they are read:
    of two parallel attempts, the second sees the first one's count.
    """
    wanted = sorted({(s.value, k) for s, k in keys})
    fresh = {(s, k): _counted(policy(Scope(s)), 0, now) for s, k in wanted}
    adapt = connection.ops.adapt_datetimefield_value
    params = [
        value
        for (s, k), (failures, last, blocked) in fresh.items()
        for value in (s, k, failures, adapt(last), adapt(blocked))
    ]
    with transaction.atomic():
        inserted = {(str(s), str(k)) for s, k in _INSERT_FRESH.fetch_all(params, shape=len(wanted))}
        existing = _locked_rows([w for w in wanted if w not in inserted]) if len(inserted) < len(wanted) else {}
        waits = [
            int((r.blocked_until - now).total_seconds()) + 1
            for r in existing.values()
            if policy(Scope(r.scope)).refuses and r.blocked_until is not None and r.blocked_until > now
        ]
        if refuse and waits:
            raise DomainError(PeopleError.THROTTLED, seconds=max(waits))  # the inserts roll back too
        taken, guarded, started = [], False, False
        for scope_value, key in wanted:
            scope = Scope(scope_value)
            rule = policy(scope)
            if (scope_value, key) in inserted:
                before, after = _NONE, fresh[(scope_value, key)]
            else:
                row = existing[(scope_value, key)]
                before = (row.failures, row.last_failure_at, row.blocked_until)
                after = _counted(rule, _remembered(row, rule, now), now)
                failures, last, blocked = after
                # A block still running is kept when this count sets none (refuse=False counts anyway).
                after = (failures, last, blocked or row.blocked_until)
                _SAVE.run(after, [row.pk])
            if scope is Scope.ACCOUNT:
                guarded = after[0] > rule.free
                started = after[0] == rule.free
            taken.append(_Taken(scope_value, key, before, after))
    return Ticket(taken=tuple(taken), guarded=guarded, guard_started=started)


def _delete_sql(db: BaseDatabaseWrapper, shape: tuple[int, int]) -> str:
    """DELETE of ``whole`` keys, and of ``unchanged`` rows if one attempt alone counted them, RETURNING
    the keys deleted."""
    quote = db.ops.quote_name
    scope, key = quote("scope"), quote("key")
    whole, unchanged = shape
    one = (
        f"({scope} = %s AND {key} = %s AND {quote('failures')} = 1 AND {quote('last_failure_at')} = %s "
        f"AND {quote('blocked_until')} IS NULL)"
    )
    where = " OR ".join([f"({scope} = %s AND {key} = %s)"] * whole + [one] * unchanged)
    return f"DELETE FROM {quote(Throttle._meta.db_table)} WHERE {where} RETURNING {scope}, {key}"  # noqa: S608


# A row this attempt alone counted, untouched since, is what most releases find (a client that has not
# failed lately): giving its one failure back leaves nothing to remember, so it goes with a conditional
# delete, in the same statement as the keys a completed sign-in clears (decision 0051).
_DELETE = rows.Many(_delete_sql)


def _alone(taken: _Taken, now: datetime) -> bool:
    """Whether giving this attempt back leaves the row with nothing to remember, if nobody else touched
    it since: its only failure, no block from it, and none from before still running."""
    failures, _last, blocked = taken.after
    before_block = taken.before[2]
    return failures == 1 and blocked is None and (before_block is None or before_block <= now)


def _give_back(taken: list[_Taken], *, clear: list[tuple[str, str]]) -> None:
    """Delete the keys ``clear`` and give back the attempts ``taken`` counted: a row only this attempt
    counted goes in the same statement, the others are read, locked and counted down."""
    now = timezone.now()
    alone = [t for t in taken if _alone(t, now)]
    if not clear and not alone:
        gone: set[tuple[str, str]] = set()
    else:
        adapt = connection.ops.adapt_datetimefield_value
        params = [v for pair in clear for v in pair] + [
            v for t in alone for v in (t.scope, t.key, adapt(t.after[1]))
        ]
        gone = {(str(s), str(k)) for s, k in _DELETE.fetch_all(params, shape=(len(clear), len(alone)))}
    rest = {(t.scope, t.key): t for t in taken if (t.scope, t.key) not in gone and (t.scope, t.key) not in clear}
    if not rest:
        return
    with transaction.atomic():
        match = _matching([(Scope(s), k) for s, k in rest])
        gone_now = []
        for row in Throttle.objects.select_for_update().filter(match).order_by("scope", "key"):
            entry = rest[(row.scope, row.key)]
            failures, last, blocked = max(0, row.failures - 1), row.last_failure_at, row.blocked_until
            if last == entry.after[1]:
                last = entry.before[1]
            if blocked == entry.after[2]:
                blocked = entry.before[2]
            if failures == 0 and (blocked is None or blocked <= now):
                gone_now.append(row.pk)
            else:
                _SAVE.run((failures, last, blocked), [row.pk])
        if gone_now:
            Throttle.objects.filter(pk__in=gone_now).delete()


def release(ticket: Ticket) -> None:
    """Give back an attempt that turned out right: its count, and the block it set if still in place.
    A row left with nothing to remember goes: the table holds attackers, not every address ever seen."""
    _give_back(list(ticket.taken), clear=[])


def _cleared(account: str, ip: str | None) -> list[tuple[str, str]]:
    return [(Scope.ACCOUNT.value, account), (Scope.PAIR.value, pair_key(ip, account))]


def record_success(*, account: str, ip: str | None, ticket: Ticket | None = None) -> None:
    """A completed sign-in lifts the guard on the login and clears this address's count on it. The
    address counter stays (one good password must not wipe out a spray from the same address), and so
    do other addresses' counts on this login (an attacker's lock-out outlives the holder's sign-in).

    ``ticket``: the attempt that completed it, not yet given back; its address count is given back in
    the same statement (what it counted on the login and on this address and login goes anyway)."""
    clear = _cleared(account, ip)
    _give_back(list(ticket.taken) if ticket is not None else [], clear=clear)

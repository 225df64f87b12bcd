"""The throttle counts with fewer statements (decision 0051): fresh keys counted by their insert, and a
release that leaves nothing to remember done by one conditional delete. Here any sequence of attempts,
give-backs, completed sign-ins and passing time leaves exactly the rows, refusals and guard flags of
the plain read-lock-update rules the module describes (a model of them in memory)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule, run_state_machine_as_test

from dinhdanh.core.errors import DomainError
from dinhdanh.people import throttle
from dinhdanh.people.models import Throttle

pytestmark = pytest.mark.django_db

IPS = ("203.0.113.1", "2001:db8::1")
ACCOUNTS = ("a" * 64, "b" * 64)
STEPS = (0, 1, 3, 30, 400, 90_000)  # seconds; the memory is set to 600 s below

type State = tuple[int, datetime | None, datetime | None]


@dataclass
class ModelTicket:
    taken: list[tuple[tuple[str, str], State, State]]
    guarded: bool
    started: bool


@dataclass
class Model:
    """The rules as the module states them, on a dictionary of rows."""

    rows: dict[tuple[str, str], State] = field(default_factory=dict)

    def take(self, keys: list[tuple[throttle.Scope, str]], now: datetime, refuse: bool) -> ModelTicket | int:
        wanted = sorted({(s.value, k) for s, k in keys})
        current = {w: self.rows.get(w, (0, None, None)) for w in wanted}
        waits = [
            int((blocked - now).total_seconds()) + 1
            for (scope, _k), (_f, _l, blocked) in current.items()
            if throttle.policy(throttle.Scope(scope)).refuses and blocked is not None and blocked > now
        ]
        if refuse and waits:
            return max(waits)
        ticket = ModelTicket([], False, False)
        for w in wanted:
            scope = throttle.Scope(w[0])
            rule = throttle.policy(scope)
            failures, last, blocked = current[w]
            remembered = 0 if last is None or now - last > timedelta(seconds=rule.memory) else failures
            new_failures = remembered + 1
            wait = (
                0
                if not rule.refuses
                else rule.lock_seconds
                if rule.lock_failures and new_failures >= rule.lock_failures
                else throttle.backoff_seconds(new_failures, rule.free)
            )
            after = (new_failures, now, now + timedelta(seconds=wait) if wait else blocked)
            self.rows[w] = after
            ticket.taken.append((w, current[w], after))
            if scope is throttle.Scope.ACCOUNT:
                ticket.guarded, ticket.started = new_failures > rule.free, new_failures == rule.free
        return ticket

    def release(self, ticket: ModelTicket, now: datetime) -> None:
        for w, before, after in ticket.taken:
            if w not in self.rows:
                continue
            failures, last, blocked = self.rows[w]
            failures = max(0, failures - 1)
            last = before[1] if last == after[1] else last
            blocked = before[2] if blocked == after[2] else blocked
            if failures == 0 and (blocked is None or blocked <= now):
                del self.rows[w]
            else:
                self.rows[w] = (failures, last, blocked)

    def success(self, account: str, ip: str, ticket: ModelTicket | None = None) -> None:
        cleared = {
            (throttle.Scope.ACCOUNT.value, account),
            (throttle.Scope.PAIR.value, throttle.pair_key(ip, account)),
        }
        for key in cleared:
            self.rows.pop(key, None)
        if ticket is not None:
            self.release(
                ModelTicket([t for t in ticket.taken if t[0] not in cleared], False, False), timezone.now()
            )


class ThrottleMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        Throttle.objects.all().delete()
        self.model = Model()
        self.offset = 0
        self.outstanding: list[tuple[throttle.Ticket, ModelTicket, str, str | None]] = []

    def _now(self) -> datetime:
        return timezone.now() + timedelta(seconds=self.offset)

    @rule(ip=st.sampled_from(IPS), account=st.sampled_from((*ACCOUNTS, None)), refuse=st.booleans())
    def attempt(self, ip: str, account: str | None, refuse: bool) -> None:
        keys = throttle.keys_for(account=account, ip=ip)
        now = self._now()
        expected = self.model.take(keys, now, refuse)
        if isinstance(expected, int):  # refused, counting nothing, with the seconds to wait
            with pytest.raises(DomainError) as refused:
                throttle.take(keys=keys, now=now, refuse=refuse)
            assert refused.value.params["seconds"] == expected
            return
        ticket = throttle.take(keys=keys, now=now, refuse=refuse)
        assert (ticket.guarded, ticket.guard_started) == (expected.guarded, expected.started)
        self.outstanding.append((ticket, expected, ip, account))

    @precondition(lambda self: bool(self.outstanding))
    @rule(which=st.integers(min_value=0, max_value=7))
    def give_back(self, which: int) -> None:
        ticket, expected, _ip, _account = self.outstanding.pop(which % len(self.outstanding))
        throttle.release(ticket)
        self.model.release(expected, timezone.now())

    @precondition(lambda self: any(account for *_, account in self.outstanding))
    @rule(which=st.integers(min_value=0, max_value=7))
    def completed(self, which: int) -> None:
        """A password attempt that turned out right and signed in at once: given back with the login's
        throttles lifted, in one statement (``record_success(ticket=...)``)."""
        with_login = [entry for entry in self.outstanding if entry[3] is not None]
        entry = with_login[which % len(with_login)]
        self.outstanding.remove(entry)
        ticket, expected, ip, account = entry
        assert account is not None
        throttle.record_success(account=account, ip=ip, ticket=ticket)
        self.model.success(account, ip, expected)

    @rule(ip=st.sampled_from(IPS), account=st.sampled_from(ACCOUNTS))
    def signed_in(self, ip: str, account: str) -> None:
        throttle.record_success(account=account, ip=ip)
        self.model.success(account, ip)

    @rule(seconds=st.sampled_from(STEPS))
    def wait(self, seconds: int) -> None:
        self.offset += seconds

    @invariant()
    def same_rows(self) -> None:
        stored = {
            (r.scope, r.key): (r.failures, r.last_failure_at, r.blocked_until) for r in Throttle.objects.all()
        }
        assert stored == self.model.rows


@pytest.fixture
def small_policies(settings: Any) -> None:
    settings.SIGNIN_FREE_FAILURES = 1
    settings.SIGNIN_LOCK_FAILURES = 3
    settings.SIGNIN_LOCK_SECONDS = 60
    settings.SIGNIN_IP_FREE_FAILURES = 2
    settings.SIGNIN_BACKOFF_MAX_SECONDS = 8
    settings.SIGNIN_FAILURE_MEMORY_SECONDS = 600


def test_any_sequence_leaves_the_rows_the_rules_say(small_policies: None) -> None:
    run_state_machine_as_test(
        ThrottleMachine,
        settings=settings(
            max_examples=60,
            stateful_step_count=30,
            deadline=None,
            derandomize=True,
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        ),
    )

"""Issue 16.2, decision 0048: usage history is kept five years (never less, whatever the setting) and
then deleted by a daily job, in bounded batches, with one audit event per run; technical rows go once
they are of no use. Each app declares its own rules; the audit log is never one of them."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.contrib.sessions.models import Session
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dinhdanh.core import retention, schedule
from dinhdanh.core.audit_actions import KernelAction
from dinhdanh.core.models import AuditEvent, IdempotencyRecord
from dinhdanh.federation.models import AuthMethod, Client, Consent
from dinhdanh.notifications.models import Message, MessageStatus
from dinhdanh.people.models import AccountSession, SignInEvent, SignInOutcome, Throttle, User
from dinhdanh.settings.env import ConfigError, integer_between
from dinhdanh.trust.models import Notice, NoticeState, Question, RateWindow
from tests.conftest import make_user
from tests.test_cli import assert_one_bilingual_line, dinhdanh

pytestmark = pytest.mark.django_db

NOW = datetime(2031, 6, 15, 3, 0, tzinfo=UTC)
CUTOFF = NOW - timedelta(days=1827)
TICK = timedelta(microseconds=1)

USAGE_RULES = {
    "people.signins", "people.sessions", "federation.consents", "trust.questions", "trust.notices",
    "notifications.messages",
}  # fmt: skip
TECHNICAL_RULES = {"core.idempotency", "core.sessions", "people.throttles", "trust.rate_windows"}


@pytest.fixture
def user() -> User:
    return make_user("Trần Thị Lưu")


@pytest.fixture
def rp() -> Client:
    return Client.objects.create(client_id="rp-retention", name="RP", auth_method=AuthMethod.values[0])


_serial = iter(range(1, 10_000_000))


def _signin(at: datetime, **_: Any) -> SignInEvent:
    return SignInEvent.objects.create(at=at, outcome=SignInOutcome.SUCCEEDED, ip="203.0.113.7")


def _session(at: datetime, *, user: User, **_: Any) -> AccountSession:
    return AccountSession.objects.create(user=user, method="password", created_at=at, last_seen_at=at)


def _consent(at: datetime, *, user: User, rp: Client) -> Consent:
    return Consent.objects.create(user=user, client=rp, scope="openid", granted_at=at, revoked_at=at)


def _question(at: datetime, *, rp: Client, **_: Any) -> Question:
    return Question.objects.create(client=rp, kind="member", answer="yes", asked_at=at)


def _notice(at: datetime, *, rp: Client, **_: Any) -> Notice:
    n = next(_serial)
    return Notice.objects.create(
        jti=f"jti-{n}", client=rp, domain_event_id=n, event_type="urn:x", token="t",
        state=NoticeState.DELIVERED, created_at=at, delivered_at=at,
    )  # fmt: skip


def _message(at: datetime, **_: Any) -> Message:
    return Message.objects.create(
        channel="sms", to="+84901234567", template="otp", status=MessageStatus.SENT, created_at=at, sent_at=at
    )


USAGE: dict[str, Callable[..., Any]] = {
    "people.signins": _signin, "people.sessions": _session, "federation.consents": _consent,
    "trust.questions": _question, "trust.notices": _notice, "notifications.messages": _message,
}  # fmt: skip


def _left(rows: list[Any]) -> list[Any]:
    model = type(rows[0])
    return sorted(model.objects.filter(pk__in=[r.pk for r in rows]).values_list("pk", flat=True))


# --- the rules -----------------------------------------------------------------------------------------


def test_every_app_declares_its_rules_and_the_audit_log_is_none_of_them() -> None:
    rules = retention.rules()
    assert set(rules) == USAGE_RULES | TECHNICAL_RULES
    assert {name for name, rule in rules.items() if rule.usage} == USAGE_RULES
    for rule in rules.values():
        model = rule.rows(NOW).model
        assert model is not AuditEvent
        assert model._meta.app_label != "core" or rule.name.startswith("core.")
    assert AuditEvent not in {rule.rows(NOW).model for rule in rules.values()}


@pytest.mark.parametrize("rule", sorted(USAGE))
def test_usage_history_older_than_five_years_goes_and_the_row_at_the_cutoff_stays(
    rule: str, user: User, rp: Client
) -> None:
    make = USAGE[rule]
    old, at_cutoff, young = (make(at, user=user, rp=rp) for at in (CUTOFF - TICK, CUTOFF, NOW))
    done = retention.purge(NOW)
    assert done.counts[rule] == 1
    assert done.cutoffs[rule] == CUTOFF
    assert _left([old, at_cutoff, young]) == sorted([at_cutoff.pk, young.pk])


def test_what_is_not_history_yet_stays_however_old(user: User, rp: Client) -> None:
    ancient = CUTOFF - timedelta(days=3000)
    in_force = Consent.objects.create(user=user, client=rp, scope="openid", granted_at=ancient)
    pending = Message.objects.create(channel="sms", to="+84901234567", template="x", created_at=ancient)
    sent_lately = _message(ancient)
    Message.objects.filter(pk=sent_lately.pk).update(sent_at=CUTOFF + timedelta(days=1))
    waiting = _notice(ancient, rp=rp)
    Notice.objects.filter(pk=waiting.pk).update(state=NoticeState.PENDING, delivered_at=None)
    retention.purge(NOW)
    assert Consent.objects.filter(pk=in_force.pk).exists()
    assert set(Message.objects.values_list("pk", flat=True)) == {pending.pk, sent_lately.pk}
    assert Notice.objects.filter(pk=waiting.pk).exists()


def test_technical_rows_go_once_of_no_use(rp: Client) -> None:
    day = timedelta(days=1)
    for name, at in (("old", NOW - TICK), ("live", NOW)):
        IdempotencyRecord.objects.create(
            scope="user:1", key=name, endpoint="POST /x", request_hash="h", created_at=at - day, expires_at=at
        )
    Session.objects.create(session_key="a" * 32, session_data="x", expire_date=NOW - TICK)
    Session.objects.create(session_key="b" * 32, session_data="x", expire_date=NOW + day)
    RateWindow.objects.create(client=rp, window_start=NOW - 2 * day, count=3)
    RateWindow.objects.create(client=rp, window_start=NOW - timedelta(minutes=1), count=3)
    memory = retention.rules()["people.throttles"].kept()
    assert memory == timedelta(days=1)  # the sign-in counters' memory (86,400 s) is the longest
    forgotten = Throttle.objects.create(scope="pair", key="f", failures=9, last_failure_at=NOW - memory - TICK)
    edge = Throttle.objects.create(scope="pair", key="e", failures=9, last_failure_at=NOW - memory)
    blocked = Throttle.objects.create(
        scope="pair", key="b", failures=9, last_failure_at=NOW - 2 * memory, blocked_until=NOW + day
    )
    done = retention.purge(NOW)
    assert {k: done.counts[k] for k in TECHNICAL_RULES} == {
        "core.idempotency": 1, "core.sessions": 1, "people.throttles": 1, "trust.rate_windows": 1,
    }  # fmt: skip
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["live"]
    assert list(Session.objects.values_list("session_key", flat=True)) == ["b" * 32]
    assert RateWindow.objects.count() == 1
    assert set(Throttle.objects.values_list("pk", flat=True)) == {edge.pk, blocked.pk}
    assert not Throttle.objects.filter(pk=forgotten.pk).exists()


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ages=st.lists(st.integers(min_value=-3 * 86_400_000_000, max_value=3 * 86_400_000_000), max_size=12))
def test_exactly_the_rows_older_than_the_cutoff_go(ages: list[int]) -> None:
    """Ages in microseconds around the cutoff (negative: older): whatever the mix, the older ones go."""
    SignInEvent.objects.all().delete()
    rows = [_signin(CUTOFF + timedelta(microseconds=age)) for age in ages]
    done = retention.purge(NOW, batch=3)
    kept = {r.pk for r, age in zip(rows, ages, strict=True) if age >= 0}
    assert set(SignInEvent.objects.values_list("pk", flat=True)) == kept
    assert done.counts["people.signins"] == len(rows) - len(kept)


# --- batches, dry run, audit ---------------------------------------------------------------------------


def test_rows_are_deleted_in_batches_of_the_size_asked() -> None:
    for _ in range(7):
        _signin(CUTOFF - timedelta(days=1))
    _signin(NOW)
    with CaptureQueriesContext(connection) as queries:
        done = retention.purge(NOW, batch=3)
    table = SignInEvent._meta.db_table
    deletes = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("DELETE") and table in q["sql"]]
    assert len(deletes) == 3  # 3 + 3 + 1
    assert done.counts["people.signins"] == 7
    assert SignInEvent.objects.count() == 1
    assert retention.purge(NOW, batch=3).counts["people.signins"] == 0  # again: nothing more, no failure


def test_a_batch_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="batch"):
        retention.purge(NOW, batch=0)


def test_the_dry_run_counts_and_changes_nothing(user: User, rp: Client) -> None:
    for make in USAGE.values():
        make(CUTOFF - timedelta(days=1), user=user, rp=rp)
        make(NOW, user=user, rp=rp)
    events = AuditEvent.objects.count()
    found = retention.dry_run(NOW)
    assert {name: found.counts[name] for name in USAGE} == dict.fromkeys(USAGE, 1)
    assert AuditEvent.objects.count() == events
    assert SignInEvent.objects.count() == 2
    assert retention.purge(NOW).counts == found.counts


def test_each_run_is_audited_once_with_its_counts() -> None:
    _signin(CUTOFF - TICK)
    before = AuditEvent.objects.filter(action=KernelAction.RETENTION_PURGED).count()
    retention.purge(NOW)
    retention.purge(NOW)
    events = list(AuditEvent.objects.filter(action=KernelAction.RETENTION_PURGED).order_by("pk"))[before:]
    assert len(events) == 2
    first, second = (e.after or {} for e in events)
    assert first["counts"]["people.signins"] == 1
    assert first["total"] == 1
    assert first["usage_days"] == 1827
    assert first["cutoffs"]["people.signins"] == CUTOFF.isoformat()
    assert second["total"] == 0
    assert set(first["counts"]) == USAGE_RULES | TECHNICAL_RULES


# --- the setting ---------------------------------------------------------------------------------------


def test_a_longer_setting_keeps_longer(settings: Any) -> None:
    settings.RETENTION_USAGE_DAYS = 3650
    old = _signin(CUTOFF - timedelta(days=1))
    assert retention.purge(NOW).counts["people.signins"] == 0
    assert SignInEvent.objects.filter(pk=old.pk).exists()


@pytest.mark.parametrize("days", [1826, 365, 0, -1, 36526, 10**9, "1827", 1827.5, None, True])
def test_no_setting_makes_the_job_delete_usage_history_under_five_years(settings: Any, days: object) -> None:
    settings.RETENTION_USAGE_DAYS = days
    old = _signin(CUTOFF - timedelta(days=400))
    events = AuditEvent.objects.count()
    with pytest.raises(ImproperlyConfigured, match="RETENTION_USAGE_DAYS"):
        retention.purge(NOW)
    with pytest.raises(ImproperlyConfigured):
        retention.dry_run(NOW)
    assert SignInEvent.objects.filter(pk=old.pk).exists()  # the run stopped before any delete
    assert AuditEvent.objects.count() == events


@pytest.mark.parametrize("raw", ["1826", "365", "0", "-1827", "five years", "1827.0", "36526", "9" * 30])
def test_the_environment_refuses_a_short_or_odd_value(raw: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DINHDANH_RETENTION_USAGE_DAYS", raw)
    with pytest.raises(ConfigError, match="DINHDANH_RETENTION_USAGE_DAYS"):
        integer_between("DINHDANH_RETENTION_USAGE_DAYS", 1827, low=retention.LEGAL_MINIMUM_DAYS, high=36525)


@pytest.mark.parametrize(("raw", "days"), [("", 1827), ("1827", 1827), (" 3650 ", 3650)])
def test_the_environment_takes_five_years_or_more(raw: str, days: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DINHDANH_RETENTION_USAGE_DAYS", raw)
    assert integer_between("DINHDANH_RETENTION_USAGE_DAYS", 1827, low=1827, high=36525) == days


def test_the_settings_default_is_the_legal_minimum(settings: Any) -> None:
    assert settings.RETENTION_USAGE_DAYS == retention.LEGAL_MINIMUM_DAYS == 1827
    assert timedelta(days=1827) >= datetime(2033, 1, 1, tzinfo=UTC) - datetime(2028, 1, 1, tzinfo=UTC)


def test_the_program_will_not_start_with_a_short_retention(tmp_path: Path) -> None:
    run = dinhdanh(["retention", "--dry-run"], tmp_path / "var", DINHDANH_RETENTION_USAGE_DAYS="1000")
    assert_one_bilingual_line(run, vietnamese="ít nhất 5 năm", english="at least 5 years")


# --- the job and the command ---------------------------------------------------------------------------


def test_the_daily_job_is_registered_and_purges() -> None:
    from dinhdanh.core.tasks import retention_purge

    job = schedule.registered()["retention"]
    assert job.every == timedelta(days=1)
    assert job.task.module_path == retention_purge.module_path
    _signin(datetime.now(UTC) - timedelta(days=1900))
    counts = retention_purge.call()
    assert counts["people.signins"] == 1
    assert json.loads(json.dumps(counts)) == counts  # a task result must be JSON


def test_the_command_dry_run_prints_counts_per_rule_and_changes_nothing() -> None:
    _signin(datetime.now(UTC) - timedelta(days=1900))
    out = io.StringIO()
    call_command("retention", "--dry-run", stdout=out)
    text = out.getvalue()
    assert "people.signins" in text
    assert "dry run: 1 rows would go, nothing changed" in text
    assert SignInEvent.objects.count() == 1
    out = io.StringIO()
    call_command("retention", "--dry-run", "--json", stdout=out)
    listed = json.loads(out.getvalue())
    assert listed["dry_run"] is True
    assert listed["counts"]["people.signins"] == 1
    assert set(listed["counts"]) == USAGE_RULES | TECHNICAL_RULES


def test_the_command_deletes_and_says_how_many() -> None:
    _signin(datetime.now(UTC) - timedelta(days=1900))
    out = io.StringIO()
    call_command("retention", "--batch", "2", stdout=out)
    assert "OK: đã xóa 1 dòng / 1 rows deleted" in out.getvalue()
    assert SignInEvent.objects.count() == 0


@pytest.mark.parametrize("batch", ["0", "-3", "many", "100001"])
def test_the_command_refuses_an_odd_batch(batch: str) -> None:
    with pytest.raises(CommandError, match="--batch"):
        call_command("retention", "--batch", batch, stdout=io.StringIO())


def test_the_command_refuses_a_short_retention_in_one_line(settings: Any) -> None:
    settings.RETENTION_USAGE_DAYS = 30
    with pytest.raises(CommandError, match=r"legal minimum"):
        call_command("retention", "--dry-run", stdout=io.StringIO())

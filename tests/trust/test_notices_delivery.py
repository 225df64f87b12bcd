"""Delivery of notices: push (RFC 8935) to a real receiver on 127.0.0.1 — 202, a 400 with its error, 500,
a receiver too slow, a redirect — with a bounded back-off, the dead-letter list and an administrator's
requeue; and the poll (RFC 8936) with acknowledgements, errors and maxEvents."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from dinhdanh.core.access import AdministratorRole
from dinhdanh.core.errors import DomainError
from dinhdanh.core.models import AuditEvent
from dinhdanh.federation.models import Client
from dinhdanh.trust import delivery, sets
from dinhdanh.trust.audit_actions import TrustAction
from dinhdanh.trust.delivery import MAX_ATTEMPTS, PollError, backoff, deliver_due, poll, push
from dinhdanh.trust.models import Notice, NoticeState
from dinhdanh.trust.subscriptions import NoticeError, notice_requeue, receiver_set
from tests.conftest import make_officer, make_user
from tests.trust.test_notices_support import Receiver as LocalReceiver
from tests.trust.test_notices_support import local_receiver, relying_party

pytestmark = pytest.mark.django_db


@pytest.fixture
def receiver() -> Iterator[LocalReceiver]:
    with local_receiver() as running:
        yield running


_events = iter(range(1, 1_000_000))


def notice_for(client: Client) -> Notice:
    now = timezone.now()
    jti, token = sets.make(
        client=client, event_type=sets.ACCOUNT_ENABLED, subject=sets.organization_subject("00000000001"),
        detail={}, occurred=now, now=now,
    )  # fmt: skip
    return Notice.objects.create(
        jti=jti, client=client, domain_event_id=next(_events), event_type=sets.ACCOUNT_ENABLED, token=token,
        next_attempt_at=now,
    )  # fmt: skip


def pushing_to(url: str, authorization: str = "") -> tuple[Client, Notice]:
    client, _secret = relying_party()
    receiver_set(actor=None, client=client, method="push", endpoint_url=url, authorization=authorization)
    return client, notice_for(client)


def state_of(notice: Notice) -> Notice:
    notice.refresh_from_db()
    return notice


# --- one push ----------------------------------------------------------------------------------------


def test_a_202_delivers_and_the_authorization_is_sent(receiver: LocalReceiver) -> None:
    _client, notice = pushing_to(receiver.url("/ok?tenant=1"), "Bearer rp-secret")
    assert deliver_due()["delivered"] == 1
    (arrived,) = receiver.received
    assert (arrived.path, arrived.headers["Authorization"]) == ("/ok?tenant=1", "Bearer rp-secret")
    assert arrived.body.decode() == notice.token
    assert state_of(notice).state == NoticeState.DELIVERED


def test_a_400_with_an_rfc_8935_error_is_dead_at_once_and_audited(receiver: LocalReceiver) -> None:
    _client, notice = pushing_to(receiver.url("/refuse"), "Bearer rp-secret")
    assert deliver_due()["dead"] == 1
    notice = state_of(notice)
    assert (notice.state, notice.attempts) == (NoticeState.DEAD, 1)
    assert notice.last_error == "400 invalid_key: kid unknown  X"  # the receiver's CR LF made harmless
    event = AuditEvent.objects.get(action=TrustAction.NOTICE_DEAD)
    assert (event.after or {})["jti"] == notice.jti
    assert "rp-secret" not in str(event.after)


def test_a_400_without_an_error_object_is_dead_too(receiver: LocalReceiver) -> None:
    _client, notice = pushing_to(receiver.url("/plain400"))
    deliver_due()
    assert (state_of(notice).state, notice.last_error) == (NoticeState.DEAD, "400 without an RFC 8935 error")


@pytest.mark.parametrize(
    ("path", "error"),
    [
        ("/down", "HTTP 500"),
        ("/gone", "HTTP 404"),
        ("/moved", "HTTP 302: redirects are not followed"),
        ("/slow", "timed out"),
    ],
)
def test_failures_are_retried_later_never_followed_and_never_leak_the_authorization(
    receiver: LocalReceiver,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    path: str,
    error: str,
) -> None:
    monkeypatch.setattr(delivery, "READ_SECONDS", 0.3)  # the slow receiver answers after 1.5 s
    _client, notice = pushing_to(receiver.url(path), "Bearer rp-secret")
    before = timezone.now()
    with caplog.at_level(logging.DEBUG):
        assert deliver_due(now=before)["retry"] == 1
    notice = state_of(notice)
    assert (notice.state, notice.attempts, notice.last_error) == (NoticeState.PENDING, 1, error)
    assert notice.next_attempt_at is not None
    assert timedelta(seconds=47) < notice.next_attempt_at - before < timedelta(seconds=73)  # 1 min ± 20 %
    assert len(receiver.received) == 1  # the redirect was not followed
    assert "rp-secret" not in caplog.text
    assert deliver_due(now=before)["due"] == 0  # not before its time


def test_a_closed_port_is_a_connection_failure_retried() -> None:
    _client, notice = pushing_to("http://127.0.0.1:9/set")
    deliver_due()
    assert state_of(notice).last_error.startswith("connection failed")


def test_push_refuses_an_endpoint_that_became_unacceptable_without_connecting() -> None:
    outcome = push("http://169.254.169.254/latest/meta-data", "x.y.z")
    assert (outcome.delivered, outcome.final) == (False, False)
    assert outcome.error.startswith("endpoint refused")


# --- retries, the bound and the dead-letter list ---------------------------------------------------------


def test_the_back_off_grows_by_three_within_a_fifth_either_way_and_is_capped() -> None:
    assert [backoff(n, jitter=False) for n in range(1, 7)] == [timedelta(minutes=3**k) for k in range(6)]
    assert backoff(7, jitter=False) == timedelta(hours=12)
    assert backoff(30, jitter=False) == timedelta(hours=12)
    for attempt in range(1, 10):
        plain = backoff(attempt, jitter=False)
        assert all(plain * 0.8 <= backoff(attempt) <= plain * 1.2 for _ in range(50))
    total = sum((backoff(n, jitter=False) for n in range(1, MAX_ATTEMPTS)), timedelta())
    assert timedelta(hours=12) < total < timedelta(days=1)


def test_retries_stop_after_the_bound_then_an_administrator_requeues_and_it_arrives(
    receiver: LocalReceiver,
) -> None:
    client, notice = pushing_to(receiver.url("/down"))
    moment = timezone.now()
    for attempt in range(1, MAX_ATTEMPTS + 1):
        counts = deliver_due(now=moment)
        assert counts["due"] == 1, attempt
        notice = state_of(notice)
        moment = notice.next_attempt_at or moment
    assert (notice.state, notice.attempts, notice.next_attempt_at) == (NoticeState.DEAD, MAX_ATTEMPTS, None)
    assert len(receiver.received) == MAX_ATTEMPTS
    assert deliver_due(now=moment + timedelta(days=30))["due"] == 0
    assert AuditEvent.objects.filter(action=TrustAction.NOTICE_DEAD).count() == 1

    with pytest.raises(DomainError) as refused:
        notice_requeue(actor=make_user("Người Thường"), notice_id=notice.pk)
    assert refused.value.status == 403
    admin = make_officer(AdministratorRole.SYSTEM_ADMIN, None, "Quản Trị Viên")
    receiver_set(actor=None, client=client, method="push", endpoint_url=receiver.url("/ok"))
    notice_requeue(actor=admin, notice_id=notice.pk)
    assert (state_of(notice).state, notice.attempts) == (NoticeState.PENDING, 0)
    with pytest.raises(DomainError) as again:
        notice_requeue(actor=admin, notice_id=notice.pk)
    assert again.value.error == NoticeError.NOT_DEAD
    with pytest.raises(DomainError) as missing:
        notice_requeue(actor=admin, notice_id=10**9)
    assert missing.value.error == NoticeError.NOTICE_NOT_FOUND
    assert deliver_due()["delivered"] == 1
    assert state_of(notice).state == NoticeState.DELIVERED
    requeued = AuditEvent.objects.get(action=TrustAction.NOTICE_REQUEUED)
    assert requeued.actor_id == admin.pk


def test_a_claimed_notice_is_not_pushed_twice_and_a_dead_worker_s_claim_lapses(receiver: LocalReceiver) -> None:
    _client, notice = pushing_to(receiver.url("/ok"))
    now = timezone.now()
    claimed = delivery._claim(now, 10)  # a worker took it and died before pushing
    assert [n.pk for n in claimed] == [notice.pk]
    assert deliver_due(now=now)["due"] == 0
    assert deliver_due(now=now + delivery.CLAIM)["due"] == 0  # it might still be pushing it (8 s at worst)
    assert deliver_due(now=now + delivery.CLAIM + timedelta(seconds=8))["delivered"] == 1
    assert len(receiver.received) == 1


def test_notices_of_a_poll_receiver_or_an_inactive_client_are_not_pushed(receiver: LocalReceiver) -> None:
    client, notice = pushing_to(receiver.url("/ok"))
    Client.objects.filter(pk=client.pk).update(active=False)
    assert deliver_due()["due"] == 0
    Client.objects.filter(pk=client.pk).update(active=True)
    receiver_set(actor=None, client=client, method="poll")
    assert deliver_due()["due"] == 0
    assert receiver.received == []
    assert state_of(notice).state == NoticeState.PENDING


# --- poll (RFC 8936) ---------------------------------------------------------------------------------------


def polling(count: int) -> tuple[Client, list[Notice]]:
    client, _secret = relying_party()
    receiver_set(actor=None, client=client, method="poll")
    return client, [notice_for(client) for _ in range(count)]


def test_poll_returns_at_most_max_events_and_acknowledged_ones_are_delivered() -> None:
    client, notices = polling(3)
    first = poll(client=client, request={"maxEvents": 2, "returnImmediately": True})
    assert first["moreAvailable"] is True
    assert list(first["sets"]) == [notices[0].jti, notices[1].jti]
    assert first["sets"][notices[0].jti] == notices[0].token
    again = poll(client=client, request={"maxEvents": 2})  # not acknowledged: given again
    assert again == first
    second = poll(client=client, request={"ack": list(first["sets"]), "maxEvents": 10})
    assert (list(second["sets"]), second["moreAvailable"]) == ([notices[2].jti], False)
    assert [state_of(n).state for n in notices] == [
        NoticeState.DELIVERED,
        NoticeState.DELIVERED,
        NoticeState.PENDING,
    ]
    only_ack = poll(client=client, request={"ack": [notices[2].jti], "maxEvents": 0})
    assert only_ack == {"sets": {}, "moreAvailable": False}
    assert state_of(notices[2]).state == NoticeState.DELIVERED


def test_unknown_and_other_clients_jtis_in_ack_and_set_errs_change_nothing() -> None:
    client, _mine = polling(1)
    other, theirs = polling(1)
    poll(client=client, request={"ack": [theirs[0].jti, "f" * 32], "setErrs": {theirs[0].jti: {"err": "x"}}})
    assert state_of(theirs[0]).state == NoticeState.PENDING
    assert not AuditEvent.objects.filter(action=TrustAction.NOTICE_DEAD).exists()
    assert list(poll(client=other, request={})["sets"]) == [theirs[0].jti]


def test_set_errs_put_a_notice_on_the_dead_letter_list_with_the_receivers_error() -> None:
    client, notices = polling(2)
    poll(client=client, request={"setErrs": {notices[0].jti: {"err": "invalid_issuer", "description": "who?"}}})
    dead = state_of(notices[0])
    assert (dead.state, dead.last_error) == (NoticeState.DEAD, "setErr invalid_issuer: who?")
    assert list(poll(client=client, request={})["sets"]) == [notices[1].jti]
    poll(client=client, request={"ack": [notices[0].jti]})  # handled from the dead-letter list after all
    assert state_of(notices[0]).state == NoticeState.DELIVERED


@pytest.mark.parametrize(
    "request_body",
    [
        [],
        "ack",
        {"ack": "abc"},
        {"ack": ["a"] * 1001},
        {"ack": [1, 2]},
        {"ack": ["x" * 65]},
        {"ack": [""]},
        {"setErrs": []},
        {"setErrs": {"a": "b"}},
        {"setErrs": {"a": {"description": "no err"}}},
        {"setErrs": {f"j{i}": {"err": "e"} for i in range(1001)}},
        {"maxEvents": -1},
        {"maxEvents": 1001},
        {"maxEvents": "5"},
        {"maxEvents": True},
        {"maxEvents": 1.5},
        {"returnImmediately": "yes"},
    ],
)
def test_malformed_polls_are_refused_and_acknowledge_nothing(request_body: Any) -> None:
    client, notices = polling(1)
    body = (
        dict(request_body, ack=[notices[0].jti])
        if isinstance(request_body, dict) and "ack" not in request_body
        else request_body
    )
    with pytest.raises(PollError) as refused:
        poll(client=client, request=body)
    assert refused.value.err == "invalid_request"
    assert state_of(notices[0]).state == NoticeState.PENDING


def test_a_push_client_cannot_poll() -> None:
    client, _notice = pushing_to("https://rp.example.vn/set")
    with pytest.raises(PollError):
        poll(client=client, request={})


# --- parsers under arbitrary input ------------------------------------------------------------------------

_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=80),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=70), inner, max_size=5),
    max_leaves=20,
)


@given(st.text(max_size=600) | st.from_regex(r"(https?|ftp)://[^/]{0,40}(/[ -~]{0,40})?", fullmatch=True))
def test_an_endpoint_is_accepted_only_over_https_or_to_loopback(url: str) -> None:
    problem = delivery.endpoint_problem(url)
    if problem is None:
        parts = urlsplit(url)
        host = parts.hostname or ""
        assert parts.scheme == "https" or host == "localhost" or host.startswith(("127.", "::1"))
        assert parts.username is None
        assert not parts.fragment


@given(_json)
def test_the_poll_fields_refuse_anything_malformed_with_a_poll_error_only(value: Any) -> None:
    for parse in (lambda v: delivery._jtis(v, "ack"), delivery._errors, delivery._max_events):
        with contextlib.suppress(PollError):
            parse(value)

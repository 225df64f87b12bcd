"""Delivering stored messages: once only, with back-off on failure, given up cleanly, secrets erased."""

from __future__ import annotations

import json
import stat
from collections.abc import Callable, Sequence
from datetime import timedelta
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.core.mail import EmailMessage
from django.core.mail.backends import locmem
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import call_command
from django.utils import timezone

from dinhdanh.notifications.backends import ConsoleSmsBackend, FileSmsBackend, PermanentDeliveryError
from dinhdanh.notifications.models import REDACTED, Message, MessageStatus
from dinhdanh.notifications.services import CLAIM, deliver, deliver_due, notify
from tests.notifications.conftest import EMAIL, PHONE

pytestmark = pytest.mark.django_db

SmsLog = Callable[[], list[dict[str, Any]]]
CODE = "482913"
FAILING = "dinhdanh.notifications.backends.FailingSmsBackend"


class EchoingGatewayBackend:
    """A gateway that repeats the number and the text in its error, as real ones do."""

    def send(self, to: str, body: str) -> None:
        raise RuntimeError(f"gateway refused {to!r}: {body}")


class UnknownNumberBackend:
    def send(self, to: str, body: str) -> None:
        raise PermanentDeliveryError("the operator says the number does not exist")


class ReentrantBackend:
    """Calls deliver() for the same message while sending it: a second worker at the same moment."""

    inner: list[MessageStatus] = []
    sent: list[str] = []

    def send(self, to: str, body: str) -> None:
        message = Message.objects.get(to=to)
        ReentrantBackend.inner.append(deliver(message.pk))
        ReentrantBackend.sent.append(body)


def refuse(self: BaseEmailBackend, email_messages: Sequence[EmailMessage]) -> int:
    raise ConnectionRefusedError(f"[Errno 111] refused for {email_messages[0].to[0]}")


def otp() -> Message:
    message = notify(channel="sms", to=PHONE, template="phone_otp", params={"code": CODE, "minutes": 5})
    assert message is not None
    return message


def test_sent_messages_lose_their_one_time_code(sms_sent: SmsLog) -> None:
    message = otp()
    assert deliver(message.pk) == MessageStatus.SENT
    message.refresh_from_db()
    assert message.params == {"code": REDACTED, "minutes": 5}
    assert message.next_attempt_at is None
    assert message.claimed_until is None
    assert CODE in sms_sent()[0]["body"]


def test_delivering_twice_sends_once(sms_sent: SmsLog) -> None:
    message = otp()
    assert deliver(message.pk) == MessageStatus.SENT
    assert deliver(message.pk) == MessageStatus.SENT
    assert len(sms_sent()) == 1
    message.refresh_from_db()
    assert message.attempts == 1


def test_a_second_sender_at_the_same_moment_leaves_the_message_alone(settings: Any) -> None:
    settings.NOTIFY_SMS_BACKEND = "tests.notifications.test_delivery.ReentrantBackend"
    ReentrantBackend.inner, ReentrantBackend.sent = [], []
    message = otp()
    assert deliver(message.pk) == MessageStatus.SENT
    assert ReentrantBackend.inner == [MessageStatus.PENDING]
    assert len(ReentrantBackend.sent) == 1


def test_failures_back_off_exponentially_then_give_up_and_erase_the_code(settings: Any) -> None:
    settings.NOTIFY_SMS_BACKEND = FAILING
    message = otp()
    start = timezone.now()

    assert deliver(message.pk, now=start) == MessageStatus.FAILED
    message.refresh_from_db()
    assert (message.attempts, message.next_attempt_at) == (1, start + timedelta(seconds=60))
    assert message.last_error == "ConnectionError: SMS gateway unavailable (FailingSmsBackend)"
    assert message.params["code"] == CODE  # still needed for the next attempt

    # Not due yet: nothing happens.
    assert deliver(message.pk, now=start + timedelta(seconds=59)) == MessageStatus.FAILED
    message.refresh_from_db()
    assert message.attempts == 1

    second = start + timedelta(seconds=60)
    assert deliver(message.pk, now=second) == MessageStatus.FAILED
    message.refresh_from_db()
    assert (message.attempts, message.next_attempt_at) == (2, second + timedelta(seconds=120))

    assert deliver(message.pk, now=second + timedelta(seconds=120)) == MessageStatus.DEAD
    message.refresh_from_db()
    assert message.attempts == 3
    assert message.next_attempt_at is None
    assert message.params == {"code": REDACTED, "minutes": 5}
    assert message.last_error.startswith("ConnectionError")


def test_the_error_kept_names_neither_the_recipient_nor_the_code(settings: Any) -> None:
    settings.NOTIFY_SMS_BACKEND = "tests.notifications.test_delivery.EchoingGatewayBackend"
    message = otp()
    deliver(message.pk)
    message.refresh_from_db()
    assert message.last_error.startswith("RuntimeError: gateway refused")
    assert PHONE not in message.last_error
    assert PHONE[2:] not in message.last_error
    assert CODE not in message.last_error
    assert len(message.last_error) <= 300


def test_a_permanent_refusal_gives_up_at_once(settings: Any) -> None:
    settings.NOTIFY_SMS_BACKEND = "tests.notifications.test_delivery.UnknownNumberBackend"
    message = otp()
    assert deliver(message.pk) == MessageStatus.DEAD
    message.refresh_from_db()
    assert message.attempts == 1
    assert message.last_error == "PermanentDeliveryError: the operator says the number does not exist"


def test_a_mail_server_that_refuses_is_retried_without_leaking_the_address(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The test environment's mail backend, whichever setting (EMAIL_BACKEND or MAILERS) selects it.
    monkeypatch.setattr(locmem.EmailBackend, "send_messages", refuse)
    message = notify(channel="email", to=EMAIL, template="password_changed")
    assert message is not None
    assert deliver(message.pk) == MessageStatus.FAILED
    message.refresh_from_db()
    assert message.last_error.startswith("ConnectionRefusedError: [Errno 111] refused for")
    assert "example.com" not in message.last_error


def test_a_stored_header_injection_is_given_up_not_sent() -> None:
    # Stored by an older version, or written to the table by hand: checked again before sending.
    message = Message.objects.create(
        channel="email",
        to="an@example.com\nBcc: everyone@example.com",
        template="password_changed",
        next_attempt_at=timezone.now(),
    )
    assert deliver(message.pk) == MessageStatus.DEAD
    message.refresh_from_db()
    assert message.last_error == "InvalidRecipientError: the recipient contains control characters"
    assert mail.outbox == []


def test_a_template_that_no_longer_exists_is_given_up_with_the_reason() -> None:
    message = Message.objects.create(
        channel="sms", to=PHONE, template="retired_template", next_attempt_at=timezone.now()
    )
    assert deliver(message.pk) == MessageStatus.DEAD
    message.refresh_from_db()
    assert message.last_error.startswith("TemplateDoesNotExist: notifications/retired_template.sms.txt")


def test_a_code_that_expired_before_it_could_be_sent_is_given_up(sms_sent: SmsLog) -> None:
    message = otp()
    assert deliver(message.pk, now=message.created_at + timedelta(minutes=6)) == MessageStatus.DEAD
    message.refresh_from_db()
    assert message.last_error.startswith("Expired")
    assert message.params["code"] == REDACTED
    assert sms_sent() == []


def test_a_sender_that_died_mid_send_is_replaced_once_its_claim_runs_out(sms_sent: SmsLog) -> None:
    message = otp()
    now = timezone.now()
    Message.objects.filter(pk=message.pk).update(claimed_until=now + CLAIM, attempts=1)
    assert deliver_due(now=now)["due"] == 0
    assert deliver(message.pk, now=now) == MessageStatus.PENDING
    later = now + CLAIM + timedelta(seconds=1)
    message.created_at = later  # keep the code valid for this test
    message.save(update_fields=["created_at"])
    assert deliver_due(now=later) == {"due": 1, "sent": 1, "failed": 0, "dead": 0, "skipped": 0}
    assert len(sms_sent()) == 1


def test_deliver_due_takes_only_due_messages_oldest_first(settings: Any, sms_sent: SmsLog) -> None:
    due = notify(channel="sms", to=PHONE, template="password_changed")
    later = notify(channel="sms", to="0987654321", template="account_unlocked")
    done = notify(channel="sms", to="0911111111", template="account_unlocked")
    assert due is not None
    assert later is not None
    assert done is not None
    now = timezone.now()
    Message.objects.filter(pk=later.pk).update(
        status=MessageStatus.FAILED, next_attempt_at=now + timedelta(hours=1)
    )
    Message.objects.filter(pk=done.pk).update(status=MessageStatus.SENT, next_attempt_at=None)

    assert deliver_due(now=now) == {"due": 1, "sent": 1, "failed": 0, "dead": 0, "skipped": 0}
    assert [s["to"] for s in sms_sent()] == [PHONE]
    assert deliver_due(now=now + timedelta(hours=1))["sent"] == 1
    assert len(sms_sent()) == 2


def test_deliver_due_respects_its_limit() -> None:
    for _ in range(3):
        notify(channel="sms", to=PHONE, template="password_changed")
    assert deliver_due(limit=2)["sent"] == 2
    assert Message.objects.filter(status=MessageStatus.PENDING).count() == 1


def test_the_command_prints_a_json_summary(settings: Any) -> None:
    notify(channel="sms", to=PHONE, template="password_changed")
    out = StringIO()
    call_command("outbox_deliver", "--limit", "10", stdout=out)
    assert json.loads(out.getvalue()) == {"passes": 1, "due": 1, "sent": 1, "failed": 0, "dead": 0, "skipped": 0}

    settings.NOTIFY_SMS_BACKEND = FAILING
    notify(channel="sms", to=PHONE, template="password_changed")
    out = StringIO()
    call_command("outbox_deliver", "--loop", "--max-seconds", "0", stdout=out)
    summary = json.loads(out.getvalue())
    assert (summary["passes"], summary["failed"]) == (1, 1)


def test_the_file_backend_keeps_its_directory_private(tmp_path: Path) -> None:
    backend = FileSmsBackend(tmp_path / "sms")
    backend.send(PHONE, "Xin chào")
    backend.send(PHONE, "Lần hai")
    assert stat.S_IMODE((tmp_path / "sms").stat().st_mode) == 0o700
    assert stat.S_IMODE((tmp_path / "sms" / "sms.jsonl").stat().st_mode) == 0o600
    lines = (tmp_path / "sms" / "sms.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["body"] for line in lines] == ["Xin chào", "Lần hai"]


def test_the_console_backend_prints(capsys: pytest.CaptureFixture[str]) -> None:
    ConsoleSmsBackend().send(PHONE, "Xin chào")
    assert "Xin chào" in capsys.readouterr().out

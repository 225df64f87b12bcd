"""Queueing a message: stored in the caller's transaction, sent only once it commits, rendered in the
person's language, and refused or parked when the call or the recipient is wrong."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.db import transaction
from django.utils import translation
from pytest_django.fixtures import DjangoCaptureOnCommitCallbacks

from dinhdanh.notifications import rendering
from dinhdanh.notifications.catalogue import TEMPLATES
from dinhdanh.notifications.models import REDACTED, Channel, Message, MessageStatus
from dinhdanh.notifications.services import notify, notify_user, render
from tests.notifications.conftest import EMAIL, PHONE, make_reachable_user

pytestmark = pytest.mark.django_db

SmsLog = Callable[[], list[dict[str, Any]]]


class BoomError(Exception):
    pass


def test_stored_at_once_and_sent_when_the_transaction_commits(
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks, sms_sent: SmsLog
) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        message = notify(channel="sms", to=PHONE, template="phone_otp", params={"code": "482913", "minutes": 5})
        assert message is not None
        message.refresh_from_db()
        assert message.status == MessageStatus.PENDING
        assert sms_sent() == []  # nothing leaves before the commit
    assert len(callbacks) == 1
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    assert message.sent_at is not None
    assert message.attempts == 1
    [sms] = sms_sent()
    assert sms["to"] == PHONE
    assert "482913" in sms["body"]
    assert "5 phút" in sms["body"]


def test_nothing_stored_or_sent_when_the_business_transaction_rolls_back(
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks, sms_sent: SmsLog
) -> None:
    user = make_reachable_user()

    def change_password_then_fail() -> None:
        with transaction.atomic():
            notify_user(user, "password_changed")
            assert Message.objects.count() == 2
            raise BoomError

    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(BoomError):
        change_password_then_fail()
    assert callbacks == []
    assert Message.objects.count() == 0
    assert sms_sent() == []
    assert mail.outbox == []


def test_notify_user_uses_every_address_and_the_preferred_language(
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks, sms_sent: SmsLog
) -> None:
    user = make_reachable_user(language="en")
    with django_capture_on_commit_callbacks(execute=True):
        messages = notify_user(user, "signin_locked", {"minutes": 15})
    assert sorted(m.channel for m in messages) == ["email", "sms"]
    assert all(m.language == "en" and m.user_id == user.pk for m in messages)
    [email] = mail.outbox
    assert email.to == [EMAIL]
    assert "15" in email.body
    assert email.subject
    assert "\n" not in email.subject
    assert email.extra_headers["Auto-Submitted"] == "auto-generated"
    assert "15" in sms_sent()[0]["body"]


def test_notify_user_skips_missing_addresses_and_channels_the_template_lacks() -> None:
    user = make_reachable_user(email="")
    assert [m.channel for m in notify_user(user, "account_unlocked")] == [Channel.SMS]
    # phone_otp has no e-mail version: asking for both channels sends the SMS only.
    user.email = EMAIL
    messages = notify_user(user, "phone_otp", {"code": "111222", "minutes": 5}, sensitive=("code",))
    assert [m.channel for m in messages] == [Channel.SMS]
    nobody = make_reachable_user(phone="", email="")
    assert notify_user(nobody, "password_changed") == []


def test_an_empty_recipient_stores_nothing() -> None:
    assert notify(channel="email", to="  ", template="password_changed") is None
    assert Message.objects.count() == 0


@pytest.mark.parametrize(
    ("kwargs", "problem"),
    [
        ({"template": "no_such_template"}, "unknown notification template"),
        ({"template": "phone_otp", "channel": "email", "to": EMAIL}, "no email version"),
        ({"template": "signin_locked", "params": {}}, "needs params"),
        ({"template": "password_changed", "params": {"code": "1"}}, "takes no params"),
        ({"template": "level_changed", "params": {"level": 2}, "sensitive": ("otp",)}, "not params"),
    ],
)
def test_programming_errors_raise(kwargs: dict[str, Any], problem: str) -> None:
    call: dict[str, Any] = {"channel": "sms", "to": PHONE, **kwargs}
    with pytest.raises(ValueError, match=problem):
        notify(**call)
    assert Message.objects.count() == 0


def test_an_unknown_channel_or_a_param_of_the_wrong_type_raises() -> None:
    with pytest.raises(ValueError, match="fax"):
        notify(channel="fax", to=PHONE, template="password_changed")
    with pytest.raises(TypeError):
        notify(channel="sms", to=PHONE, template="level_changed", params={"level": True})


def test_every_template_in_the_catalogue_renders_in_vietnamese_with_its_params() -> None:
    samples: dict[str, str | int] = {
        "code": "482913",
        "minutes": 7,
        "kind": "authority",
        "level": 2,
        "reason": "Ảnh chân dung không rõ",
        "factor": "passkey",
        "eid": "00000000018",
        "organization": "Công ty TNHH An Phát",
        "number": "HS-2026-0000123",
        "due": "26/11/2026 17:00",
        "plan": "374/KH-UBND",
        "unit": "Phường Rạch Giá",
        "week": "01/12/2026",
        "task": "1.2",
        "deadline": "31/12/2026",
    }
    for spec in TEMPLATES.values():
        for channel in spec.channels:
            message = Message(
                channel=channel,
                to=PHONE,
                template=spec.code,
                params={name: samples[name] for name in spec.params},
            )
            subject, body = render(message)
            assert "dinhdanh" in f"{subject} {body}", spec.code
            assert "{{" not in body
            assert "{%" not in body
            for name in spec.params - {"kind", "factor"}:
                assert str(samples[name]) in body, (spec.code, channel, name)
            if channel == Channel.SMS:
                assert subject == ""
                assert "\n" not in body
                assert len(body) <= 200, spec.code
            else:
                assert subject
                assert "\n" not in subject
                assert body.splitlines()[0] == "Xin chào,"
                assert "Trân trọng," in body


def test_labels_and_kinds_are_rendered_as_words() -> None:
    factor = Message(channel=Channel.SMS, template="factor_added", params={"factor": "TOTP"})
    assert "ứng dụng xác thực (TOTP)" in render(factor)[1]
    unknown = Message(channel=Channel.SMS, template="factor_added", params={"factor": "thẻ từ"})
    assert "thẻ từ" in render(unknown)[1]
    holder = Message(channel=Channel.EMAIL, template="account_locked", params={"kind": "holder"})
    authority = Message(channel=Channel.EMAIL, template="account_locked", params={"kind": "authority"})
    assert "theo đề nghị của bạn" in render(holder)[1]
    assert "cơ quan có thẩm quyền" in render(authority)[1]


def test_text_is_not_html_escaped() -> None:
    message = Message(channel=Channel.SMS, template="level_rejected", params={"reason": 'Ảnh "mờ" & <tối>'})
    assert 'Ảnh "mờ" & <tối>' in render(message)[1]


def test_rendering_happens_in_the_message_language(monkeypatch: pytest.MonkeyPatch) -> None:
    # English strings arrive with the catalogue; what matters here is that the message's own
    # language is active while it renders, and that the caller's language is restored afterwards.
    seen: list[str | None] = []
    original = rendering._context

    def spy(params: dict[str, Any]) -> dict[str, Any]:
        seen.append(translation.get_language())
        return original(params)

    monkeypatch.setattr(rendering, "_context", spy)
    message = Message(channel=Channel.SMS, template="signin_locked", params={"minutes": 15}, language="en")
    with translation.override("vi"):
        _subject, body = render(message)
        assert translation.get_language() == "vi"
    assert seen == ["en"]
    assert "15" in body


def test_an_unknown_language_falls_back_to_vietnamese() -> None:
    message = notify(channel="sms", to=PHONE, template="password_changed", language="klingon")
    assert message is not None
    assert message.language == "vi"


def test_the_one_time_code_is_sensitive_even_if_the_caller_forgets() -> None:
    message = notify(channel="sms", to=PHONE, template="phone_otp", params={"code": "482913", "minutes": 5})
    assert message is not None
    assert message.sensitive == ["code"]
    assert render(message, redacted=True)[1].count(REDACTED) == 1


@pytest.mark.parametrize(
    ("channel", "to"),
    [
        ("email", "an@example.com\nBcc: everyone@example.com"),
        ("email", "an@example.com\rBcc: everyone@example.com"),
        ("email", "Kẻ gian <an@example.com>, b@example.com"),
        ("email", "an\x00@example.com"),
        ("email", "không-phải-địa-chỉ"),
        ("sms", "0912345667\nhello"),
        ("sms", "call me maybe"),
        ("sms", "0" * 300),
    ],
)
def test_a_hostile_or_broken_recipient_is_parked_as_given_up_and_never_sent(
    channel: str,
    to: str,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
    sms_sent: SmsLog,
) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        if channel == "sms":
            message = notify(channel=channel, to=to, template="phone_otp", params={"code": "482913", "minutes": 5})
        else:
            message = notify(channel=channel, to=to, template="password_changed")
    assert callbacks == []
    assert message is not None
    message.refresh_from_db()
    assert message.status == MessageStatus.DEAD
    assert message.last_error.startswith("InvalidRecipientError: ")
    assert "example.com" not in message.last_error
    assert "0912345667" not in message.last_error
    assert "\x00" not in message.to
    assert "482913" not in str(message.params)
    assert mail.outbox == []
    assert sms_sent() == []


def test_phone_numbers_are_stored_without_separators() -> None:
    message = notify(channel="sms", to=" 091 234-56.67 ", template="password_changed")
    assert message is not None
    assert message.to == PHONE
    assert message.status == MessageStatus.PENDING

"""Issue 10 §6: `/register/` told anyone which numbers have an account, without limit. Now the first
step answers alike either way (the holder of an existing account is told instead, at most once an
hour), only whoever enters the code texted to the phone they gave learns the number was taken, and
registrations are throttled per client address."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from dinhdanh.core.errors import DomainError
from dinhdanh.core.models import AuditEvent
from dinhdanh.notifications.models import Message
from dinhdanh.people.audit_actions import PeopleAction
from dinhdanh.people.models import OneTimeCode, PendingRegistration, Throttle, User
from dinhdanh.people.services import user_create
from dinhdanh.people.services.registration import registration_confirm, registration_start
from tests.people.support import PHONE, PID, latest_code, register_form, registration, sms_log

pytestmark = pytest.mark.django_db

# Two citizens born the same year; the phones they type end alike, as the confirm page shows the end.
OTHER_PID = "079085005678"
OTHER_PHONE = "0987000678"
HOLDER_PHONE = "0903111222"


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def holder() -> User:
    """The real holder of PID, with an account made at a police desk."""
    user = user_create(actor=None, personal_id=PID, full_name="Trần Văn An", password=None, phone=HOLDER_PHONE)
    User.objects.filter(pk=user.pk).update(email="an@example.vn")
    return User.objects.get(pk=user.pk)


def _scrub(page: str) -> str:
    # Tokens and nonces differ on every page; nothing else may.
    return re.sub(r'(value|nonce|content)="[A-Za-z0-9+/=_-]{32,}"', "", page)


def _register(number: str, phone: str, address: str) -> tuple[Any, Any]:
    client = Client(REMOTE_ADDR=address)
    response = client.post("/register/", register_form(personal_id=number, phone=phone))
    return response, client.get("/register/confirm/")


def test_the_first_step_answers_alike_whether_or_not_the_number_has_an_account(holder: User) -> None:
    taken, taken_page = _register(PID, PHONE[:-3] + "678", "203.0.113.1")
    free, free_page = _register(OTHER_PID, OTHER_PHONE, "203.0.113.2")
    assert taken.status_code == free.status_code == 302
    assert taken["Location"] == free["Location"] == "/register/confirm/"
    assert sorted(taken.headers) == sorted(free.headers)
    assert taken_page.status_code == free_page.status_code == 200
    assert sorted(taken_page.headers) == sorted(free_page.headers)
    assert _scrub(taken_page.content.decode()) == _scrub(free_page.content.decode())
    assert "đã có tài khoản" not in taken_page.content.decode()
    # Both phones got a code; nothing else went to the typed phone.
    assert PendingRegistration.objects.count() == 2
    assert OneTimeCode.objects.count() == 2


def test_the_holder_is_told_and_no_account_is_created(holder: User, outbox: Path) -> None:
    pending = registration_start(data=registration(phone=OTHER_PHONE))
    notices = Message.objects.filter(template="registration_attempted")
    assert set(notices.values_list("channel", "to")) == {("sms", HOLDER_PHONE), ("email", "an@example.vn")}
    assert all(m.user_id == holder.pk for m in notices)
    event = AuditEvent.objects.get(action=PeopleAction.REGISTRATION_OF_EXISTING)
    assert event.object_id == str(holder.pk)
    assert PID not in str(event.after)

    code = latest_code(outbox)
    assert [sms["to"] for sms in sms_log(outbox) if code in sms["body"]] == [OTHER_PHONE]
    with pytest.raises(DomainError) as exc:
        registration_confirm(registration_id=pending.pk, code=code)
    assert exc.value.code == "people.registered_before"
    assert "Quên mật khẩu" in exc.value.message("vi")
    assert User.objects.count() == 1
    assert User.objects.get().phone == HOLDER_PHONE


def test_the_holder_is_told_at_most_once_an_hour(holder: User, settings: Any) -> None:
    for phone in (OTHER_PHONE, "0987000679", "0987000680"):
        registration_start(data=registration(phone=phone))
        OneTimeCode.objects.update(created_at=timezone.now() - timedelta(minutes=2))
    assert Message.objects.filter(template="registration_attempted").count() == 2  # one per channel
    assert AuditEvent.objects.filter(action=PeopleAction.REGISTRATION_OF_EXISTING).count() == 3
    Message.objects.update(created_at=timezone.now() - timedelta(seconds=settings.NOTICE_MIN_INTERVAL_SECONDS + 1))
    registration_start(data=registration(phone="0987000681"))
    assert Message.objects.filter(template="registration_attempted").count() == 4


def test_registrations_are_throttled_per_client_address(settings: Any) -> None:
    settings.REGISTER_FREE_ATTEMPTS = 3
    here = Client(REMOTE_ADDR="203.0.113.7")
    # Refused input counts too: a malformed try teaches an attacker as much as a good one.
    for i in range(settings.REGISTER_FREE_ATTEMPTS + 1):
        response = here.post("/register/", register_form(personal_id=f"07908500{i:04d}", consent=None))
        assert response.status_code == 400
        assert "Cần đồng ý" in response.content.decode()
    # However slow this machine, the next post must land within the wait: stretch it.
    Throttle.objects.filter(scope="register").update(blocked_until=timezone.now() + timedelta(seconds=60))
    refused = here.post("/register/", register_form())
    assert refused.status_code == 429
    assert re.search(
        r"Có quá nhiều lượt đăng ký từ địa chỉ mạng này\. Vui lòng thử lại sau [0-9]+ giây\.",
        refused.content.decode(),
    )
    assert not PendingRegistration.objects.exists()
    elsewhere = Client(REMOTE_ADDR="198.51.100.7").post("/register/", register_form())
    assert elsewhere.status_code == 302


def test_throttled_registration_writes_nothing_and_says_so_in_english(settings: Any) -> None:
    settings.REGISTER_FREE_ATTEMPTS = 0
    from dinhdanh.people.signin import Client as From

    here = From(ip="203.0.113.8")
    with pytest.raises(DomainError):
        registration_start(data=registration(consent=False), client=here)  # counted, and sets a wait
    Throttle.objects.filter(scope="register").update(blocked_until=timezone.now() + timedelta(seconds=60))
    with pytest.raises(DomainError) as exc:
        registration_start(data=registration(), client=here)
    assert exc.value.code == "people.register_throttled"
    assert "{" not in exc.value.message("en")
    assert not PendingRegistration.objects.exists()
    assert not OneTimeCode.objects.exists()

"""Issue 10 §11: the officer sees the phone of an account (masked) and, with the holder and the ID card in
front of them, replaces it; whoever held the old phone (a squatter who registered the number first)
loses every way in, and the holder sets a new password through the new phone."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from dinhdanh.core.errors import DomainError
from dinhdanh.core.models import AuditEvent
from dinhdanh.notifications.models import Message
from dinhdanh.people import assurance
from dinhdanh.people.audit_actions import PeopleAction
from dinhdanh.people.errors import PeopleError
from dinhdanh.people.models import AccountSession, OneTimeCode, RecoveryCode, TotpDevice, User
from dinhdanh.people.models.accounts import CardKind
from dinhdanh.people.permissions import PeopleRole
from dinhdanh.people.services import password_reset_finish, password_reset_start, reset_token
from dinhdanh.people.services.contacts import phone_reset
from dinhdanh.people.services.levels import CardCheck
from dinhdanh.people.services.registration import registration_confirm, registration_start
from dinhdanh.people.signin import Client as From
from dinhdanh.people.signin import password_check
from tests.conftest import make_officer, signed_in, unit
from tests.people.support import GOOD_PASSWORD, PID, enrol_totp, latest_code, registration, sms_log
from tests.web.support import html

pytestmark = pytest.mark.django_db

COMMUNE = "30292"
SQUATTER_PHONE = "0912345678"  # the phone the squatter registered with (support.PHONE)
HOLDER_PHONE = "0987111222"
NEW_PASSWORD = "Chu-Tai-Khoan-That-2026"


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def squatted(outbox: Path) -> User:
    """Someone registered the holder's number online first, with their own phone, and added an app."""
    pending = registration_start(data=registration(email="ke.mao.danh@example.com"))
    user = registration_confirm(registration_id=pending.pk, code=latest_code(outbox))
    enrol_totp(user)
    return user


def officer() -> User:
    return make_officer(PeopleRole.INTAKE_OFFICER, unit(COMMUNE), name="Cán bộ Tiếp Nhận")


def card(number: str = PID) -> CardCheck:
    return CardCheck(kind=CardKind.CCCD, number=number)


def reset(actor: User, user: User, **changes: Any) -> User:
    args: dict[str, Any] = {"phone": HOLDER_PHONE, "email": "", "card": card(), "unit": unit(COMMUNE)}
    args.update(changes)
    return phone_reset(actor=actor, user=user, **args)


def test_the_officer_sees_the_phone_masked(squatted: User) -> None:
    client = signed_in(Client(), officer())
    client.post("/people/", {"action": "find", "personal_id": PID})
    page = html(client.get(f"/people/{squatted.pk}/"))
    assert "091****678" in page
    assert SQUATTER_PHONE not in page
    assert "ke.mao.danh@example.com" not in page
    assert "k***@example.com" in page
    assert "Đặt lại số điện thoại" in page


def test_a_squatted_account_is_handed_back_to_its_holder(squatted: User, outbox: Path) -> None:
    squatter_browser = signed_in(Client(), squatted)
    desk = signed_in(Client(), officer())
    desk.post("/people/", {"action": "find", "personal_id": PID})
    form = {
        "reset-phone": HOLDER_PHONE,
        "reset-email": "chu.that@example.vn",
        "reset-card_kind": "cccd",
        "reset-card_number": PID,
        "reset-unit": str(unit(COMMUNE).pk),
        "reset-confirm": "on",
    }
    response = desk.post(f"/people/{squatted.pk}/phone/", form, follow=True)
    assert "Đã cập nhật số điện thoại." in html(response)
    holder = User.objects.get(pk=squatted.pk)
    assert (holder.phone, holder.email) == (HOLDER_PHONE, "chu.that@example.vn")
    assert holder.phone_confirmed_at is not None
    # Every way in of the squatter is gone: password, app, recovery codes, sessions, pending codes.
    assert not holder.has_usable_password()
    assert not TotpDevice.objects.filter(user=holder).exists()
    assert not RecoveryCode.objects.filter(user=holder).exists()
    assert not AccountSession.objects.filter(user=holder, revoked_at__isnull=True).exists()
    assert squatter_browser.get("/me/")["Location"].startswith("/signin/")
    with pytest.raises(DomainError) as exc:
        password_check(login=PID, password=GOOD_PASSWORD, client=From(ip="203.0.113.5"))
    assert exc.value.code == "people.invalid_login"
    # Both phones are told; the audit names the change without the numbers in clear.
    told = {(m.template, m.to) for m in Message.objects.filter(template__in=["phone_reset", "phone_replaced"])}
    assert told == {
        ("phone_reset", HOLDER_PHONE),
        ("phone_reset", "chu.that@example.vn"),
        ("phone_replaced", SQUATTER_PHONE),
        ("phone_replaced", "ke.mao.danh@example.com"),
    }
    event = AuditEvent.objects.get(action=PeopleAction.PHONE_RESET)
    stored = json.dumps([event.before, event.after])
    after = event.after or {}
    assert event.before == {"phone": "091****678", "email": True}
    assert after["phone"] == "098****222"
    assert after["factors_removed"] >= 2  # the app and its recovery codes
    for secret in (PID, SQUATTER_PHONE, HOLDER_PHONE):
        assert secret not in stored

    # The holder sets a password with the new phone, and signs in.
    password_reset_start(personal_id=PID, phone=HOLDER_PHONE)
    code = latest_code(outbox)
    assert sms_log(outbox)[-1]["to"] == HOLDER_PHONE
    password_reset_finish(token=reset_token(PID), code=code, new=NEW_PASSWORD, confirm=NEW_PASSWORD)
    outcome = password_check(login=PID, password=NEW_PASSWORD, client=From(ip="203.0.113.6"))
    assert outcome.user == holder


def test_a_reset_code_texted_to_the_old_phone_stops_working(squatted: User, outbox: Path) -> None:
    password_reset_start(personal_id=PID, phone=SQUATTER_PHONE)
    code = latest_code(outbox)
    reset(officer(), squatted)
    with pytest.raises(DomainError) as exc:
        password_reset_finish(token=reset_token(PID), code=code, new=NEW_PASSWORD, confirm=NEW_PASSWORD)
    assert exc.value.code == "people.otp_expired"
    assert not OneTimeCode.objects.filter(consumed_at__isnull=True).exists()


REFUSALS: dict[str, tuple[dict[str, Any], PeopleError | str]] = {
    "someone else's card": ({"card": card("079085001235")}, PeopleError.CARD_MISMATCH),
    "malformed card": ({"card": card("07908500123x")}, PeopleError.CARD_INVALID),
    "landline": ({"phone": "0241234567"}, PeopleError.PHONE_INVALID),
    "phone with letters": ({"phone": "09l2345678"}, PeopleError.PHONE_INVALID),
    "e-mail with a line break": ({"email": "a@example.vn\nBcc: x@evil.example"}, PeopleError.EMAIL_INVALID),
    "outside the jurisdiction": ({"unit": "00004"}, "core.out_of_jurisdiction"),  # Phường Ba Đình, Hà Nội
}


@pytest.mark.parametrize(("changes", "error"), REFUSALS.values(), ids=REFUSALS.keys())
def test_refusals_change_nothing(squatted: User, changes: dict[str, Any], error: PeopleError | str) -> None:
    actor = officer()
    if "unit" in changes:
        changes = {**changes, "unit": unit(changes["unit"])}
    before = User.objects.filter(pk=squatted.pk).values().get()
    messages = Message.objects.count()
    with pytest.raises(DomainError) as exc:
        reset(actor, squatted, **changes)
    assert exc.value.code == (error if isinstance(error, str) else error.code)
    assert User.objects.filter(pk=squatted.pk).values().get() == before
    assert TotpDevice.objects.filter(user=squatted).exists()
    assert Message.objects.count() == messages
    assert not AuditEvent.objects.filter(action=PeopleAction.PHONE_RESET).exists()


def test_a_citizen_cannot_reset_anyones_phone(squatted: User) -> None:
    from tests.conftest import make_user

    with pytest.raises(DomainError) as exc:
        reset(make_user("Người Lạ"), squatted)
    assert exc.value.code == "core.permission_denied"
    assert User.objects.get(pk=squatted.pk).phone == SQUATTER_PHONE


def test_a_reset_needs_a_fresh_second_factor(squatted: User) -> None:
    actor = officer()
    with assurance.bound(assurance.Assurance("http", None)), pytest.raises(DomainError) as exc:
        reset(actor, squatted)
    assert exc.value.error is PeopleError.STEP_UP_REQUIRED
    assert User.objects.get(pk=squatted.pk).phone == SQUATTER_PHONE
    # The page asks for step-up first and changes nothing.
    client = signed_in(Client(), actor, stepped_up=False)
    client.post("/people/", {"action": "find", "personal_id": PID})
    response = client.post(f"/people/{squatted.pk}/phone/", {"reset-phone": HOLDER_PHONE})
    assert response.status_code == 302
    assert response["Location"].startswith("/step-up/")
    assert User.objects.get(pk=squatted.pk).phone == SQUATTER_PHONE


def test_an_officer_must_have_looked_the_person_up_first(squatted: User) -> None:
    client = signed_in(Client(), officer())
    response = client.post(f"/people/{squatted.pk}/phone/", {"reset-phone": HOLDER_PHONE})
    assert response.status_code == 404
    assert User.objects.get(pk=squatted.pk).phone == SQUATTER_PHONE

"""Account levels: level 2 in person after checking the ID card, level-1 review, lookups by number."""

from __future__ import annotations

import json
from datetime import date
from itertools import count

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from dinhdanh.core.access import AdministratorRole, Role
from dinhdanh.core.audit_actions import KernelAction
from dinhdanh.core.calendar import current_calendar
from dinhdanh.core.codes import CodeError, mask_personal_id
from dinhdanh.core.errors import CoreError, DomainError
from dinhdanh.core.models import AuditEvent
from dinhdanh.core.sealed import unseal_text
from dinhdanh.core.text import nfc
from dinhdanh.geo.models import AdministrativeUnit
from dinhdanh.notifications.models import Message
from dinhdanh.people import selectors, services
from dinhdanh.people.audit_actions import PeopleAction
from dinhdanh.people.errors import PeopleError
from dinhdanh.people.models import AccountLevel, LevelRequest, RequestKind, RequestStatus, User
from dinhdanh.people.models.accounts import CardKind
from dinhdanh.people.permissions import PeopleRole
from dinhdanh.people.services.levels import CardCheck, level2_raise
from dinhdanh.people.services.locks import lock_by_holder
from dinhdanh.registries.permissions import RegistryRole
from tests.conftest import make_officer, make_user, unit

pytestmark = pytest.mark.django_db

COMMUNE = "30292"  # Phường Bình Đức, An Giang
HA_NOI_COMMUNE = "00004"  # Phường Ba Đình
_numbers = count(1)


def number() -> str:
    """A fresh citizen number with a valid layout (Kiên Giang, male, born 1985)."""
    return f"091085{next(_numbers):06d}"


def person(level: AccountLevel = AccountLevel.LEVEL_1, personal_id: str | None = None) -> tuple[User, str]:
    pid = personal_id or number()
    user = services.user_create(
        actor=None, personal_id=pid, full_name="Lê Thị Hoa", password=None, level=level, email="hoa@example.vn"
    )
    return user, pid


def intake(code: str = COMMUNE) -> User:
    return make_officer(PeopleRole.INTAKE_OFFICER, unit(code), name="Cán bộ Tiếp Nhận")


def commune() -> AdministrativeUnit:
    return unit(COMMUNE)


def audit_text() -> str:
    return json.dumps(list(AuditEvent.objects.values("before", "after", "object_id", "object_type")))


def snapshot() -> tuple[int, int, int]:
    return AuditEvent.objects.count(), LevelRequest.objects.count(), Message.objects.count()


# --- level 2 in person ----------------------------------------------------------------------------------


def test_an_intake_officer_raises_a_person_found_by_number_to_level_2() -> None:
    officer = intake()
    citizen, pid = person()
    found = selectors.person_by_number(actor=officer, personal_id=pid)
    assert found == citizen

    request = level2_raise(actor=officer, user=found, card=CardCheck(CardKind.CCCD, pid), unit=commune())

    citizen.refresh_from_db()
    assert citizen.level == AccountLevel.LEVEL_2
    request.refresh_from_db()
    assert (request.kind, request.status) == (RequestKind.LEVEL2_IN_PERSON, RequestStatus.APPROVED)
    assert request.decided_by == officer
    assert request.card_kind == CardKind.CCCD
    assert request.card_number_masked == mask_personal_id(pid)
    assert pid not in request.card_number_masked
    assert request.card_number_sealed is not None
    assert pid.encode() not in bytes(request.card_number_sealed)
    assert unseal_text(bytes(request.card_number_sealed), purpose="card-number") == pid
    assert request.checked_unit == commune()
    assert request.checked_at == request.received_at
    assert request.due_at == current_calendar().deadline(request.received_at, 3, working=True)
    assert not request.card_expired

    approved = AuditEvent.objects.get(action=PeopleAction.LEVEL_APPROVED, object_id=str(citizen.pk))
    assert approved.actor_id == officer.pk
    assert approved.before == {"level": 1}
    assert approved.after == {"level": 2, "request": request.pk, "reason": "in person"}
    requested = AuditEvent.objects.get(action=PeopleAction.LEVEL_REQUESTED, object_id=str(request.pk))
    card = mask_personal_id(pid)
    assert requested.after == {"kind": "level2_in_person", "card_kind": "cccd", "card": card, "unit": COMMUNE}
    assert Message.objects.get(user=citizen, template="level_changed", channel="email").params == {"level": 2}
    assert pid not in audit_text()


def test_an_expired_card_gives_seven_working_days() -> None:
    citizen, pid = person()
    request = level2_raise(
        actor=intake(), user=citizen, card=CardCheck(CardKind.CCCD, pid, expired=True), unit=commune()
    )
    assert request.card_expired
    assert request.due_at == current_calendar().deadline(request.received_at, 7, working=True)
    assert request.due_at > current_calendar().deadline(request.received_at, 3, working=True)


def test_a_unit_outside_the_officers_jurisdiction_is_refused_and_audited() -> None:
    officer = intake()
    citizen, pid = person()
    events, requests, messages = snapshot()
    with pytest.raises(DomainError) as exc:
        level2_raise(actor=officer, user=citizen, card=CardCheck(CardKind.CCCD, pid), unit=unit(HA_NOI_COMMUNE))
    assert exc.value.error is CoreError.OUT_OF_JURISDICTION
    denied = AuditEvent.objects.order_by("-pk").first()
    assert denied is not None
    assert denied.action == KernelAction.ACCESS_DENIED
    assert denied.actor_id == officer.pk
    assert denied.object_id == str(citizen.pk)
    path = unit(HA_NOI_COMMUNE).path
    assert denied.after == {
        "permission": "people.verify_person",
        "reason": "core.out_of_jurisdiction",
        "unit": path,
    }
    assert snapshot() == (events + 1, requests, messages)
    citizen.refresh_from_db()
    assert citizen.level == AccountLevel.LEVEL_1


@pytest.mark.parametrize(
    "role", [None, RegistryRole.PARTNER_CLERK, RegistryRole.CAMPAIGN_MANAGER, AdministratorRole.SYSTEM_ADMIN]
)
def test_someone_without_the_permission_is_refused(role: Role | None) -> None:
    actor = make_user("Người Thường") if role is None else make_officer(role, None)
    citizen, pid = person()
    events, requests, messages = snapshot()
    with pytest.raises(DomainError) as exc:
        level2_raise(actor=actor, user=citizen, card=CardCheck(CardKind.CCCD, pid), unit=commune())
    assert exc.value.error is CoreError.PERMISSION_DENIED
    assert snapshot() == (events + 1, requests, messages)
    assert AuditEvent.objects.order_by("-pk").values_list("action", flat=True)[0] == KernelAction.ACCESS_DENIED


def test_raising_an_account_already_at_level_2_is_refused_even_through_a_stale_copy() -> None:
    """Two officers (or two tabs) with the same person open: only the first raise happens."""
    officer = intake()
    citizen, pid = person()
    stale = User.objects.get(pk=citizen.pk)
    level2_raise(actor=officer, user=citizen, card=CardCheck(CardKind.CCCD, pid), unit=commune())
    events, requests, messages = snapshot()
    for target in (citizen, stale):
        with pytest.raises(DomainError) as exc:
            level2_raise(actor=officer, user=target, card=CardCheck(CardKind.CCCD, pid), unit=commune())
        assert exc.value.error is PeopleError.LEVEL_ALREADY
    assert snapshot() == (events, requests, messages)


def test_a_locked_account_is_not_raised() -> None:
    citizen, pid = person()
    stale = User.objects.get(pk=citizen.pk)
    lock_by_holder(user=citizen)
    _events, requests, messages = snapshot()
    for target in (citizen, stale):
        with pytest.raises(DomainError) as exc:
            level2_raise(actor=intake(), user=target, card=CardCheck(CardKind.CCCD, pid), unit=commune())
        assert exc.value.error is PeopleError.ACCOUNT_LOCKED
    assert snapshot()[1:] == (requests, messages)
    assert User.objects.get(pk=citizen.pk).level == AccountLevel.LEVEL_1


INVALID_CARDS = [
    *[(CardKind.CCCD, n) for n in ("", "   ", "09108500012", "0910850001234", "09108500012a", "1" * 1024)],
    *[
        (CardKind.CCCD, n)
        for n in ("091-085-000-123", "０９１０８５０００１２３", "٠٩١٠٨٥٠٠٠١٢٣", "091085000123\x00")
    ],
    *[(CardKind.CMND, n) for n in ("12345678", "1234567890", "12345678901")],
    *[(CardKind.PASSPORT, n) for n in ("B1234", "B" * 21, "B12-34567", "ÀB123456", "<script>")],
    *[(CardKind.PASSPORT, n) for n in ("ßß1234", "ıı1234")],  # upper-case to ASCII "SS", "I"
    *[(CardKind.RESIDENCE_CARD, n) for n in ("' OR 1=1", "A" * 1024)],
    ("driving_licence", "B1234567"),
    ("", "091085000123"),
]


@pytest.mark.parametrize(("kind", "card_number"), INVALID_CARDS)
def test_invalid_card_numbers_are_refused_and_write_nothing(kind: str, card_number: str) -> None:
    citizen, _pid = person()
    officer = intake()
    events, requests, messages = snapshot()
    card = CardCheck(kind, card_number)  # type: ignore[arg-type]  # a kind from the wire may be anything
    with pytest.raises(DomainError) as exc:
        level2_raise(actor=officer, user=citizen, card=card, unit=commune())
    assert exc.value.error is PeopleError.CARD_INVALID
    assert exc.value.field == "card_number"
    assert snapshot() == (events, requests, messages)
    assert User.objects.get(pk=citizen.pk).level == AccountLevel.LEVEL_1


@hypothesis_settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    kind=st.sampled_from(list(CardKind)),
    card_number=st.text(alphabet=st.characters(codec="utf-8"), max_size=24) | st.from_regex(r"[0-9A-Za-z ]{5,21}"),
)
def test_any_card_number_is_either_refused_cleanly_or_stored_as_ascii(kind: CardKind, card_number: str) -> None:
    citizen, _pid = person()
    officer = intake()
    events = AuditEvent.objects.count()
    request, error = None, None
    try:
        request = level2_raise(actor=officer, user=citizen, card=CardCheck(kind, card_number), unit=commune())
    except DomainError as exc:
        error = exc.error
    if request is None:
        # A well-formed citizen card number that is not this person's is refused as someone else's card.
        assert error in (PeopleError.CARD_INVALID, PeopleError.CARD_MISMATCH)
        assert AuditEvent.objects.count() == events
        return
    stored = unseal_text(bytes(request.card_number_sealed or b""), purpose="card-number")
    assert stored.isascii()
    assert stored.isalnum()
    assert stored == "".join(nfc(card_number).split()).upper()


@pytest.mark.parametrize(
    ("kind", "other"),
    [(CardKind.CCCD, "091085990124"), (CardKind.CMND, "091085990124"), (CardKind.CCCD, "001203012389")],
)
def test_a_card_whose_number_is_not_the_accounts_is_refused_and_writes_nothing(kind: CardKind, other: str) -> None:
    """Issue 10 §11: a citizen card's number *is* the personal identification number."""
    citizen, pid = person(personal_id="091085990123")
    assert other != pid
    officer = intake()
    events, requests, messages = snapshot()
    with pytest.raises(DomainError) as exc:
        level2_raise(actor=officer, user=citizen, card=CardCheck(kind, other), unit=commune())
    assert exc.value.error is PeopleError.CARD_MISMATCH
    assert exc.value.field == "card_number"
    assert "không khớp" in exc.value.message("vi")
    assert snapshot() == (events, requests, messages)
    assert User.objects.get(pk=citizen.pk).level == AccountLevel.LEVEL_1


@pytest.mark.parametrize(
    ("kind", "card_number", "stored"),
    [
        (CardKind.CCCD, " 0910 8599 0123 ", "091085990123"),
        (CardKind.CCCD, "0910859\u200b90123", "091085990123"),  # invisible characters are dropped
        (CardKind.CMND, "123456789", "123456789"),
        (CardKind.CMND, "0910 8599 0123", "091085990123"),
        (CardKind.PASSPORT, "b1234567", "B1234567"),
        (CardKind.PASSPORT, "C" * 20, "C" * 20),
        (CardKind.RESIDENCE_CARD, "tt123456", "TT123456"),
    ],
)
def test_valid_card_numbers_of_each_kind_are_accepted(kind: CardKind, card_number: str, stored: str) -> None:
    citizen, _pid = person(personal_id="091085990123")  # a citizen card carries the person's own number
    request = level2_raise(actor=intake(), user=citizen, card=CardCheck(kind, card_number), unit=commune())
    assert unseal_text(bytes(request.card_number_sealed or b""), purpose="card-number") == stored
    assert request.card_number_masked == mask_personal_id(stored)


def test_a_provincial_officer_may_check_in_any_commune_of_the_province(an_giang: AdministrativeUnit) -> None:
    officer = make_officer(PeopleRole.REVIEWING_OFFICER, an_giang)
    citizen, pid = person()
    level2_raise(actor=officer, user=citizen, card=CardCheck(CardKind.CCCD, pid), unit=unit("30301"))
    assert User.objects.get(pk=citizen.pk).level == AccountLevel.LEVEL_2


# --- foreigners and in-person creation ------------------------------------------------------------------


def test_a_foreigner_is_created_in_person_and_raised_with_a_residence_card() -> None:
    officer = intake()
    foreign_number = "999900012345"  # not the citizen layout: no such province
    created = services.person_create(
        actor=officer,
        personal_id=foreign_number,
        full_name="John Smith",
        date_of_birth=date(1990, 5, 17),
        phone="0912 345 678",
        is_foreigner=True,
    )
    created.refresh_from_db()
    assert (created.level, created.is_foreigner) == (AccountLevel.NONE, True)
    assert (created.phone, created.has_usable_password()) == ("0912345678", False)
    assert created.phone_confirmed_at is not None  # confirmed by the officer in person
    found = selectors.person_by_number(actor=officer, personal_id=foreign_number)
    request = level2_raise(
        actor=officer, user=found, card=CardCheck(CardKind.RESIDENCE_CARD, "tt0012345"), unit=commune()
    )
    assert request.card_kind == CardKind.RESIDENCE_CARD
    assert User.objects.get(pk=created.pk).level == AccountLevel.LEVEL_2
    approved = AuditEvent.objects.get(action=PeopleAction.LEVEL_APPROVED, object_id=str(created.pk))
    assert approved.before == {"level": 0}
    assert foreign_number not in audit_text()
    assert "TT0012345" not in audit_text()


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        ({"personal_id": "999900012345", "is_foreigner": False}, CodeError.PID_UNKNOWN_PROVINCE),
        ({"personal_id": "12345"}, CodeError.PID_LENGTH),
        ({"personal_id": "<script>1</script>"}, CodeError.PID_NOT_DIGITS),
        ({"full_name": "   "}, CoreError.EMPTY_VALUE),
        ({"full_name": "An\x00"}, CoreError.CONTROL_CHARACTERS),
        ({"full_name": "A" * 1024}, CoreError.TOO_LONG),
        ({"phone": "not a phone"}, PeopleError.PHONE_INVALID),
    ],
)
def test_person_create_refuses_bad_input_and_writes_nothing(overrides: dict[str, object], error: object) -> None:
    officer = intake()
    kwargs = {"personal_id": number(), "full_name": "Phạm Văn Tư", "date_of_birth": date(1985, 1, 2), "phone": ""}
    kwargs.update(overrides)
    users, events = User.objects.count(), AuditEvent.objects.count()
    with pytest.raises(DomainError) as exc:
        services.person_create(actor=officer, **kwargs)  # type: ignore[arg-type]
    assert exc.value.error is error
    assert (User.objects.count(), AuditEvent.objects.count()) == (users, events)


def test_person_create_refuses_a_duplicate_and_a_citizen() -> None:
    _citizen, pid = person()
    users = User.objects.count()
    with pytest.raises(DomainError) as exc:
        services.person_create(
            actor=intake(), personal_id=f" {pid} ", full_name="Kẻ Mạo Danh", date_of_birth=None, phone=""
        )
    assert exc.value.error is PeopleError.ALREADY_REGISTERED
    with pytest.raises(DomainError) as exc:
        services.person_create(
            actor=make_user("Người Thường"), personal_id=number(), full_name="X", date_of_birth=None, phone=""
        )
    assert exc.value.error is CoreError.PERMISSION_DENIED
    assert User.objects.count() == users + 2  # the intake officer and the citizen; nobody created

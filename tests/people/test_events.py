"""Personal accounts reaching level 1 and level 2 are domain events; a refused raise is none (decision 0020)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from dinhdanh.core.errors import DomainError
from dinhdanh.core.models import DomainEvent
from dinhdanh.people import events as people_events
from dinhdanh.people import services
from dinhdanh.people.models import AccountLevel
from dinhdanh.people.models.accounts import CardKind
from dinhdanh.people.permissions import PeopleRole
from dinhdanh.people.services.levels import CardCheck, level1_open, level1_review, level2_raise
from tests.conftest import make_officer, unit

pytestmark = pytest.mark.django_db

COMMUNE = "30292"  # Phường Bình Đức, An Giang
PID = "091085000777"


def test_level1_then_level2_then_a_refused_second_raise() -> None:
    user = services.user_create(
        actor=None, personal_id=PID, full_name="Lê Thị Hoa", password=None, level=AccountLevel.NONE
    )
    level1_open(user=user, checks={"review": "not_required"}, received_at=timezone.now())
    officer = make_officer(PeopleRole.INTAKE_OFFICER, unit(COMMUNE), name="Cán bộ Tiếp Nhận")
    level2_raise(actor=officer, user=user, card=CardCheck(CardKind.CCCD, PID), unit=unit(COMMUNE))
    with pytest.raises(DomainError):
        level2_raise(actor=officer, user=user, card=CardCheck(CardKind.CCCD, PID), unit=unit(COMMUNE))
    found = list(DomainEvent.objects.order_by("pk"))
    assert [(e.type, e.province_code, e.actor) for e in found] == [
        (people_events.LEVEL1_CREATED, "", None),
        (people_events.LEVEL2_RAISED, "91", officer),
    ]
    assert found[1].payload == {"request": found[1].payload["request"], "from_level": 1, "level": 2}
    assert PID not in str([e.payload for e in found])


def test_a_refused_level1_request_is_no_event() -> None:
    user = services.user_create(
        actor=None, personal_id=PID, full_name="Lê Thị Hoa", password=None, level=AccountLevel.NONE
    )
    request = level1_open(user=user, checks={"review": "required"}, received_at=timezone.now())
    officer = make_officer(PeopleRole.REVIEWING_OFFICER, None, name="Cán bộ Thẩm Định")
    level1_review(actor=officer, request_id=request.pk, approve=False, reason="Ảnh không rõ")
    assert not DomainEvent.objects.exists()

"""The officers' pages: look a person up by number, raise to level 2, lock and unlock, review level 1."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from itertools import count
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from dinhdanh.core.access import Role
from dinhdanh.core.models import AuditEvent
from dinhdanh.core.sealed import store_file
from dinhdanh.geo.models import AdministrativeUnit
from dinhdanh.people.audit_actions import PeopleAction
from dinhdanh.people.models import AccountLevel, AccountLock, LevelRequest, RequestStatus, User
from dinhdanh.people.permissions import PeopleRole
from dinhdanh.people.services.levels import level1_open
from tests.conftest import make_officer, make_user, signed_in, unit
from tests.web.support import assert_friendly, deploy_zone, html

pytestmark = pytest.mark.django_db

COMMUNE = "30292"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
_numbers = count(500)


def citizen(level: AccountLevel = AccountLevel.LEVEL_1, name: str = "Võ Thị Sáu") -> tuple[User, str]:
    pid = f"091085{next(_numbers):06d}"
    return make_user(name, level=level, personal_id=pid), pid


def desk(role: Role = PeopleRole.INTAKE_OFFICER, **kwargs: Any) -> tuple[Client, User]:
    officer = make_officer(role, unit(COMMUNE), name="Cán bộ Bàn Tiếp")
    return signed_in(Client(**kwargs), officer), officer


def look_up(client: Client, pid: str) -> str:
    response = client.post("/people/", {"action": "find", "personal_id": pid})
    assert response.status_code == 302, html(response)
    return str(response["Location"])


def level2_form(pid: str, **overrides: str) -> dict[str, str]:
    return {"card_kind": "cccd", "card_number": pid, "unit": str(unit(COMMUNE).pk), "confirm": "on", **overrides}


def audit_text() -> str:
    return json.dumps(list(AuditEvent.objects.values("before", "after", "object_id", "actor_label")))


# --- who may open the desk -------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/people/", "/people/reviews/", "/people/1/"])
def test_a_citizen_is_refused_the_officer_pages(path: str) -> None:
    client = signed_in(Client(), make_user("Người Thường"))
    assert_friendly(client.get(path), 403)


def test_the_desk_requires_sign_in(client: Client) -> None:
    response = client.get("/people/")
    assert response.status_code == 302
    assert response["Location"].startswith("/signin/")


# --- looking people up ------------------------------------------------------------------------------------


def test_an_officer_finds_a_person_by_number_without_the_number_in_any_address() -> None:
    client, officer = desk()
    person, pid = citizen()
    location = look_up(client, pid)
    assert location == f"/people/{person.pk}/"
    response = client.get(location)
    page = html(response)
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0")
    assert person.full_name in page
    assert person.personal_id_masked in page
    assert pid not in page
    assert pid not in audit_text()
    event = AuditEvent.objects.get(action=PeopleAction.PERSON_LOOKED_UP)
    assert (event.actor_id, event.object_id, event.after) == (officer.pk, str(person.pk), {"found": True})


def test_opening_a_person_without_looking_them_up_is_not_found() -> None:
    client, _officer = desk()
    person, _pid = citizen()
    other, other_pid = citizen(name="Người Đã Tra")
    look_up(client, other_pid)
    assert_friendly(client.get(f"/people/{person.pk}/"), 404)
    assert client.post(f"/people/{person.pk}/level2/", level2_form("091085000001")).status_code == 404
    assert_friendly(client.get("/people/999999/"), 404)
    assert User.objects.get(pk=person.pk).level == AccountLevel.LEVEL_1
    assert client.get(f"/people/{other.pk}/").status_code == 200


@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("091085999999", "Không tìm thấy tài khoản với số định danh này."),
        ("12345", "12"),
        ("<script>alert(1)</script>", "Số định danh"),
        ("", "Trường này là bắt buộc."),
    ],
)
def test_a_failed_lookup_says_why_on_the_form(number: str, message: str) -> None:
    client, _officer = desk()
    response = client.post("/people/", {"action": "find", "personal_id": number})
    page = html(response)
    assert response.status_code == 200
    assert message in page
    assert "<script>alert(1)</script>" not in page


def test_an_officer_creates_a_person_who_has_no_account() -> None:
    client, _officer = desk()
    response = client.post(
        "/people/",
        {
            "action": "create",
            "personal_id": "999900054321",
            "is_foreigner": "on",
            "full_name": "Anna Müller",
            "date_of_birth": "1988-03-04",
            "phone": "0912345678",
        },
    )
    created = User.objects.get(full_name="Anna Müller")
    assert response["Location"] == f"/people/{created.pk}/"
    assert (created.level, created.is_foreigner) == (AccountLevel.NONE, True)
    assert "Đã tạo tài khoản." in html(client.get(response["Location"]))
    assert "999900054321" not in audit_text()
    duplicate = client.post(
        "/people/",
        {
            "action": "create",
            "personal_id": "999900054321",
            "is_foreigner": "on",
            "full_name": "Anna Khác",
            "date_of_birth": "1988-03-04",
        },
    )
    assert "Số định danh này đã có tài khoản." in html(duplicate)
    assert not User.objects.filter(full_name="Anna Khác").exists()


# --- level 2 on the page ----------------------------------------------------------------------------------


def test_level2_from_the_page_raises_the_person() -> None:
    client, _officer = desk()
    person, pid = citizen()
    page = look_up(client, pid)
    response = client.post(f"/people/{person.pk}/level2/", level2_form(pid))
    assert response["Location"] == page
    assert "Đã nâng tài khoản lên mức độ 2." in html(client.get(page))
    assert User.objects.get(pk=person.pk).level == AccountLevel.LEVEL_2
    assert pid not in audit_text()


@pytest.mark.parametrize(
    "overrides",
    [
        {"confirm": ""},
        {"card_kind": "driving"},
        {"card_number": ""},
        {"unit": "0"},
        {"unit": "x"},
        {"card_number": "9" * 31},
    ],
    ids=["no-confirm", "kind", "empty-number", "unit-zero", "unit-text", "long-number"],
)
def test_an_incomplete_level2_form_changes_nothing(overrides: dict[str, str]) -> None:
    client, _officer = desk()
    person, pid = citizen()
    page = look_up(client, pid)
    form = {k: v for k, v in level2_form(pid, **overrides).items() if v}
    events = AuditEvent.objects.count()
    response = client.post(f"/people/{person.pk}/level2/", form)
    assert response["Location"] == page
    assert "Dữ liệu không hợp lệ." in html(client.get(page))
    assert User.objects.get(pk=person.pk).level == AccountLevel.LEVEL_1
    assert not LevelRequest.objects.filter(user=person).exists()
    assert AuditEvent.objects.count() == events


def test_a_unit_outside_the_officers_jurisdiction_is_not_offered() -> None:
    client, _officer = desk()
    person, pid = citizen()
    page = html(client.get(look_up(client, pid)))
    assert f'value="{unit(COMMUNE).pk}"' in page
    assert f'value="{unit("00004").pk}"' not in page
    client.post(f"/people/{person.pk}/level2/", level2_form(pid, unit=str(unit("00004").pk)))
    assert User.objects.get(pk=person.pk).level == AccountLevel.LEVEL_1


def test_a_card_of_someone_else_is_refused_with_the_reason() -> None:
    """Issue 10 §11: the number on a citizen card must be the account's personal identification number."""
    client, _officer = desk()
    person, pid = citizen()
    page = look_up(client, pid)
    other = pid[:-1] + ("0" if pid[-1] != "0" else "1")
    response = client.post(f"/people/{person.pk}/level2/", level2_form(other))
    assert response["Location"] == page
    assert "Số trên thẻ không khớp với số định danh cá nhân của tài khoản này." in html(client.get(page))
    assert User.objects.get(pk=person.pk).level == AccountLevel.LEVEL_1
    assert not LevelRequest.objects.filter(user=person).exists()


def test_level2_from_a_stale_session_asks_for_step_up_first() -> None:
    client, _officer = desk()
    person, pid = citizen()
    look_up(client, pid)
    session = client.session
    session.pop("stepped_up_at")
    session.save()
    response = client.post(f"/people/{person.pk}/level2/", level2_form(pid))
    assert response["Location"].startswith("/step-up/?next=%2Fstep-up%2Fresume%2F")
    assert User.objects.get(pk=person.pk).level == AccountLevel.LEVEL_1


# --- lock and unlock on the page --------------------------------------------------------------------------


def test_a_reviewing_officer_locks_and_unlocks_from_the_page() -> None:
    client, _officer = desk(PeopleRole.REVIEWING_OFFICER)
    person, pid = citizen()
    page = look_up(client, pid)
    client.post(
        f"/people/{person.pk}/lock/",
        {"authority": "Tòa án nhân dân tỉnh", "document_ref": "45/QĐ", "reason": "Bản án"},
    )
    assert User.objects.get(pk=person.pk).is_locked
    assert "Đang bị khóa" in html(client.get(page))
    client.post(f"/people/{person.pk}/unlock/", {"reason": ""})
    assert User.objects.get(pk=person.pk).is_locked
    client.post(f"/people/{person.pk}/unlock/", {"reason": "Hết thời hạn"})
    assert not User.objects.get(pk=person.pk).is_locked


def test_an_intake_officer_cannot_lock_from_the_page() -> None:
    client, _officer = desk(PeopleRole.INTAKE_OFFICER)
    person, pid = citizen()
    page = look_up(client, pid)
    client.post(f"/people/{person.pk}/lock/", {"authority": "X", "document_ref": "1", "reason": "Y"})
    assert "Bạn không có quyền thực hiện thao tác này." in html(client.get(page))
    assert not AccountLock.objects.exists()


# --- level-1 reviews and portraits ------------------------------------------------------------------------


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "documents"
    return Path(settings.MEDIA_ROOT)


def waiting(name: str, hours_ago: float = 0.0, portrait: bytes = PNG) -> LevelRequest:
    user, _pid = citizen(AccountLevel.NONE, name=name)
    User.objects.filter(pk=user.pk).update(portrait_ref=store_file("portraits", portrait))
    user.refresh_from_db()
    received = timezone.now() - timedelta(hours=hours_ago)
    return level1_open(user=user, checks={"review": "required"}, received_at=received)


def test_the_queue_puts_the_most_urgent_first_and_flags_overdue_rows(media: Path) -> None:
    waiting("Người Mới Nộp")
    waiting("Người Quá Hạn", hours_ago=24 * 10)
    waiting("Người Hôm Trước", hours_ago=24)
    client, _officer = desk()
    page = html(client.get("/people/reviews/"))
    rows = re.findall(r"<tr>\s*<td>(.*?)</td>.*?</tr>", page, re.S)
    due = [r.due_at for r in LevelRequest.objects.order_by("due_at")]
    assert due == sorted(due)
    assert rows[0] == "Người Quá Hạn"
    assert set(rows) == {"Người Mới Nộp", "Người Quá Hạn", "Người Hôm Trước"}
    overdue = re.search(r"<tr>\s*<td>Người Quá Hạn</td>.*?</tr>", page, re.S)
    fresh = re.search(r"<tr>\s*<td>Người Mới Nộp</td>.*?</tr>", page, re.S)
    assert overdue
    assert "quá hạn" in overdue.group(0)
    assert fresh
    assert "quá hạn" not in fresh.group(0)


def test_the_portrait_of_a_pending_request_is_served_uncached_and_audited(media: Path) -> None:
    request = waiting("Người Chờ Duyệt")
    client, officer = desk()
    response = client.get(f"/people/reviews/{request.pk}/portrait/")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert "no-store" in response["Cache-Control"]
    assert response.content == PNG
    event = AuditEvent.objects.get(action=PeopleAction.PORTRAIT_VIEWED)
    assert (event.actor_id, event.object_id) == (officer.pk, str(request.user_id))


def test_portraits_are_not_found_once_decided_or_for_citizens(media: Path) -> None:
    request = waiting("Người Đã Duyệt")
    client, _officer = desk()
    assert client.post(f"/people/reviews/{request.pk}/", {"decision": "approve"}).status_code == 302
    assert LevelRequest.objects.get(pk=request.pk).status == RequestStatus.APPROVED
    assert client.get(f"/people/reviews/{request.pk}/portrait/").status_code == 404
    other = waiting("Người Khác")
    nosy = signed_in(Client(), make_user("Người Tò Mò"))
    assert nosy.get(f"/people/reviews/{other.pk}/portrait/").status_code == 404
    assert client.get("/people/reviews/999999/portrait/").status_code == 404
    assert not AuditEvent.objects.filter(action=PeopleAction.PORTRAIT_VIEWED).exists()


def test_a_missing_portrait_file_is_not_found_rather_than_an_error(media: Path) -> None:
    request = waiting("Người Mất Ảnh")
    (media / request.user.portrait_ref).unlink()
    client, _officer = desk()
    assert client.get(f"/people/reviews/{request.pk}/portrait/").status_code == 404


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({}, "Hãy chọn duyệt hoặc từ chối."),
        ({"decision": "maybe"}, "Hãy chọn duyệt hoặc từ chối."),
        ({"decision": "reject", "reason": "   "}, "Cần ghi rõ lý do."),
        ({"decision": "reject", "reason": "Ảnh mờ\x1b[31m"}, "ký tự điều khiển"),
    ],
)
def test_a_review_without_a_proper_decision_changes_nothing(
    media: Path, form: dict[str, str], message: str
) -> None:
    request = waiting("Người Chờ")
    client, _officer = desk()
    response = client.post(f"/people/reviews/{request.pk}/", form, follow=True)
    assert message in html(response)
    assert LevelRequest.objects.get(pk=request.pk).status == RequestStatus.PENDING


def test_a_review_is_recorded_once(media: Path) -> None:
    request = waiting("Người Chờ")
    client, _officer = desk()
    page = html(
        client.post(f"/people/reviews/{request.pk}/", {"decision": "reject", "reason": "Ảnh mờ"}, follow=True)
    )
    assert "Đã ghi nhận quyết định." in page
    again = html(client.post(f"/people/reviews/{request.pk}/", {"decision": "approve"}, follow=True))
    assert "Yêu cầu này đã được xử lý." in again
    assert LevelRequest.objects.get(pk=request.pk).status == RequestStatus.REJECTED


# --- CSRF and deployment zones ----------------------------------------------------------------------------


def test_posts_without_a_csrf_token_are_refused_and_write_nothing(media: Path) -> None:
    request = waiting("Người Chờ")
    client, _officer = desk(PeopleRole.REVIEWING_OFFICER, enforce_csrf_checks=True)
    person, pid = citizen()
    session = client.session
    session["people_found"] = [person.pk]
    session.save()
    events, users = AuditEvent.objects.count(), User.objects.count()
    posts: list[tuple[str, dict[str, str]]] = [
        ("/people/", {"action": "find", "personal_id": pid}),
        (
            "/people/",
            {"action": "create", "personal_id": "999900077777", "full_name": "X", "date_of_birth": "1990-01-01"},
        ),
        (f"/people/{person.pk}/level2/", level2_form(pid)),
        (f"/people/{person.pk}/lock/", {"authority": "A", "document_ref": "1", "reason": "R"}),
        (f"/people/{person.pk}/unlock/", {"reason": "R"}),
        (f"/people/reviews/{request.pk}/", {"decision": "approve"}),
    ]
    for path, form in posts:
        assert client.post(path, form).status_code == 403, path
    assert (AuditEvent.objects.count(), User.objects.count()) == (events, users)
    assert User.objects.get(pk=person.pk).level == AccountLevel.LEVEL_1
    assert LevelRequest.objects.get(pk=request.pk).status == RequestStatus.PENDING


def test_the_outer_zone_does_not_route_the_officer_pages(an_giang: AdministrativeUnit) -> None:
    client = signed_in(Client(), make_officer(PeopleRole.REVIEWING_OFFICER, an_giang))
    with deploy_zone("outer"):
        for path in ("/people/", "/people/reviews/", "/people/1/", "/people/reviews/1/portrait/"):
            assert_friendly(client.get(path), 404)
        assert client.get("/me/security/").status_code == 200
    with deploy_zone("inner"):
        assert client.get("/people/").status_code == 200
    assert client.get("/people/reviews/").status_code == 200

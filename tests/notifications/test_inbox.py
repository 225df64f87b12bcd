"""A person's own notifications in the app (issue 15.5): one entry per event, in the reader's language,
codes never shown again, only the owner's messages read or marked, an unread count beside "Thông báo"."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from dinhdanh.notifications import inbox
from dinhdanh.notifications.models import Message
from dinhdanh.notifications.rendering import render
from dinhdanh.notifications.services import notify
from dinhdanh.people.models import User
from tests.conftest import make_user, signed_in
from tests.notifications.conftest import EMAIL, PHONE

pytestmark = pytest.mark.django_db

NUMBER = "HS-2026-000123"


def approved(user: User) -> list[Message]:
    """One event, two channels (as the applications app sends it)."""
    made = [
        notify(channel=channel, to=to, template="app_approved", params={"number": NUMBER}, user=user)
        for channel, to in (("sms", PHONE), ("email", EMAIL))
    ]
    return [m for m in made if m is not None]


def test_one_event_sent_twice_is_one_entry_with_its_channels() -> None:
    user = make_user("Ngô Thị Thông Báo")
    approved(user)
    (entry,) = inbox.entries(user, language="vi")
    assert entry.subject == f"Hồ sơ {NUMBER} đã được duyệt"  # the e-mail's wording, with its subject
    assert entry.channels == sorted(["Tin nhắn SMS", "Thư điện tử"])
    assert entry.unread
    assert inbox.unread_count(user) == 2


def test_shown_in_the_reader_s_language_whatever_it_was_sent_in() -> None:
    user = make_user("Ngô Thị Song Ngữ")
    approved(user)
    assert inbox.entries(user, language="en")[0].subject == f"Request {NUMBER} has been approved"
    assert Message.objects.filter(user=user).first().language == "vi"  # type: ignore[union-attr]


def test_a_one_time_code_is_never_shown_again() -> None:
    user = make_user("Ngô Văn Mã Số")
    notify(channel="sms", to=PHONE, template="phone_otp", params={"code": "482913", "minutes": 5}, user=user)
    (entry,) = inbox.entries(user, language="vi")
    assert "482913" not in entry.body
    assert "•••" in entry.body


def test_the_page_lists_counts_and_marks_read() -> None:
    user = make_user("Ngô Thị Trang")
    approved(user)
    client = signed_in(Client(), user)
    page = client.get("/me/notifications/").content.decode()
    assert f"Hồ sơ {NUMBER} đã được duyệt" in page
    assert '<span class="badge">2<span class="visually-hidden"> chưa đọc</span></span>' in page
    assert client.post("/me/notifications/read/").status_code == 302
    assert inbox.unread_count(user) == 0
    assert 'class="badge"' not in client.get("/me/notifications/").content.decode()


@pytest.mark.parametrize("ids", [["abc"], ["-1"], ["1e3"], ["٣"], ["9" * 30], [""]])
def test_malformed_ids_change_nothing(ids: list[str]) -> None:
    user = make_user("Ngô Văn Lạ")
    approved(user)
    client = signed_in(Client(), user)
    assert client.post("/me/notifications/read/", {"ids": ids}).status_code == 302
    assert inbox.unread_count(user) == 2


def test_another_person_s_messages_are_neither_shown_nor_marked() -> None:
    owner, other = make_user("Ngô Thị Chủ"), make_user("Ngô Văn Khác")
    theirs = approved(owner)
    client = signed_in(Client(), other)
    assert NUMBER not in client.get("/me/notifications/").content.decode()
    response = client.post("/me/notifications/read/", {"ids": [str(m.pk) for m in theirs]})
    assert response.status_code == 404
    assert inbox.unread_count(owner) == 2
    assert client.post("/me/notifications/read/", {"ids": ["999999"]}).status_code == 404
    mine = approved(other)
    both = [str(mine[0].pk), str(theirs[0].pk)]
    assert client.post("/me/notifications/read/", {"ids": both}).status_code == 302  # only mine marked
    assert inbox.unread_count(other) == 1
    assert inbox.unread_count(owner) == 2
    assert client.post("/me/notifications/read/", {"ids": both}).status_code == 302  # twice: no change
    assert inbox.unread_count(other) == 1


def test_a_visitor_is_sent_to_sign_in() -> None:
    response = Client().get("/me/notifications/")
    assert response.status_code == 302
    assert "/signin/" in response["Location"]
    assert Client().post("/me/notifications/read/").status_code == 302


def test_the_list_is_paginated_newest_first() -> None:
    user = make_user("Ngô Thị Nhiều")
    for n in range(inbox.ROWS_PER_PAGE + 1):
        notify(channel="sms", to=PHONE, template="app_approved", params={"number": f"HS-2026-{n:06d}"}, user=user)
    client = signed_in(Client(), user)
    first = client.get("/me/notifications/").content.decode()
    newest, oldest = f"HS-2026-{inbox.ROWS_PER_PAGE:06d}", "HS-2026-000000"
    assert newest in first
    assert oldest not in first
    assert "?page=2" in first
    second = client.get("/me/notifications/?page=2").content.decode()
    assert oldest in second
    assert newest not in second
    assert client.get("/me/notifications/?page=abc").status_code == 200  # junk: the first page
    assert oldest in client.get("/me/notifications/?page=999").content.decode()  # past the end: the last


@pytest.mark.parametrize(
    ("stored", "reader", "shown", "not_shown"),
    [
        ("vi", "en", f"Request {NUMBER} has been approved", f"Hồ sơ {NUMBER} đã được duyệt"),
        ("en", "vi", f"Hồ sơ {NUMBER} đã được duyệt", f"Request {NUMBER} has been approved"),
    ],
)
def test_the_page_speaks_the_reader_s_language_sending_keeps_the_stored_one(
    stored: str, reader: str, shown: str, not_shown: str
) -> None:
    user = make_user("Ngô Thị Hai Thứ Tiếng")
    made = approved(user)
    Message.objects.filter(pk__in=[m.pk for m in made]).update(language=stored)
    page = signed_in(Client(), user).get("/me/notifications/", HTTP_ACCEPT_LANGUAGE=reader).content.decode()
    assert shown in page
    assert not_shown not in page
    email = Message.objects.get(pk=made[1].pk)
    with translation.override(reader):  # whatever language the sender runs in, the message keeps its own
        subject, _body = render(email)
    assert subject == not_shown
    assert render(email, language=reader)[0] == shown


def _message_queries(client: Client, url: str) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    return [q["sql"] for q in captured.captured_queries if "notifications_message" in q["sql"]]


def test_the_menu_count_costs_one_query_and_none_for_a_visitor() -> None:
    user = make_user("Ngô Văn Đếm")
    approved(user)
    assert _message_queries(Client(), "/units/") == []
    assert len(_message_queries(signed_in(Client(), user), "/units/")) == 1

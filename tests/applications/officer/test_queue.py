"""The reviewing officer's queue: jurisdiction, order by due time, overdue, filters, search, paging."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from dinhdanh.applications.models import Application, Status
from dinhdanh.http import pages
from tests.applications.officer.support import (
    OTHER_COMMUNE,
    client_for,
    denials,
    filed,
    intake_officer,
    reviewer,
)
from tests.conftest import make_user, signed_in
from tests.web.support import assert_friendly, html

pytestmark = pytest.mark.django_db

QUEUE = "/applications/queue/"


def numbers(page: str) -> list[str]:
    return re.findall(r'<a href="/applications/queue/\d+/">([^<]+)</a>', page)


def set_due(app: Application, delta: timedelta) -> None:
    Application.objects.filter(pk=app.pk).update(due_at=timezone.now() + delta)


def test_the_queue_requires_sign_in(client: Client) -> None:
    response = client.get(QUEUE)
    assert response.status_code == 302
    assert response["Location"].startswith("/signin/")


def test_a_citizen_is_refused_and_the_refusal_is_audited() -> None:
    before = denials()
    assert_friendly(client_for(make_user("Người Thường")).get(QUEUE), 403)
    assert denials() == before + 1


def test_the_officer_sees_only_requests_of_their_commune_most_urgent_first() -> None:
    late, soon, later = filed(name="Công ty A"), filed(name="Công ty B"), filed(name="Công ty C")
    elsewhere = filed(name="Công ty Nơi Khác", commune=OTHER_COMMUNE)
    set_due(late, timedelta(days=-2))
    set_due(soon, timedelta(hours=5))
    set_due(later, timedelta(days=9))
    page = html(client_for(reviewer()).get(QUEUE))
    assert numbers(page) == [late.number, soon.number, later.number]
    assert elsewhere.number not in page


def test_overdue_requests_are_marked_and_can_be_filtered() -> None:
    late, fine = filed(name="Công ty Trễ Hạn"), filed(name="Công ty Đúng Hạn")
    set_due(late, timedelta(days=-3))
    client = client_for(reviewer())
    page = html(client.get(QUEUE))
    rows = re.findall(
        r"<tr( class=\"overdue\" data-overdue=\"1\")?>\s*<td><a href=\"/applications/queue/\d+/\">([^<]+)", page
    )
    assert (' class="overdue" data-overdue="1"', late.number) in rows
    assert ("", fine.number) in rows
    assert "quá hạn" in page
    assert numbers(html(client.get(QUEUE, {"overdue": "on"}))) == [late.number]


def test_status_filter() -> None:
    checking = filed(name="Công ty Đang Thẩm Định")
    assert checking.status == Status.CHECKING
    client = client_for(reviewer())
    assert numbers(html(client.get(QUEUE, {"status": "checking"}))) == [checking.number]
    assert numbers(html(client.get(QUEUE, {"status": "needs_supplement"}))) == []
    # An unknown status is ignored, not an error page.
    assert client.get(QUEUE, {"status": "<script>"}).status_code == 200


@pytest.mark.parametrize("query", ["hoa sen", "HOA SEN", "cty tnhh hoà sen", "Công ty TNHH Hoa Sen"])
def test_search_by_name_ignores_diacritics_and_legal_form_abbreviations(query: str) -> None:
    wanted = filed(name="Công ty TNHH Hoa Sen")
    other = filed(name="Công ty TNHH Mạc Cửu")
    found = numbers(html(client_for(reviewer()).get(QUEUE, {"q": query})))
    assert wanted.number in found
    assert other.number not in found


def test_search_by_number_and_by_code() -> None:
    wanted, other = filed(name="Công ty Một"), filed(name="Công ty Hai")
    client = client_for(reviewer())
    assert numbers(html(client.get(QUEUE, {"q": wanted.number}))) == [wanted.number]
    assert numbers(html(client.get(QUEUE, {"q": other.code}))) == [other.number]


def test_pages_without_counting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pages, "PAGE_SIZE", 2)
    apps = [filed(name=f"Công ty Số {i}") for i in range(3)]
    for i, app in enumerate(apps):
        set_due(app, timedelta(days=i + 1))
    client = client_for(reviewer())
    first = html(client.get(QUEUE))
    assert numbers(first) == [apps[0].number, apps[1].number]
    assert "page=2" in first
    second = html(client.get(QUEUE, {"page": "2"}))
    assert numbers(second) == [apps[2].number]
    assert "page=3" not in second
    assert client.get(QUEUE, {"page": "-4"}).status_code == 200
    assert client.get(QUEUE, {"page": "abc"}).status_code == 200


def test_an_intake_officer_may_open_the_queue() -> None:
    filed(name="Công ty Tiếp Nhận")
    response = signed_in(Client(), intake_officer()).get(QUEUE)
    assert response.status_code == 200

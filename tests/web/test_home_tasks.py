"""The home page is what needs the signed-in person (issue 15.5): a to-do list per role, each task linking
to the page that does it, in a bounded number of queries; a visitor sees what the service is."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from dinhdanh.applications import services
from dinhdanh.organizations.models import Membership
from dinhdanh.people.permissions import PeopleRole
from tests.applications.officer.support import COMMUNE, filed, reviewer
from tests.applications.support import person, start
from tests.conftest import make_officer, make_user, signed_in, unit
from tests.organizations.factories import make_organization

pytestmark = pytest.mark.django_db


def todo(client: Client) -> str:
    page = client.get("/").content.decode()
    assert 'data-testid="todo"' in page
    return page


def test_a_visitor_sees_the_service_and_how_to_start() -> None:
    page = Client().get("/").content.decode()
    assert 'data-testid="todo"' not in page
    assert "/signin/" in page


def test_an_applicant_is_told_of_a_supplement_asked() -> None:
    app = filed(name="Công ty TNHH Cần Bổ Sung")
    services.application_ask_supplement(actor=reviewer(), application=app, reason="Thiếu giấy phép")
    page = todo(signed_in(Client(), app.applicant))
    assert f"Bổ sung hồ sơ {app.number}" in page
    assert f'href="/organizations/requests/{app.pk}/"' in page


def test_a_co_representative_is_asked_to_consent() -> None:
    applicant, pid = person()
    other, other_pid = person("Lê Văn Đồng Ý")
    draft = start(applicant, pid, co_representative_names=["Lê Văn Đồng Ý"], co_representative_ids=[other_pid])
    waiting = services.application_submit(actor=applicant, application=draft)
    page = todo(signed_in(Client(), other))
    assert f'href="/organizations/requests/{waiting.pk}/consent/"' in page


def test_a_right_to_act_ending_soon_is_shown_with_its_date() -> None:
    member = make_user("Phan Thị Sắp Hết Hạn")
    org = make_organization(representative=make_user("Trần Văn Đại Diện"))
    ends = timezone.now() + timedelta(days=5)
    Membership.objects.create(organization=org, user=member, role="member", valid_until=ends)
    page = todo(signed_in(Client(), member))
    assert org.name in page
    assert timezone.localtime(ends).strftime("%d/%m/%Y") in page


def test_nothing_to_do_is_said_plainly() -> None:
    assert "Hiện không có việc nào cần bạn làm." in todo(signed_in(Client(), make_user("Lý Văn Rảnh")))


def test_an_officer_sees_the_queue_and_what_is_overdue() -> None:
    filed(), filed()
    officer = make_officer(PeopleRole.REVIEWING_OFFICER, unit(COMMUNE), "Cán bộ Trang Chủ")
    page = todo(signed_in(Client(), officer))
    assert "2 hồ sơ đang chờ xử lý, 0 quá hạn." in page
    assert 'href="/applications/queue/"' in page


def test_the_home_page_asks_a_bounded_number_of_queries(
    django_assert_max_num_queries: DjangoAssertNumQueries,
) -> None:
    for _ in range(3):
        app = filed()
        services.application_ask_supplement(actor=reviewer(), application=app, reason="Thiếu")
    applicant = app.applicant
    officer = make_officer(PeopleRole.REVIEWING_OFFICER, unit(COMMUNE), "Cán bộ Đếm")
    for user in (applicant, officer):
        client = signed_in(Client(), user)
        client.get("/")  # warm: the session and the caches
        with django_assert_max_num_queries(16):
            client.get("/")

"""The reconciliation page (inner zone): tabs render, filters, forms call the services, refusals."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from dinhdanh.geo.models import Level
from dinhdanh.people.models import User
from dinhdanh.people.permissions import PeopleRole
from dinhdanh.registries.models import Baseline, Exclusion
from dinhdanh.registries.permissions import RegistryRole
from tests.conftest import make_officer, signed_in, unit
from tests.registries.reconcile.support import World
from tests.web.support import assert_friendly, html

pytestmark = pytest.mark.django_db
PAGE = "/registries/reconcile/"


@pytest.fixture
def client(manager: User) -> Client:
    return signed_in(Client(), manager)


def test_the_url_names() -> None:
    assert reverse("registries:reconcile_home") == PAGE
    assert reverse("registries:reconcile_export") == PAGE + "outreach.xlsx"


@pytest.mark.parametrize(
    ("tab", "text"),
    [
        ("outreach", "Công ty TNHH Rạch Giá"),
        ("cleansing", "Doanh nghiệp tư nhân Bình Minh"),
        ("differences", "Phường Mỹ Thới"),
        ("exclusions", "Công ty TNHH Mỹ Thới"),
        ("baselines", "Chốt số liệu"),
    ],
)
def test_every_tab_renders(world: World, client: Client, tab: str, text: str) -> None:
    response = client.get(PAGE, {"tab": tab, "unit": "91"})
    assert response.status_code == 200
    page = html(response)
    assert text in page
    assert 'aria-current="page"' in page
    assert "Phường Bình Đức" in page  # the communes of the province are offered as filters


def test_outreach_tab_filters_and_offers_the_export_and_exclusion(world: World, client: Client) -> None:
    page = html(client.get(PAGE, {"unit": "30301", "category": "enterprise"}))
    assert "Công ty CP Hà Tiên" in page
    assert "Hội Nông dân" not in page
    assert "Công ty TNHH Rạch Giá" not in page
    assert "outreach.xlsx?unit=30301&amp;category=enterprise" in page
    assert reverse("registries:reconcile_exclude", args=[world.records["r3"].pk]) in page


def test_the_export_downloads_a_workbook(world: World, client: Client) -> None:
    response = client.get(PAGE + "outreach.xlsx", {"unit": "30292"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active  # type: ignore[attr-defined]
    assert sheet is not None
    assert sheet.max_row == 3


def test_exclude_then_lift_through_the_forms(world: World, client: Client) -> None:
    record = world.records["r2"]
    url = reverse("registries:reconcile_exclude", args=[record.pk])
    response = client.post(url, {"reason": "unreachable", "note": "Đóng cửa", "unit": "30292"}, follow=True)
    assert response.status_code == 200
    assert "Đã loại" in html(response)
    exclusion = Exclusion.objects.get(record=record, lifted_at__isnull=True)
    again = client.post(url, {"reason": "ceased"}, follow=True)
    assert "đã được loại khỏi chỉ tiêu" in html(again)
    bad = client.post(url, {"reason": "not-a-reason"}, follow=True)
    assert Exclusion.objects.filter(record=record).count() == 1
    assert bad.status_code == 200
    other = client.post(
        reverse("registries:reconcile_exclude", args=[world.records["r6"].pk]), {"reason": "other"}, follow=True
    )
    assert "ghi rõ lý do" in html(other)
    client.post(reverse("registries:reconcile_lift", args=[exclusion.pk]), {"unit": "30292"})
    exclusion.refresh_from_db()
    assert exclusion.lifted_at is not None


def test_take_a_baseline_through_the_form(world: World, client: Client) -> None:
    response = client.post(
        PAGE + "baselines", {"unit": "30301", "as_of": timezone.localdate().isoformat()}, follow=True
    )
    assert "Đã chốt số liệu nền" in html(response)
    assert Baseline.objects.filter(unit=world.b).count() == 4
    response = client.post(PAGE + "baselines", {"unit": "30301", "as_of": "2999-01-01"}, follow=True)
    assert "tương lai" in html(response)
    assert Baseline.objects.count() == 4


def test_refusals_are_friendly_pages(world: World) -> None:
    hanoi = make_officer(RegistryRole.CAMPAIGN_MANAGER, unit("01", Level.PROVINCE), "Quản Lý Hà Nội")
    browser = signed_in(Client(), hanoi)
    assert_friendly(browser.get(PAGE, {"unit": "91"}), 403)
    assert_friendly(browser.get(PAGE + "outreach.xlsx", {"unit": "30292"}), 403)
    url = reverse("registries:reconcile_exclude", args=[world.records["r2"].pk])
    assert_friendly(browser.post(url, {"reason": "ceased"}), 403)
    assert not Exclusion.objects.filter(record=world.records["r2"]).exists()
    assert_friendly(browser.get(PAGE, {"category": "bank"}), 400)
    assert "Công ty TNHH Rạch Giá" not in html(browser.get(PAGE))
    intake = signed_in(Client(), make_officer(PeopleRole.INTAKE_OFFICER, unit("91", Level.PROVINCE), "Tiếp Nhận"))
    assert_friendly(intake.get(PAGE), 403)
    assert Client().get(PAGE).status_code == 302  # to sign in


def test_a_partner_clerk_reads_but_is_not_offered_to_exclude(world: World) -> None:
    clerk = signed_in(
        Client(), make_officer(RegistryRole.PARTNER_CLERK, unit("91", Level.PROVINCE), "Cán Bộ Thuế")
    )
    page = html(clerk.get(PAGE))
    assert "Công ty TNHH Rạch Giá" in page
    assert "/exclude" not in page
    assert "Chốt số liệu" not in html(clerk.get(PAGE, {"tab": "baselines"}))

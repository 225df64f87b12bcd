"""Role-aware navigation, the units pages and deployment zones."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from dinhdanh.core.access import AdministratorRole
from dinhdanh.core.audit_actions import KernelAction
from dinhdanh.core.models import AuditEvent
from dinhdanh.geo.models import AdministrativeUnit, Level, Scheme
from dinhdanh.people.permissions import PeopleRole
from tests.conftest import make_officer, make_user, signed_in, unit
from tests.web.support import AUDIT_LINK, DOCS_LINK, MY_WORK, assert_friendly, deploy_zone, html, nav

pytestmark = pytest.mark.django_db

# --- navigation by role ---------------------------------------------------------------------------


def test_anonymous_sees_no_personal_or_audit_links(client: Client) -> None:
    page = html(client.get("/"))
    assert MY_WORK not in page
    assert AUDIT_LINK not in page
    assert DOCS_LINK in nav(page)
    assert 'href="/signin/"' in page


def test_a_citizen_sees_my_work_but_no_audit_link(client: Client) -> None:
    signed_in(client, make_user("Trần Thị Bình"))
    page = html(client.get("/"))
    assert MY_WORK in nav(page)
    assert AUDIT_LINK not in page
    assert "Trần Thị Bình" in page
    me = client.get("/me/")
    assert me.status_code == 200
    assert "Bạn chưa được giao vai trò cán bộ nào." in html(me)


def test_me_requires_sign_in(client: Client) -> None:
    response = client.get("/me/")
    assert response.status_code == 302
    assert response["Location"].startswith("/signin/?next=/me/")


def test_a_nationwide_system_admin_sees_and_opens_the_audit_log(client: Client) -> None:
    signed_in(client, make_officer(AdministratorRole.SYSTEM_ADMIN, None, name="Lê Văn Quản Trị"))
    page = html(client.get("/"))
    assert AUDIT_LINK in nav(page)
    assert MY_WORK in nav(page)
    response = client.get("/audit/")
    page = html(response)
    assert response.status_code == 200
    assert "Chuỗi băm nguyên vẹn" in page
    assert 'class="error"' not in page
    assert 'href="/audit/" aria-current="page"' in page
    me = html(client.get("/me/"))
    assert "Quản trị hệ thống" in me
    assert "Toàn quốc" in me


def test_a_reviewing_officer_is_refused_the_audit_log_and_the_refusal_is_audited(client: Client) -> None:
    officer = make_officer(PeopleRole.REVIEWING_OFFICER, unit("91", Level.PROVINCE))
    signed_in(client, officer)
    assert AUDIT_LINK not in html(client.get("/"))
    before = AuditEvent.objects.filter(action=KernelAction.ACCESS_DENIED).count()
    page = assert_friendly(client.get("/audit/"), 403)
    assert "Bạn không có quyền thực hiện thao tác này." in page
    denied = AuditEvent.objects.filter(action=KernelAction.ACCESS_DENIED).order_by("-pk")
    assert denied.count() == before + 1
    event = denied.first()
    assert event is not None
    assert event.actor_id == officer.pk
    assert event.after == {"permission": "core.view_audit_log", "reason": "core.permission_denied"}
    assert event.request_id


def test_audit_log_requires_sign_in(client: Client) -> None:
    response = client.get("/audit/")
    assert response.status_code == 302
    assert response["Location"].startswith("/signin/")


# --- administrative units -------------------------------------------------------------------------


def test_units_search_finds_the_old_province_and_what_it_became(client: Client) -> None:
    response = client.get("/units/?q=Kien+Giang")
    page = html(response)
    assert response.status_code == 200
    row = re.search(r"<tr><td>Tỉnh Kiên Giang</td>.*?</tr>", page)
    assert row, "Tỉnh Kiên Giang is not listed"
    assert "<td>Tỉnh An Giang</td>" in row.group(0)
    assert "<code>91</code>" in row.group(0)
    assert 'value="Kien Giang"' in page


def test_units_search_is_accent_and_case_insensitive(client: Client) -> None:
    plain = html(client.get("/units/?q=Kien+Giang"))
    accented = html(client.get("/units/?q=KIÊN+giang"))
    assert re.findall(r"<tr><td>.*?</tr>", plain) == re.findall(r"<tr><td>.*?</tr>", accented)


def test_units_search_too_short_says_so_instead_of_an_error_page(client: Client) -> None:
    response = client.get("/units/?q=x")
    page = html(response)
    assert response.status_code == 200
    assert '<p class="notice error">Từ khóa tìm kiếm cần ít nhất 2 ký tự.</p>' in page
    assert "Tỉnh An Giang" in page  # the province listing is still there


def test_units_search_with_nothing_found(client: Client) -> None:
    page = html(client.get("/units/?q=zzqqxx"))
    assert "Không tìm thấy đơn vị nào." in page


def test_units_search_survives_hostile_input(client: Client) -> None:
    for q in [
        "\x00",
        "Kien\x00Giang",
        "<script>alert(1)</script>",
        "a" * 5000,
        "'; DROP TABLE geo;--",
        "\u202eGiang",
    ]:
        response = client.get("/units/", {"q": q})
        assert response.status_code == 200, q
        assert "<script>alert(1)" not in html(response)


def test_province_page_lists_its_communes(client: Client) -> None:
    response = client.get("/units/91/")
    page = html(response)
    assert response.status_code == 200
    assert "<h1>Tỉnh An Giang</h1>" in page
    an_giang = unit("91", Level.PROVINCE)
    communes = AdministrativeUnit.objects.filter(scheme=Scheme.CURRENT, level=Level.COMMUNE, parent=an_giang)
    listed = re.findall(r"<li>(.*?) <code>(\d{5})</code></li>", page)
    assert len(listed) == communes.count() > 50
    assert set(listed) == {(c.name, c.code) for c in communes}
    assert ("Đặc khu Phú Quốc", "31078") in listed


def test_province_code_is_zero_padded(client: Client) -> None:
    assert "<h1>Tỉnh Tuyên Quang</h1>" in html(client.get("/units/8/"))


@pytest.mark.parametrize("code", ["abc", "99", "123", "%E2%80%AE91", "9%001", "%00"])
def test_unknown_or_malformed_province_is_a_friendly_404(client: Client, code: str) -> None:
    assert_friendly(client.get(f"/units/{code}/"), 404)


def test_province_404_in_english(client: Client) -> None:
    assert_friendly(client.get("/units/abc/", HTTP_ACCEPT_LANGUAGE="en"), 404, lang="en")


# --- deployment zones -----------------------------------------------------------------------------


def test_outer_zone_hides_the_audit_link(client: Client, settings: object) -> None:
    signed_in(client, make_officer(AdministratorRole.SYSTEM_ADMIN, None))
    settings.DEPLOY_ZONE = "outer"  # type: ignore[attr-defined]
    page = html(client.get("/"))
    assert AUDIT_LINK not in page
    assert DOCS_LINK in nav(page)


def test_inner_zone_hides_the_public_api_docs_link(client: Client, settings: object) -> None:
    signed_in(client, make_officer(AdministratorRole.SYSTEM_ADMIN, None))
    settings.DEPLOY_ZONE = "inner"  # type: ignore[attr-defined]
    page = html(client.get("/"))
    assert AUDIT_LINK in nav(page)
    assert DOCS_LINK not in page


def test_outer_zone_does_not_route_the_back_office(client: Client) -> None:
    signed_in(client, make_officer(AdministratorRole.SYSTEM_ADMIN, None))
    with deploy_zone("outer"):
        assert_friendly(client.get("/audit/"), 404)
        assert_friendly(client.get("/admin/"), 404)
        assert client.get("/").status_code == 200
        assert client.get("/api/v1/units?level=province").status_code == 200
    # Restored: the back office is routed again.
    assert client.get("/audit/").status_code == 200
    assert client.get("/admin/").status_code in (200, 302)


def test_inner_zone_routes_the_back_office(client: Client) -> None:
    signed_in(client, make_officer(AdministratorRole.SYSTEM_ADMIN, None))
    with deploy_zone("inner"):
        assert client.get("/audit/").status_code == 200
        assert client.get("/admin/").status_code in (200, 302)

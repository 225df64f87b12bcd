"""Journey: officers lock an organization at an authority's written request and unlock it (issue 15 tests).

The first officer proposes the lock with the authority and its document (four eyes), a second officer of the
province confirms it with the same facts, and the organization page shows it locked with its ground; later
the lock is lifted with a reason. Each step needs a fresh second factor; the page says what happened."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from dinhdanh.people.permissions import PeopleRole
from tests.e2e.support import sign_in_with_totp

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

AUTHORITY = "Cơ quan Cảnh sát điều tra Công an tỉnh An Giang"
DOCUMENT = "123/CSĐT ngày 01/12/2026"


def _officer_page(browser: Any, base: str, pid: str, name: str) -> Any:
    from tests.conftest import make_officer
    from tests.organizations.factories import province
    from tests.people.support import enrol_totp, totp_code

    officer = make_officer(PeopleRole.REVIEWING_OFFICER, province("91"), name, personal_id=pid)
    totp, _recovery = enrol_totp(officer)
    page = browser.new_context(locale="vi-VN").new_page()
    sign_in_with_totp(page, base, pid, totp_code(officer, totp))
    return page


def _lock(page: Any, url: str) -> None:
    page.goto(url)
    page.get_by_label("Cơ quan có thẩm quyền yêu cầu").fill(AUTHORITY)
    page.get_by_label("Số, ngày văn bản yêu cầu").fill(DOCUMENT)
    page.get_by_label("Lý do", exact=True).fill("Phục vụ điều tra vụ án")
    page.get_by_role("button", name="Khóa tài khoản tổ chức").click()
    page.wait_for_url(url)


def test_officers_lock_and_unlock_an_organization(
    browser: Any, live_server: Any, settings: Any, tmp_path: Path
) -> None:
    from dinhdanh.geo.services import units_load
    from dinhdanh.organizations.models import Organization, OrganizationStatus
    from tests.conftest import make_user
    from tests.organizations.factories import make_organization

    units_load(actor=None)
    settings.NOTIFY_OUTBOX_DIR = tmp_path / "outbox"
    base = live_server.url
    org = make_organization(representative=make_user("Trần Thị Đại Diện", personal_id="091185000111"))
    url = f"{base}/applications/organizations/{org.eid}/"
    first = _officer_page(browser, base, "091080000331", "Cán bộ Đề Xuất")
    second = _officer_page(browser, base, "091080000332", "Cán bộ Xác Nhận")

    _lock(first, url)  # proposed: two officers must agree
    assert Organization.objects.get(pk=org.pk).status == OrganizationStatus.ACTIVE
    expect(first.locator(".messages")).to_contain_text(re.compile("cán bộ (khác|thứ hai)", re.I))

    _lock(second, url)  # the same facts from a second officer: locked
    expect(second.get_by_test_id("org-status")).to_contain_text("Phục vụ điều tra vụ án")
    assert Organization.objects.get(pk=org.pk).status == OrganizationStatus.LOCKED

    second.get_by_label("Lý do mở khóa").fill("Cơ quan điều tra đề nghị mở khóa")
    second.get_by_role("button", name="Mở khóa tài khoản tổ chức").click()
    second.wait_for_url(url)
    assert Organization.objects.get(pk=org.pk).status == OrganizationStatus.ACTIVE
    expect(second.locator("main")).to_contain_text("Cơ quan điều tra đề nghị mở khóa")  # in the lock history
    for page in (first, second):
        page.context.close()

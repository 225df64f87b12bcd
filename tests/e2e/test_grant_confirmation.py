"""Journey (issue 15.4): the legal representative grants a member. After typing the number and choosing
services from the registry, the page shows the person's name and masked number and writes nothing;
"Quay lại" changes nothing; "Xác nhận" grants, and the member is listed. The confirmation page fits a
360 px phone and passes axe-core, in Vietnamese and in English."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

REP_PID = "091185000111"
MEMBER_PID = "091085000222"
MASKED = "0910******22"
TEXT = {
    "vi": {"heading": "Xác nhận phân quyền", "granted": "Đã phân quyền cho Phạm Văn Kế Toán."},
    "en": {"heading": "Confirm the grant", "granted": "Access has been granted to Phạm Văn Kế Toán."},
}


def _sign_in(page: Any, base: str, user: Any, totp: Any) -> None:
    """By field names, so the same steps work in either language."""
    from tests.conftest import PASSWORD
    from tests.people.support import totp_code

    page.goto(base + "/signin/")
    page.locator("input[name=username]").fill(REP_PID)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/signin/verify/.*"))
    page.locator("input[name=code]").fill(totp_code(user, totp))
    page.locator("main form:has(input[name=code]) button[type=submit]").click()
    page.wait_for_url(base + "/")


def _fill_grant(page: Any) -> None:
    page.locator("input[name=personal_id]").fill(MEMBER_PID)
    page.locator("input[name=services][value='thue-dien-tu']").check()
    page.locator("form[action$='/members/grant/'] button[type=submit]").click()
    page.wait_for_load_state()


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_representative_confirms_the_person_before_granting(
    browser: Any, live_server: Any, settings: Any, tmp_path: Path, lang: str
) -> None:
    from dinhdanh.geo.services import units_load
    from dinhdanh.organizations.models import Membership
    from tests.conftest import make_user
    from tests.e2e.test_every_page import AXE, WIDTH, _check
    from tests.organizations.factories import make_organization, make_service
    from tests.people.support import enrol_totp

    units_load(actor=None)  # a transactional test before this one may have flushed them
    settings.NOTIFY_OUTBOX_DIR = tmp_path / "outbox"
    base = live_server.url
    rep = make_user("Trần Thị Đại Diện", personal_id=REP_PID)
    member = make_user("Phạm Văn Kế Toán", personal_id=MEMBER_PID)
    org = make_organization(representative=rep, code="0100109106", name="Công ty TNHH Sen Vàng")
    make_service("thue-dien-tu", "Thuế điện tử"), make_service("bhxh.vn", "Bảo hiểm xã hội")
    totp, _recovery = enrol_totp(rep)

    context = browser.new_context(locale=f"{lang}-VN", viewport={"width": WIDTH, "height": 740})
    context.add_cookies([{"name": "dinhdanh_lang", "value": lang, "domain": urlsplit(base).hostname, "path": "/"}])
    page = context.new_page()
    _sign_in(page, base, rep, totp)
    members_url = base + f"/organizations/{org.eid}/members/"
    page.goto(members_url)
    assert page.locator("html").get_attribute("lang") == lang

    # Step one, then "Quay lại": nothing is written.
    _fill_grant(page)
    main = page.locator("main")
    assert page.get_by_role("heading", name=TEXT[lang]["heading"]).is_visible()
    assert page.get_by_test_id("grantee-name").inner_text() == "Phạm Văn Kế Toán"
    assert page.get_by_test_id("grantee-number").inner_text() == MASKED
    assert "Thuế điện tử" in main.inner_text()
    assert "Bảo hiểm xã hội" not in main.inner_text()
    assert MEMBER_PID not in page.content()
    if AXE.exists():
        assert _check(page, AXE.read_text(encoding="utf-8")) == []
    page.locator("main form a.button.secondary").click()
    page.wait_for_url(members_url)
    assert not Membership.objects.filter(user=member).exists()
    assert "Phạm Văn Kế Toán" not in page.locator("table").inner_text()

    # Step one again, then "Xác nhận": granted and listed.
    _fill_grant(page)
    page.locator("form[action$='/grant/confirm/'] button[type=submit]").click()
    page.wait_for_url(members_url)
    assert TEXT[lang]["granted"] in page.locator("main").inner_text()
    row = page.locator("table tr", has_text="Phạm Văn Kế Toán")
    assert "Thuế điện tử" in row.inner_text()
    assert MASKED in row.inner_text()
    granted = Membership.objects.get(user=member, revoked_at__isnull=True)
    assert [g.service.code for g in granted.grants.all()] == ["thue-dien-tu"]

"""The officer's queue filtered and sorted without a reload (issue 15.3): the page stays (a marker set on the
window survives), the rows follow the server's rules, and the address can be shared."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from dinhdanh.people.permissions import PeopleRole
from tests.e2e.test_officer_review import OFFICER_PID, _sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _numbers(page: Any) -> list[str]:
    found: list[str] = page.eval_on_selector_all(
        "[data-testid=queue] tbody tr td:first-child a", "links => links.map(a => a.textContent.trim())"
    )
    return found


def test_the_queue_filters_and_sorts_in_place(
    browser: Any, live_server: Any, settings: Any, tmp_path: Any
) -> None:
    from dinhdanh.geo.services import units_load
    from tests.applications.officer.support import COMMUNE, filed
    from tests.conftest import make_officer, unit
    from tests.people.support import enrol_totp, totp_code

    units_load(actor=None)
    settings.NOTIFY_OUTBOX_DIR = tmp_path / "outbox"
    officer = make_officer(PeopleRole.REVIEWING_OFFICER, unit(COMMUNE), "Cán bộ Hàng Đợi", personal_id=OFFICER_PID)
    totp, _recovery = enrol_totp(officer)
    zeta, alpha, mid = (
        filed(name="Công ty TNHH Zeta"),
        filed(name="Công ty TNHH An Phú"),
        filed(name="Công ty TNHH Minh"),
    )
    context = browser.new_context(locale="vi-VN")
    page = context.new_page()
    _sign_in(page, live_server.url, totp_code(officer, totp))
    page.goto(live_server.url + "/applications/queue/")
    assert set(_numbers(page)) == {zeta.number, alpha.number, mid.number}
    page.evaluate("window.__stayed = true")

    page.get_by_label("Sắp xếp").select_option("name")
    expect(page).to_have_url(re.compile("sort=name"))
    expect(page.locator("[data-testid=queue] tbody tr td:first-child a").first).to_have_text(alpha.number)
    assert _numbers(page) == [alpha.number, mid.number, zeta.number]

    page.get_by_label("Số hồ sơ, mã số hoặc tên tổ chức").fill("zeta")
    expect(page.locator("[data-testid=queue] tbody tr")).to_have_count(1)
    assert _numbers(page) == [zeta.number]
    assert page.evaluate("window.__stayed") is True  # no reload happened
    assert "q=zeta" in page.url
    assert "sort=name" in page.url

    # The address works on its own, for another tab or a colleague.
    page.goto(page.url)
    assert _numbers(page) == [zeta.number]
    context.close()


def _tab_to(page: Any, text: str, limit: int = 80) -> None:
    """Press Tab until the focused element reads ``text``; bounded, so a trap fails instead of hanging."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(document.activeElement.innerText || '').trim()") == text:
            return
    raise AssertionError(f"{text!r} is not reached by the keyboard")


def test_a_request_is_approved_with_the_keyboard_alone(
    browser: Any, live_server: Any, settings: Any, tmp_path: Any
) -> None:
    from dinhdanh.applications.models import Application, Status
    from dinhdanh.geo.services import units_load
    from tests.applications.officer.support import COMMUNE, filed
    from tests.conftest import make_officer, unit
    from tests.people.support import enrol_totp, totp_code

    units_load(actor=None)
    settings.NOTIFY_OUTBOX_DIR = tmp_path / "outbox"
    officer = make_officer(PeopleRole.REVIEWING_OFFICER, unit(COMMUNE), "Cán bộ Bàn Phím", personal_id=OFFICER_PID)
    totp, _recovery = enrol_totp(officer)
    request = filed(name="Công ty TNHH Bàn Phím")
    page = browser.new_context(locale="vi-VN").new_page()
    _sign_in(page, live_server.url, totp_code(officer, totp))
    page.goto(f"{live_server.url}/applications/queue/{request.pk}/")

    _tab_to(page, "Duyệt")  # the decision bar's link
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile("#decide-approve$"))
    page.keyboard.press("Tab")  # the first control of the form the bar led to
    assert page.evaluate("document.activeElement.name") == "acknowledge_failed_checks"
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    page.keyboard.type("Đã đối chiếu giấy tờ gốc tại trụ sở.")
    page.keyboard.press("Tab")
    assert page.evaluate("(document.activeElement.innerText || '').trim()") == "Duyệt hồ sơ"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert Application.objects.get(pk=request.pk).status == Status.APPROVED
    page.context.close()

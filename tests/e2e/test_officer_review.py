"""Journey: a commune police officer signs in with an authenticator app, opens the queue, opens a
request, reads the automatic checks and asks for a supplement; rejects a second request with a reason;
approves a third, which no registry lists, only once the failed checks are acknowledged with a note, and
goes straight on to the next request — and finds the new organization among those of the commune."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from dinhdanh.people.permissions import PeopleRole
from tests.e2e.support import sign_in_with_totp

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

OFFICER_PID = "091080000333"


def _sign_in(page: Any, base: str, code: str) -> None:
    sign_in_with_totp(page, base, OFFICER_PID, code)


def _submit(page: Any, fill: Callable[[], None], button: str, code: Callable[[], str]) -> None:
    """Fill a decision form and send it; when the second factor has gone stale, confirm it: the
    decision held meanwhile is then carried out without filling the form again (issue 15.2)."""
    fill()
    with page.expect_navigation():
        page.get_by_role("button", name=button, exact=True).click()
    if "/step-up/" in page.url:
        page.get_by_label("Mã xác thực").fill(code())
        page.get_by_role("button", name="Xác nhận").click()
    page.wait_for_url(re.compile(r".*/applications/queue/\d+/$"))


def _approve_despite_failed_checks(page: Any, base: str, third: Any, fourth: Any, code: Callable[[], str]) -> None:
    from dinhdanh.applications.audit_actions import ApplicationAction
    from dinhdanh.applications.models import Application, Status
    from dinhdanh.core.models import AuditEvent

    # The third is in no registry: its failed checks come first, each linking to its row.
    page.goto(base + "/applications/queue/")
    page.get_by_role("link", name=third.number).click()
    failed = page.get_by_test_id("failed-checks")
    assert "Có trong cơ sở dữ liệu đăng ký" in failed.inner_text()
    failed.get_by_role("link", name="Có trong cơ sở dữ liệu đăng ký").click()
    assert page.url.endswith("#check-code_known")
    # Approving without acknowledging them is refused, and says what to do; nothing changes.
    page.get_by_role("navigation", name="Quyết định").get_by_role("link", name="Duyệt", exact=True).click()
    assert page.url.endswith("#decide-approve")
    _submit(page, lambda: None, "Duyệt hồ sơ", code)
    assert page.get_by_test_id("status").inner_text() == "Đang thẩm định"
    assert "Để vẫn duyệt" in page.locator("main").inner_text()
    # Acknowledged with a note, and "approve and open the next request": the fourth opens.
    page.get_by_label("Tôi đã xem các kiểm tra không đạt và vẫn duyệt; lý do ở ô ghi chú.").check()
    page.locator("#approve_note").fill("Đã đối chiếu giấy chứng nhận gốc; cơ sở dữ liệu chưa cập nhật.")
    with page.expect_navigation():
        page.get_by_role("button", name="Duyệt hồ sơ và mở hồ sơ tiếp theo").click()
    page.wait_for_url(base + f"/applications/queue/{fourth.pk}/")
    assert Application.objects.get(pk=third.pk).status == Status.APPROVED
    after = AuditEvent.objects.filter(action=ApplicationAction.APP_APPROVED).get().after or {}
    assert after["note"] == "Đã đối chiếu giấy chứng nhận gốc; cơ sở dữ liệu chưa cập nhật."
    assert "code_known" in after["failed_checks_acknowledged"]


def test_an_officer_works_the_queue(browser: Any, live_server: Any, settings: Any, tmp_path: Path) -> None:
    from dinhdanh.applications.models import Application, Status
    from dinhdanh.geo.services import units_load
    from dinhdanh.organizations.models import Organization
    from tests.applications.officer.support import COMMUNE, filed
    from tests.conftest import make_officer, unit
    from tests.people.support import enrol_totp, totp_code

    units_load(actor=None)  # transactional tests start from an empty database
    settings.NOTIFY_OUTBOX_DIR = tmp_path / "outbox"
    base = live_server.url
    officer = make_officer(PeopleRole.REVIEWING_OFFICER, unit(COMMUNE), "Cán bộ Xã Thử", personal_id=OFFICER_PID)
    totp, _recovery = enrol_totp(officer)
    first = filed(name="Công ty TNHH Bổ Sung Hồ Sơ")
    second = filed(name="Công ty TNHH Bị Từ Chối")
    third = filed(name="Công ty TNHH Được Cấp Tài Khoản")
    fourth = filed(name="Công ty TNHH Hồ Sơ Tiếp Theo")

    context = browser.new_context(locale="vi-VN")
    page = context.new_page()
    console_errors: list[str] = []
    page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)
    _sign_in(page, base, totp_code(officer, totp))

    def code() -> str:
        return totp_code(officer, totp)

    # The queue, most urgent first; then the first request and its checks.
    page.goto(base + "/applications/queue/")
    queue = page.get_by_test_id("queue")
    for app in (first, second, third):
        assert app.number in queue.inner_text()
    page.get_by_role("link", name=first.number).click()
    page.wait_for_url(base + f"/applications/queue/{first.pk}/")
    checks = page.get_by_test_id("checks")
    assert "Mã số hợp lệ" in checks.inner_text()
    assert first.code in checks.inner_text()
    _submit(
        page,
        lambda: page.get_by_label("Nội dung cần bổ sung (người nộp hồ sơ sẽ đọc được)").fill(
            "Bổ sung bản chụp giấy chứng nhận đăng ký doanh nghiệp."
        ),
        "Yêu cầu bổ sung",
        code,
    )
    assert page.get_by_test_id("status").inner_text() == "Chờ bổ sung"

    # The second is rejected with a reason the applicant will read.
    page.goto(base + "/applications/queue/")
    page.get_by_role("link", name=second.number).click()
    _submit(
        page,
        lambda: page.get_by_label("Lý do từ chối (người nộp hồ sơ sẽ đọc được)").fill(
            "Mã số thuế không thuộc tổ chức đã khai."
        ),
        "Từ chối hồ sơ",
        code,
    )
    assert page.get_by_test_id("status").inner_text() == "Từ chối", page.locator("main").inner_text()[:600]
    assert "Mã số thuế không thuộc tổ chức đã khai." in page.locator("main").inner_text()

    _approve_despite_failed_checks(page, base, third, fourth, code)
    organization = Organization.objects.get(code=third.code)
    page.goto(base + "/applications/organizations/")
    page.get_by_role("link", name=organization.eid).click()
    page.wait_for_url(base + f"/applications/organizations/{organization.eid}/")
    assert "Công ty TNHH Được Cấp Tài Khoản" in page.locator("h1").inner_text()

    assert Application.objects.get(pk=first.pk).status == Status.NEEDS_SUPPLEMENT
    assert Application.objects.get(pk=second.pk).status == Status.REJECTED
    assert not console_errors, console_errors  # CSP violations show up here
    context.close()

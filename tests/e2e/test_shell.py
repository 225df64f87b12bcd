"""Journey: a visitor reads the Vietnamese home page, switches to English, signs in as an officer,
who must enrol an authenticator app before the back office opens."""

from __future__ import annotations

from typing import Any

import pyotp
import pytest

from dinhdanh.core.access import AdministratorRole
from tests.conftest import PASSWORD, make_officer, unit

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_home_language_switch_and_officer_signin(browser: Any, live_server: Any) -> None:
    from dinhdanh.geo.models import Level
    from dinhdanh.geo.services import units_load

    units_load(actor=None)  # transactional tests start from an empty database
    login = "091085123456"
    officer = make_officer(AdministratorRole.SYSTEM_ADMIN, None, name="Trần Văn Quản Trị", personal_id=login)
    assert unit("91", Level.PROVINCE)

    context = browser.new_context(locale="vi-VN")
    page = context.new_page()
    console_errors: list[str] = []
    page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)

    page.goto(live_server.url + "/")
    assert page.locator("html").get_attribute("lang") == "vi"
    assert "Tài khoản định danh điện tử cho cơ quan, tổ chức" in page.locator("h1").inner_text()

    page.get_by_role("button", name="EN").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    page.get_by_role("button", name="VI").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "vi"

    page.get_by_role("link", name="Đăng nhập").first.click()
    page.get_by_label("Số định danh cá nhân").fill(login)
    page.get_by_label("Mật khẩu").fill("sai-mat-khau-123")
    page.get_by_role("button", name="Đăng nhập", exact=True).click()
    summary = page.get_by_role("alert")
    assert "Số định danh hoặc mật khẩu không đúng." in summary.inner_text()
    assert page.title().startswith("Lỗi:")
    assert page.evaluate("document.activeElement.hasAttribute('data-error-summary')")

    page.get_by_label("Số định danh cá nhân").fill(login)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập", exact=True).click()
    # Officers must have a second factor: the first sign-in lands on enrolment, and nothing else opens.
    page.wait_for_url(live_server.url + "/me/security/")
    assert officer.full_name in page.locator("header").inner_text()
    page.goto(live_server.url + "/audit/")
    page.wait_for_url(live_server.url + "/me/security/")
    page.get_by_role("link", name="Đăng ký ứng dụng xác thực").click()
    secret = page.locator("#totp-secret").inner_text().strip()
    page.get_by_label("Mã xác thực").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Xác nhận").click()
    assert page.locator("#recovery-codes li").count() == 10
    page.get_by_role("link", name="Tôi đã lưu các mã").click()
    page.get_by_role("link", name="Nhật ký kiểm toán").click()
    assert "Chuỗi băm nguyên vẹn" in page.locator("main").inner_text()

    page.goto(live_server.url + "/units/?q=kien giang")
    assert "Tỉnh An Giang" in page.locator("main").inner_text()
    assert not console_errors, console_errors  # CSP violations show up here
    context.close()

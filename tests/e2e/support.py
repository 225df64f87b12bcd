"""Steps the browser journeys share."""

from __future__ import annotations

import re
from typing import Any


def sign_in_with_totp(page: Any, base: str, personal_id: str, code: str, *, password: str | None = None) -> None:
    """The sign-in page, then the authenticator code; lands on the home page."""
    from tests.conftest import PASSWORD

    page.goto(base + "/signin/")
    page.get_by_label("Số định danh cá nhân").fill(personal_id)
    page.get_by_label("Mật khẩu").fill(password or PASSWORD)
    page.get_by_role("button", name="Đăng nhập", exact=True).click()
    page.wait_for_url(re.compile(r".*/signin/verify/.*"))
    page.get_by_label("Mã xác thực").fill(code)
    page.get_by_role("button", name="Xác nhận").click()
    page.wait_for_url(base + "/")

"""Journey (issue 12.5 and 12.6): a member signs in at the demo relying party "Cổng dịch vụ công
(demo)" as their organization — the RP pushes the request (PAR, private_key_jwt, DPoP), the person signs
in at the provider and chooses the organization, and the RP shows its name and tax code; then switches
without a password, and signs out of both (RP-initiated logout)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from dinhdanh_demo_rp.app import DemoApp
from tests.conftest import PASSWORD
from tests.demo_rp.support import ORG_NAME, PERSON_ID, TAX_CODE, free_port, running, world

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

WAIT_MS = 15_000  # every wait is bounded: a stuck page fails the test instead of hanging CI


def test_sign_in_as_an_organization_at_the_demo_rp(
    browser: Any, live_server: Any, settings: Any, tmp_path: Path
) -> None:
    settings.FEDERATION_ISSUER = live_server.url
    port = free_port()
    demo = world(live_server.url, tmp_path / "demo-rp", port)
    rp_url = f"http://127.0.0.1:{port}"
    with running(DemoApp(demo.rp), port):
        context = browser.new_context(locale="vi-VN")
        context.set_default_timeout(WAIT_MS)
        page = context.new_page()
        try:
            page.goto(rp_url + "/")
            page.get_by_role("button", name="Đăng nhập bằng định danh tổ chức").click()
            page.wait_for_url(re.compile(r".*/signin/.*"))
            page.get_by_label("Số định danh cá nhân").fill(PERSON_ID)
            page.get_by_label("Mật khẩu").fill(PASSWORD)
            page.get_by_role("button", name="Đăng nhập", exact=True).click()
            page.wait_for_url(re.compile(r".*/oauth/authorize\?.*"))
            consent = page.get_by_test_id("authorize")
            consent.get_by_label(re.compile(ORG_NAME)).check()
            consent.get_by_role("button", name="Đồng ý").click()
            page.wait_for_url(rp_url + "/")
            organization = page.get_by_test_id("organization")
            organization.get_by_text(ORG_NAME).wait_for()
            organization.get_by_text(TAX_CODE).wait_for()
            # Switching organization: the provider's session remains, so the choice comes without a password.
            page.get_by_role("button", name="Đổi tổ chức").click()
            page.wait_for_url(re.compile(r".*/oauth/authorize\?.*"))
            page.get_by_test_id("authorize").get_by_label("Cá nhân tôi").check()
            page.get_by_test_id("authorize").get_by_role("button", name="Đồng ý").click()
            page.wait_for_url(rp_url + "/")
            page.get_by_text("Bạn đang đăng nhập với tư cách cá nhân").wait_for()
            # RP-initiated logout: the provider asks, then sends the person back to the RP.
            page.get_by_role("button", name="Đăng xuất").click()
            page.wait_for_url(re.compile(r".*/oauth/logout\?.*"))
            page.locator('button[name="decision"][value="logout"]').click()
            page.wait_for_url(rp_url + "/signed-out?*")
            page.get_by_text("Bạn đã đăng xuất.").wait_for()
        finally:
            context.close()

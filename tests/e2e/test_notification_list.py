"""Journey: a person sees the count of unread notifications in the menu, opens the list (in the language of
the page, not the one the message went out in), marks everything read, and the count goes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.support import sign_in_with_totp

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_unread_count_the_list_and_mark_all_read(
    browser: Any, live_server: Any, settings: Any, tmp_path: Path
) -> None:
    from dinhdanh.notifications import inbox
    from dinhdanh.notifications.services import notify
    from tests.applications.support import person
    from tests.people.support import enrol_totp, totp_code

    settings.NOTIFY_OUTBOX_DIR = tmp_path / "outbox"
    user, pid = person("Đỗ Thị Đọc Tin")
    totp, _recovery = enrol_totp(user)
    for channel, to in (("sms", "0912345667"), ("email", "doc.tin@example.com")):
        notify(channel=channel, to=to, template="app_approved", params={"number": "HS-2026-000777"}, user=user)
    unread = inbox.unread_count(user)  # signing in may send its own notice as well

    page = browser.new_context(locale="vi-VN").new_page()
    sign_in_with_totp(page, live_server.url, pid, totp_code(user, totp))
    page.goto(live_server.url + "/")
    link = page.get_by_role("navigation").get_by_role("link", name="Thông báo")
    expect(link).to_contain_text(str(inbox.unread_count(user)))
    assert inbox.unread_count(user) >= unread
    link.click()
    page.wait_for_url(live_server.url + "/me/notifications/")
    expect(page.get_by_test_id("inbox")).to_contain_text("Hồ sơ HS-2026-000777 đã được duyệt")
    page.get_by_role("button", name="Đánh dấu tất cả là đã đọc").click()
    page.wait_for_url(live_server.url + "/me/notifications/")
    expect(page.locator("nav .badge")).to_have_count(0)
    assert inbox.unread_count(user) == 0

    # In English the same stored message reads in English.
    page.get_by_role("button", name="EN").click()
    expect(page.get_by_test_id("inbox")).to_contain_text("Request HS-2026-000777 has been approved")
    page.context.close()

"""Journey (issue 15.2): an officer's second factor lapses while they write a supplement request; they
send it, confirm their authenticator code, and the request is asked without typing it again."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import pytest

from dinhdanh.people.permissions import PeopleRole
from tests.e2e.support import sign_in_with_totp

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

OFFICER_PID = "091080000444"
ASKED = "Bổ sung bản chụp quyết định thành lập; “bản rõ nét”."


def test_an_action_is_completed_after_step_up(
    browser: Any, live_server: Any, settings: Any, tmp_path: Path
) -> None:
    from dinhdanh.applications.models import Application, Status
    from dinhdanh.geo.services import units_load
    from tests.applications.officer.support import COMMUNE, filed
    from tests.conftest import make_officer, unit
    from tests.people.support import enrol_totp, totp_code

    units_load(actor=None)
    settings.NOTIFY_OUTBOX_DIR = tmp_path / "outbox"
    settings.STEP_UP_SECONDS = 3  # lapses while the officer types
    base = live_server.url
    officer = make_officer(
        PeopleRole.REVIEWING_OFFICER, unit(COMMUNE), "Cán bộ Xác Thực Lại", personal_id=OFFICER_PID
    )
    totp, _recovery = enrol_totp(officer)
    request = filed(name="Công ty TNHH Xác Thực Lại")

    page = browser.new_context(locale="vi-VN").new_page()
    sign_in_with_totp(page, base, OFFICER_PID, totp_code(officer, totp))

    page.goto(base + f"/applications/queue/{request.pk}/")
    page.get_by_label("Nội dung cần bổ sung (người nộp hồ sơ sẽ đọc được)").fill(ASKED)
    time.sleep(3.5)
    with page.expect_navigation():
        page.get_by_role("button", name="Yêu cầu bổ sung", exact=True).click()
    assert "/step-up/" in page.url
    assert "chưa được thực hiện" in page.locator("main").inner_text()
    assert "3 phút" not in page.locator("main").inner_text()  # 3 s rounds to the 1-minute floor
    assert Application.objects.get(pk=request.pk).status != Status.NEEDS_SUPPLEMENT  # held, not done

    page.get_by_label("Mã xác thực").fill(totp_code(officer, totp))
    page.get_by_role("button", name="Xác nhận").click()
    page.wait_for_url(re.compile(rf".*/applications/queue/{request.pk}/$"))
    assert page.get_by_test_id("status").inner_text() == "Chờ bổ sung"
    assert Application.objects.get(pk=request.pk).status == Status.NEEDS_SUPPLEMENT
    assert ASKED in page.locator("main").inner_text()

"""Journey: a person asks about their personal data and the data protection officer answers (issue 16.2).

The person files a correction from "Công việc của tôi", sees its number and answer date; the officer,
signed in with a second factor, sees it in the queue, acknowledges it, then answers it as done; the
person reads the answer on the same page."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from dinhdanh.people.permissions import PeopleRole
from tests.e2e.support import sign_in_with_totp

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ANSWER = "Đã sửa ngày sinh theo thẻ căn cước."


def _signed_in_page(browser: Any, base: str, user: Any, pid: str) -> Any:
    from tests.people.support import enrol_totp, totp_code

    totp, _recovery = enrol_totp(user)
    page = browser.new_context(locale="vi-VN").new_page()
    sign_in_with_totp(page, base, pid, totp_code(user, totp))
    return page


def test_a_person_asks_and_the_officer_answers(browser: Any, live_server: Any) -> None:
    from dinhdanh.people.models import DataRequest, DataRequestState
    from tests.conftest import make_officer, make_user

    base = live_server.url
    person = make_user("Đặng Thị Hỏi", personal_id="001190004401")
    officer = make_officer(
        PeopleRole.DATA_PROTECTION_OFFICER, None, "Cán bộ Bảo vệ Dữ liệu", personal_id="001080004402"
    )

    asking = _signed_in_page(browser, base, person, "001190004401")
    asking.goto(base + "/me/")
    asking.get_by_role("link", name="Yêu cầu về dữ liệu cá nhân").click()
    asking.get_by_label("Loại yêu cầu").select_option("correction")
    asking.get_by_label("Nội dung (bắt buộc với yêu cầu chỉnh sửa)").fill(
        "Ngày sinh sai: 01/02 chứ không phải 02/01"
    )
    asking.get_by_role("button", name="Gửi yêu cầu").click()
    expect(asking.locator(".messages")).to_contain_text("Đã nhận yêu cầu DR-")
    expect(asking.get_by_test_id("data-requests")).to_contain_text("Đã nhận")
    row = DataRequest.objects.get(user=person)

    answering = _signed_in_page(browser, base, officer, "001080004402")
    answering.goto(base + "/people/data-requests/")
    queue = answering.get_by_test_id("data-request-queue")
    expect(queue).to_contain_text(f"DR-{row.pk}")
    expect(queue).to_contain_text("Ngày sinh sai")
    answering.get_by_role("button", name="Xác nhận đã nhận").click()
    expect(answering.locator(".messages")).to_contain_text("Đã ghi nhận")
    answering.get_by_label("Lý do / câu trả lời").fill(ANSWER)
    answering.get_by_role("button", name="Đã thực hiện").click()
    expect(answering.locator(".messages")).to_contain_text("Đã ghi nhận")
    assert DataRequest.objects.get(pk=row.pk).state == DataRequestState.DONE

    asking.reload()
    expect(asking.get_by_test_id("data-requests")).to_contain_text(ANSWER)
    for page in (asking, answering):
        page.context.close()

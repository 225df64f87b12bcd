"""Journey (issue 15): a partner agency's clerk (tax) answers a verification request. From the menu they
open the list, see the question and only the organization data needed, are told in the error summary
when they send nothing, then answer with a PDF; the request leaves their open list and the answer and
attachment are recorded for the reviewing officer."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.support import sign_in_with_totp

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CLERK_PID = "091080000555"
QUESTION = "Đề nghị xác nhận doanh nghiệp còn hoạt động và người đại diện hiện tại."
ANSWER = "Doanh nghiệp đang hoạt động; người đại diện không thay đổi."


def _asked(tmp_path: Path) -> tuple[Any, Any, Any, Any]:
    """A request filed and checked, a question to the tax agency, its clerk with an authenticator."""
    from dinhdanh.applications import services
    from dinhdanh.core.services import role_grant
    from dinhdanh.geo.services import units_load
    from dinhdanh.registries.permissions import RegistryRole
    from tests.applications.officer.support import PDF, filed, reviewer
    from tests.conftest import make_user
    from tests.people.support import enrol_totp

    units_load(actor=None)
    app = filed(name="Công ty TNHH Cần Xác Minh", phone="0912345678", email="lienhe@example.vn")
    asked = services.verification_ask(
        actor=reviewer(name="Cán bộ Hỏi"), application=app, question=QUESTION, partner_source="tax"
    )
    clerk = make_user("Cán bộ Cơ Quan Thuế", personal_id=CLERK_PID)
    role_grant(actor=None, user=clerk, role=RegistryRole.PARTNER_CLERK, unit=None, partner_source="tax")
    totp, _recovery = enrol_totp(clerk)
    pdf = tmp_path / "xac-nhan.pdf"
    pdf.write_bytes(PDF)
    return app, asked, clerk, totp


def _sign_in(browser: Any, base: str, clerk: Any, totp: Any) -> Any:
    from tests.people.support import totp_code

    page = browser.new_context(locale="vi-VN").new_page()
    sign_in_with_totp(page, base, CLERK_PID, totp_code(clerk, totp))
    return page


def test_the_partner_clerk_answers_a_verification_request(
    browser: Any, live_server: Any, settings: Any, tmp_path: Path
) -> None:
    from dinhdanh.applications.models import VerificationRequest, VerificationStatus

    settings.NOTIFY_OUTBOX_DIR = tmp_path / "outbox"
    base = live_server.url
    app, asked, clerk, totp = _asked(tmp_path)
    page = _sign_in(browser, base, clerk, totp)
    pdf = tmp_path / "xac-nhan.pdf"

    page.get_by_role("navigation", name="Điều hướng chính").get_by_role("link", name="Yêu cầu xác minh").click()
    page.wait_for_url(base + "/applications/verifications/")
    listing = page.get_by_test_id("verifications")
    assert "Công ty TNHH Cần Xác Minh" in listing.inner_text()
    listing.get_by_role("link", name=app.number).click()
    page.wait_for_url(re.compile(rf".*/applications/verifications/{asked.pk}/$"))
    assert page.get_by_test_id("question").inner_text().strip() == QUESTION
    assert "Công ty TNHH Cần Xác Minh" in page.get_by_test_id("organization").inner_text()
    main = page.locator("main").inner_text()
    for private in ("0912345678", "lienhe@example.vn", app.applicant.full_name):
        assert private not in main  # only what the question needs

    # Sending nothing: told in the summary, which links to the field; nothing recorded.
    page.get_by_role("button", name="Gửi kết quả xác minh").click()
    page.wait_for_load_state()
    summary = page.locator(".error-summary")
    assert summary.is_visible()
    summary.get_by_role("link").first.click()
    assert page.evaluate("document.activeElement.name") == "answer"
    assert VerificationRequest.objects.get(pk=asked.pk).status == VerificationStatus.OPEN

    page.get_by_label("Kết quả xác minh").fill(ANSWER)
    page.get_by_label("Tài liệu kèm theo (PDF, JPEG, PNG)").set_input_files(str(pdf))
    page.get_by_role("button", name="Gửi kết quả xác minh").click()
    page.wait_for_url(base + "/applications/verifications/")
    assert "Đã gửi kết quả xác minh." in page.locator("main").inner_text()
    assert app.number not in page.locator("main").inner_text()  # no longer waiting for an answer

    answered = VerificationRequest.objects.get(pk=asked.pk)
    assert (answered.status, answered.answer, answered.answered_by) == (VerificationStatus.ANSWERED, ANSWER, clerk)
    assert [d.file_name for d in answered.documents.all()] == ["xac-nhan.pdf"]

    # The answered request stays readable, with the answer and its attachment.
    page.get_by_role("link", name="Xem cả yêu cầu đã trả lời, đã hủy").click()
    page.get_by_role("link", name=app.number).click()
    assert ANSWER in page.locator("main").inner_text()
    assert page.get_by_role("link", name="xac-nhan.pdf").is_visible()

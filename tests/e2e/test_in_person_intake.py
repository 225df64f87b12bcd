"""Journey: in-person intake (TK02). An intake officer finds the applicant by the number on the card (it never
appears in an address), is told at once what is missing, checks the card, types the organization's data,
attaches the scans and files the request, which the queue then lists as received in person."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from dinhdanh.people.permissions import PeopleRole
from tests.e2e.support import sign_in_with_totp

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

OFFICER_PID = "091080000441"
NAME = "Công ty TNHH Tiếp Nhận Tại Quầy"


def test_an_intake_officer_files_a_request_for_a_visitor(
    browser: Any, live_server: Any, settings: Any, tmp_path: Path
) -> None:
    from dinhdanh.applications.models import Application, ApplicationChannel, Status
    from dinhdanh.geo.services import units_load
    from tests.applications.officer.support import COMMUNE, PDF, applicant, png_bytes, tax_code
    from tests.conftest import make_officer, unit
    from tests.people.support import enrol_totp, totp_code

    units_load(actor=None)
    settings.NOTIFY_OUTBOX_DIR = tmp_path / "outbox"
    base = live_server.url
    officer = make_officer(PeopleRole.INTAKE_OFFICER, unit(COMMUNE), "Cán bộ Tiếp Nhận", personal_id=OFFICER_PID)
    totp, _recovery = enrol_totp(officer)
    person, pid = applicant("Lê Thị Đến Quầy")
    scan, form_pdf = tmp_path / "cccd.png", tmp_path / "tk02.pdf"
    scan.write_bytes(png_bytes())
    form_pdf.write_bytes(PDF)

    page = browser.new_context(locale="vi-VN").new_page()
    sign_in_with_totp(page, base, OFFICER_PID, totp_code(officer, totp))

    page.goto(base + "/applications/intake/")
    page.get_by_label("Số định danh cá nhân").fill(pid)
    page.get_by_role("button", name="Tìm người nộp").click()
    page.wait_for_url(base + f"/applications/intake/{person.pk}/")
    assert pid not in page.url
    expect(page.locator("dl.facts")).to_contain_text("Lê Thị Đến Quầy")

    # Sent empty: every missing field at once, in the summary that takes the focus.
    page.get_by_role("button", name="Tiếp nhận và nộp hồ sơ").click()
    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    assert summary.get_by_role("link").count() >= 3
    assert not Application.objects.exists()

    code = tax_code()
    page.get_by_label("Tôi đã kiểm tra thẻ căn cước bản gốc của người nộp hồ sơ.").check()
    page.get_by_label("Tên tổ chức (tiếng Việt)").fill(NAME)
    page.get_by_label("Mã số thuế / mã số đăng ký").fill(code)
    page.get_by_label("Xã/phường nơi đặt trụ sở").select_option(str(unit(COMMUNE).pk))
    page.get_by_label("Số nhà, đường, thôn/tổ").fill("Số 5 đường Lê Lợi")
    page.get_by_label("Số định danh cá nhân của người đại diện theo pháp luật").fill(pid)
    page.get_by_label("Họ và tên người đại diện").fill("Lê Thị Đến Quầy")
    page.get_by_label("Bản chụp thẻ căn cước của người nộp").set_input_files(str(scan))
    page.get_by_label("Tờ khai TK02 đã ký").set_input_files(str(form_pdf))
    page.get_by_role("button", name="Tiếp nhận và nộp hồ sơ").click()
    page.wait_for_url(base + "/applications/intake/")
    expect(page.locator(".messages")).to_contain_text(NAME)

    filed = Application.objects.get(code=code)
    assert (filed.channel, filed.applicant_id, filed.status) == (
        ApplicationChannel.IN_PERSON,
        person.pk,
        Status.CHECKING,
    )
    page.context.close()

"""Journey: a partner clerk of the business registry signs in (enrolling an authenticator app at the
first sign-in), uploads the month's CSV as the complete list of the province, watches the upload and the
import progress, reads the summary and downloads the error report of the one row that was refused."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pyotp
import pytest

from dinhdanh.registries.permissions import RegistryRole

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

LOGIN = "091183123456"
HEADER = ["Mã số doanh nghiệp", "Tên doanh nghiệp", "Ngày thành lập", "Mã xã", "Tình trạng"]
ROWS = [
    ["0100109106", "Công ty TNHH Sao Mai", "17/05/2019", "30292", "Đang hoạt động"],
    ["0301234562", "Công ty cổ phần Rạch Giá", "2015-01-02", "30292", "Tạm ngừng kinh doanh"],
    ["12345", "Công ty Mã Sai", "01/01/2020", "30292", "Đang hoạt động"],
    ["0100686209", "Công ty TNHH An Phú", "43466", "30292", "Đang hoạt động"],
]


def _csv() -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    writer.writerows(ROWS)
    return buffer.getvalue().encode("utf-8-sig")


def _sign_in_and_enrol(page: Any, base: str, password: str) -> None:
    page.goto(base + "/signin/")
    page.get_by_label("Số định danh cá nhân").fill(LOGIN)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập", exact=True).click()
    page.wait_for_url(base + "/me/security/")  # officers enrol a second factor first
    page.get_by_role("link", name="Đăng ký ứng dụng xác thực").click()
    secret = page.locator("#totp-secret").inner_text().strip()
    page.get_by_label("Mã xác thực").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Xác nhận").click()
    page.get_by_role("link", name="Tôi đã lưu các mã").click()
    page.wait_for_url(base + "/me/security/")


def test_a_partner_clerk_uploads_a_list_and_downloads_the_error_report(
    browser: Any, live_server: Any, settings: Any, tmp_path: Path
) -> None:
    from dinhdanh.core.services import role_grant
    from dinhdanh.geo.models import AdministrativeUnit, Level, Scheme
    from dinhdanh.geo.services import units_load
    from dinhdanh.registries.models import ImportJob, JobStatus, Record
    from tests.conftest import PASSWORD, make_user

    units_load(actor=None)  # transactional tests start from an empty database
    settings.DATA_DIR = tmp_path  # the live server runs in this process
    province = AdministrativeUnit.objects.get(scheme=Scheme.CURRENT, level=Level.PROVINCE, code="91")
    clerk = make_user("Huỳnh Thị Đối Tác", personal_id=LOGIN)
    role_grant(actor=None, user=clerk, role=RegistryRole.PARTNER_CLERK, unit=province, partner_source="business")

    context = browser.new_context(locale="vi-VN", accept_downloads=True)
    page = context.new_page()
    console_errors: list[str] = []
    page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)
    base = live_server.url
    _sign_in_and_enrol(page, base, PASSWORD)

    page.goto(base + "/registries/upload/")
    source = page.get_by_label("Danh sách của cơ quan")
    assert source.input_value() == "business"  # the clerk's own list, chosen already
    # What the file covers is the clerk's statement: here, the complete list of the province.
    page.get_by_label("Danh sách đầy đủ của địa bàn", exact=True).check()
    page.get_by_label("Địa bàn của danh sách đầy đủ").select_option("91")
    page.get_by_label("Tệp danh sách", exact=False).set_input_files(
        {"name": "dang-ky-doanh-nghiep-thang-6.csv", "mimeType": "text/csv", "buffer": _csv()}
    )
    page.get_by_role("button", name="Tải lên và nhập").click()

    summary = page.locator("[data-job-summary]")
    summary.wait_for(state="visible")
    assert page.url == base + "/registries/upload/"  # JavaScript did it all on the page
    assert page.locator("[data-upload-progress] progress").get_attribute("value") is not None
    assert page.locator("[data-upload-progress] progress").evaluate("bar => bar.value") == 100
    assert page.locator("[data-job-status]").inner_text() == "Hoàn tất"
    assert summary.locator('[data-field="accepted"]').inner_text() == "3"
    assert summary.locator('[data-field="rejected"]').inner_text() == "1"
    assert summary.locator('[data-field="rows"]').inner_text() == "4"
    job = ImportJob.objects.get()
    assert (job.status, job.coverage, job.territory) == (JobStatus.COMPLETED, "complete", province)
    assert Record.objects.filter(source="business").count() == 3

    with page.expect_download() as caught:
        page.get_by_role("link", name="Tải báo cáo lỗi (CSV)").click()
    download = caught.value
    assert download.suggested_filename == f"loi-business-{job.snapshot_id}.csv"
    report = Path(download.path()).read_text(encoding="utf-8-sig")
    assert report.startswith("Dòng / Row")
    assert "12345" in report

    # The job page keeps the result for later, and the lists page shows the import.
    page.goto(base + f"/registries/jobs/{job.pk}/")
    assert page.locator('[data-job-summary] [data-field="accepted"]').inner_text() == "3"
    page.goto(base + "/registries/")
    assert "dang-ky-doanh-nghiep-thang-6.csv" in page.locator("main").inner_text()
    assert not console_errors, console_errors  # CSP violations show up here
    context.close()

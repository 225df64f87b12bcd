"""Forms finished on the first try (issue 15.1), in a real browser: every error at once in a focused
summary whose links focus their field, a "Lỗi:" title, nothing typed or attached lost across an error,
and the head-office commune found by search (without accents, or by a name from before 07/2025)."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from tests.e2e.test_organization_registration import REP_PID, _sign_in, _steps_1_to_4

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PERSONAL_ID = "091090012345"
PASSWORD = "Hoa-sen-no-trong-dam-2025"


def _portrait() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (300, 400), (200, 180, 160)).save(buffer, format="PNG")
    return buffer.getvalue()


def _summary_checks(page: Any, expected: list[str], prefix: str = "Lỗi:") -> None:
    from playwright.sync_api import expect

    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    shown = summary.locator("li").all_inner_texts()
    for message in expected:
        assert message in shown, (message, shown)
    assert page.title().startswith(prefix)


def test_register_page_all_errors_at_once_and_nothing_lost(
    browser: Any, live_server: Any, settings: Any, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    from dinhdanh.geo.services import units_load

    units_load(actor=None)
    settings.NOTIFY_OUTBOX_DIR = tmp_path / "outbox"
    base = live_server.url
    page = browser.new_context(locale="vi-VN").new_page()
    page.goto(base + "/register/")
    page.get_by_role("button", name="Gửi đăng ký").click()
    _summary_checks(
        page,
        ["Nhập số định danh cá nhân.", "Nhập họ và tên.", "Nhập ngày sinh.", "Nhập số điện thoại di động.",
         "Chọn ảnh chân dung để tải lên.", "Nhập mật khẩu.", "Nhập lại mật khẩu."],
    )  # fmt: skip
    page.locator("[data-error-summary]").get_by_role("link", name="Nhập họ và tên.").click()
    expect(page.locator("#id_full_name")).to_be_focused()

    # Everything filled and the photo attached, but the name holds markup: one error, nothing lost.
    page.get_by_label("Số định danh cá nhân").fill(PERSONAL_ID)
    page.locator("#id_full_name").fill("Phạm Thị <b>Hoa</b>")
    page.get_by_label("Ngày sinh").fill("1990-05-17")
    page.get_by_label("Số điện thoại di động").fill("0912345678")
    page.locator("#id_portrait").set_input_files(
        {"name": "chan-dung.png", "mimeType": "image/png", "buffer": _portrait()}
    )
    page.locator("#id_password").fill(PASSWORD)
    page.locator("#id_password_confirm").fill(PASSWORD)
    page.get_by_label("Tôi đồng ý", exact=False).check()
    page.get_by_role("button", name="Gửi đăng ký").click()
    expect(page.locator("[data-error-summary]")).to_be_focused()
    assert len(page.locator("[data-error-summary] li").all()) == 1
    expect(page.locator("[data-held-file]")).to_contain_text("Đã đính kèm: chan-dung.png")
    assert page.locator("#id_password").input_value() == PASSWORD
    assert page.locator("#id_password_confirm").input_value() == PASSWORD
    assert page.get_by_label("Số định danh cá nhân").input_value() == PERSONAL_ID
    assert page.get_by_label("Số điện thoại di động").input_value() == "0912345678"

    page.locator("#id_full_name").fill("Phạm Thị Hoa")
    page.get_by_role("button", name="Gửi đăng ký").click()
    page.wait_for_url(base + "/register/confirm/")


def test_register_page_in_english(browser: Any, live_server: Any) -> None:
    from dinhdanh.geo.services import units_load

    units_load(actor=None)
    page = browser.new_context(locale="vi-VN").new_page()
    page.goto(live_server.url + "/register/")
    page.get_by_role("button", name="EN").click()
    page.locator('form[enctype] button[type="submit"]').last.click()
    summary = page.locator("[data-error-summary]")
    summary.wait_for()
    assert page.title().startswith("Error:")
    assert len(summary.locator("li").all()) >= 7  # every error at once, whatever the catalogue holds


def test_organization_form_errors_and_commune_search(
    browser: Any, live_server: Any, settings: Any, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    from dinhdanh.geo.services import units_load
    from tests.conftest import make_user
    from tests.people.support import enrol_totp, totp_code

    units_load(actor=None)
    settings.NOTIFY_OUTBOX_DIR = tmp_path / "outbox"
    base = live_server.url
    rep = make_user("Trần Thị Đại Diện", personal_id=REP_PID)
    totp, _recovery = enrol_totp(rep)
    page = browser.new_context(locale="vi-VN").new_page()
    _sign_in(page, base, REP_PID, totp_code(rep, totp))
    _steps_1_to_4(page, base, lambda: totp_code(rep, totp))
    page.wait_for_url(re.compile(r".*/organizations/register/data/\?category=enterprise"))
    # The representative comes prefilled from the signed-in person.
    assert page.get_by_label("Họ và tên người đại diện", exact=False).input_value() == "Trần Thị Đại Diện"

    page.get_by_label("Ngày thành lập").fill("2999-01-01")
    page.get_by_label("Số nhà, đường, thôn/tổ").fill("Số 1 đường Mạc Cửu")
    page.get_by_label("Số nhà, đường, thôn/tổ").press("Enter")  # Enter submits, not a helper button
    _summary_checks(
        page,
        ["Nhập tên tổ chức.", "Ngày thành lập không được sau hôm nay.", "Hãy chọn xã, phường nơi đặt trụ sở."],
    )
    assert page.get_by_label("Số nhà, đường, thôn/tổ").input_value() == "Số 1 đường Mạc Cửu"
    page.locator("[data-error-summary]").get_by_role("link", name="Nhập tên tổ chức.").click()
    expect(page.get_by_label("Tên tổ chức (tiếng Việt)")).to_be_focused()

    # Co-representative rows come on demand.
    assert page.locator('input[name="co_name_1"]').count() == 0
    page.get_by_role("button", name="Thêm người đại diện").click()
    expect(page.locator('input[name="co_name_1"]')).to_be_focused()

    # The commune by search: no accents, then a ward of before 07/2025.
    search = page.get_by_role("combobox", name="Tìm xã, phường nơi đặt trụ sở")
    search.fill("ha dong")
    expect(page.get_by_role("option").first).to_have_text("Phường Hà Đông, Thành phố Hà Nội")
    search.fill("thanh xuan bac")
    option = page.get_by_role("option", name=re.compile(r"Phường Thanh Xuân, Thành phố Hà Nội"))
    expect(option).to_contain_text("Phường Thanh Xuân Bắc")
    search.press("ArrowDown")
    search.press("Enter")
    expect(page.locator("[data-commune-status]")).to_contain_text("Đã chọn")
    expect(page.locator('select[name="province"]')).to_have_value("01")
    commune = page.locator('select[name="head_office_code"]')
    expect(commune).to_have_value(re.compile(r"^\d{5}$"))

    expect(commune.locator("option:checked")).to_have_text(re.compile(r"^Phường Thanh Xuân$"))

    _attach_then_finish(page)


def _attach_then_finish(page: Any) -> None:
    """Everything filled, the letter attached, one error left: nothing typed or attached is lost."""
    from playwright.sync_api import expect
    from stdnum.vn import mst

    from dinhdanh.applications.models import Application, Document

    body = next(
        b for b in (f"{n:09d}" for n in range(4_800_000, 4_900_000)) if mst.is_valid(b + mst.calc_check_digit(b))
    )
    page.get_by_label("Người được ủy quyền").check()
    page.get_by_label("Văn bản ủy quyền", exact=False).set_input_files(
        {
            "name": "uy-quyen.pdf",
            "mimeType": "application/pdf",
            "buffer": b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n",
        }
    )
    page.get_by_label("Tên tổ chức (tiếng Việt)").fill("Công ty TNHH Sen Hồng")
    page.get_by_label("Mã số doanh nghiệp / mã số thuế").fill(body + mst.calc_check_digit(body))
    page.get_by_label("Số điện thoại liên hệ").fill("0912345678")
    page.locator("#id_representative_name").fill("Lê Văn Giám Đốc")
    page.get_by_label("Số định danh cá nhân của người đại diện").fill("091085000333")
    page.get_by_role("button", name="Tiếp tục").click()
    _summary_checks(page, ["Ngày thành lập không được sau hôm nay."])
    assert len(page.locator("[data-error-summary] li").all()) == 1
    expect(page.locator("[data-held-file]")).to_contain_text("Đã đính kèm: uy-quyen.pdf")
    assert page.get_by_label("Tên tổ chức (tiếng Việt)").input_value() == "Công ty TNHH Sen Hồng"
    page.get_by_label("Ngày thành lập").fill("2015-06-01")
    page.get_by_role("button", name="Tiếp tục").click()
    page.wait_for_url(re.compile(r".*/organizations/requests/\d+/confirm/"))
    assert Application.objects.count() == 1
    assert Document.objects.get().file_name == "uy-quyen.pdf"

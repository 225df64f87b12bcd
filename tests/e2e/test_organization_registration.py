"""Journey: a level-2 citizen with an authenticator app registers an organization online through the
seven steps of the Đắk Lắk guide (both second-factor confirmations included), follows the request, and
after an officer's approval switches to the organization ("Đổi tài khoản") and grants a colleague,
who then finds the organization in their own hub."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from dinhdanh.people.permissions import PeopleRole

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

REP_PID = "091185000111"  # An Giang (091), a woman born in the 1900s (1), in 1985
MEMBER_PID = "091090000222"
ORG_NAME = "Công ty TNHH Thương mại Sen Vàng"


def _sign_in(page: Any, base: str, pid: str, code: str | None = None) -> None:
    from tests.conftest import PASSWORD

    page.goto(base + "/signin/")
    page.get_by_label("Số định danh cá nhân").fill(pid)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập", exact=True).click()
    if code is not None:
        page.wait_for_url(re.compile(r".*/signin/verify/.*"))
        page.get_by_label("Mã xác thực").fill(code)
        page.get_by_role("button", name="Xác nhận").click()
    page.wait_for_url(base + "/")


def _steps_1_to_4(page: Any, base: str, code: Callable[[], str]) -> None:
    # Step 1: "Định danh tổ chức"; step 2: "Đăng ký định danh tổ chức".
    page.goto(base + "/organizations/")
    page.get_by_role("link", name="Đăng ký định danh tổ chức").click()
    page.get_by_role("button", name="Bắt đầu đăng ký").click()
    # Step 3: the second factor, even though the sign-in a moment ago was with one.
    page.wait_for_url(re.compile(r".*/step-up/.*"))
    page.get_by_label("Mã xác thực").fill(code())
    page.get_by_role("button", name="Xác nhận").click()
    # Step 4: the category.
    page.wait_for_url(base + "/organizations/register/category/")
    page.get_by_label("Doanh nghiệp", exact=False).first.check()
    page.get_by_role("button", name="Tiếp tục").click()


def _step_5(page: Any, tax_code: str, commune_code: str) -> None:
    """The data, with live checks beside the fields and communes loaded for the chosen province."""
    from playwright.sync_api import expect

    page.wait_for_url(re.compile(r".*/organizations/register/data/\?category=enterprise"))
    page.get_by_label("Tên tổ chức (tiếng Việt)").fill(ORG_NAME)
    code_input = page.get_by_label("Mã số doanh nghiệp / mã số thuế")
    code_input.fill("0101234567")
    code_input.blur()
    page.locator('[data-live-error="code"]').filter(has_text="sai số kiểm tra").wait_for()
    code_input.fill(tax_code)
    code_input.blur()
    # Polling with wait_for_function would evaluate strings, which the CSP forbids: use locators.
    expect(page.locator('[data-live-error="code"]')).to_be_empty()
    assert page.locator('button[name="pick_province"]').is_hidden()  # JavaScript took over
    page.get_by_label("Tỉnh, thành phố nơi đặt trụ sở").select_option("91")
    page.locator(f'select[name="head_office_code"] option[value="{commune_code}"]').wait_for(state="attached")
    page.get_by_label("Xã, phường, đặc khu nơi đặt trụ sở").select_option(commune_code)
    page.get_by_label("Số nhà, đường, thôn/tổ").fill("Số 1 đường Mạc Cửu")
    page.get_by_label("Số điện thoại liên hệ").fill("0912345678")
    page.get_by_label("Họ và tên người đại diện theo pháp luật / người đứng đầu").fill("Trần Thị Đại Diện")
    page.get_by_label("Số định danh cá nhân của người đại diện").fill(REP_PID)
    page.get_by_label("Chức vụ của người đại diện").fill("Giám đốc")
    assert page.locator("[data-letter]").is_hidden()  # the representative herself: no letter
    page.get_by_role("button", name="Tiếp tục").click()


def _steps_6_and_7(page: Any, code: str) -> None:
    page.wait_for_url(re.compile(r".*/organizations/requests/\d+/confirm/"))
    assert ORG_NAME in page.locator("main").inner_text()
    page.get_by_label("Mã xác thực").fill(code)
    page.get_by_role("button", name="Xác thực và gửi hồ sơ").click()
    page.wait_for_url(re.compile(r".*/organizations/requests/\d+/created/"))


def _act_and_grant(page: Any, base: str) -> None:
    """ "Đổi tài khoản", then grant a colleague as the organization, then back to oneself."""
    page.goto(base + "/organizations/")
    page.get_by_role("button", name=f"Đổi tài khoản sang {ORG_NAME}").click()
    page.wait_for_url(re.compile(r".*/organizations/\d{11}/"))
    assert f"Đang thao tác với tư cách: {ORG_NAME}" in page.get_by_test_id("acting").inner_text()
    page.get_by_role("link", name="Thành viên").click()
    page.get_by_label("Số định danh cá nhân của người được ủy quyền").fill(MEMBER_PID)
    page.get_by_label("Thuế điện tử (thue-dien-tu)").check()  # a service of the registry (issue 12.0)
    page.get_by_role("button", name="Phân quyền").click()
    assert page.get_by_test_id("grantee-name").inner_text() == "Phạm Văn Kế Toán"  # confirmed first (15.4)
    page.get_by_role("button", name="Xác nhận", exact=True).click()
    page.get_by_role("cell", name="Phạm Văn Kế Toán").wait_for()
    page.get_by_role("button", name="Trở về tài khoản cá nhân").click()
    page.wait_for_url(base + "/organizations/")
    assert page.get_by_test_id("acting").count() == 0


def test_register_an_organization_then_act_for_it(
    browser: Any, live_server: Any, settings: Any, tmp_path: Path
) -> None:
    from stdnum.vn import mst

    from dinhdanh.applications import services
    from dinhdanh.applications.models import Application, Status
    from dinhdanh.geo.models import AdministrativeUnit, Level, Scheme
    from dinhdanh.geo.services import units_load
    from dinhdanh.organizations.models import Membership
    from tests.conftest import make_officer, make_user
    from tests.organizations.factories import make_service
    from tests.people.support import enrol_totp, totp_code

    units_load(actor=None)  # transactional tests start from an empty database
    make_service("thue-dien-tu", "Thuế điện tử")
    settings.NOTIFY_OUTBOX_DIR = tmp_path / "outbox"
    base = live_server.url
    rep = make_user("Trần Thị Đại Diện", personal_id=REP_PID)
    totp, _recovery = enrol_totp(rep)
    member = make_user("Phạm Văn Kế Toán", personal_id=MEMBER_PID)
    body = next(
        b for b in (f"{n:09d}" for n in range(4_700_000, 4_800_000)) if mst.is_valid(b + mst.calc_check_digit(b))
    )
    province = AdministrativeUnit.objects.get(scheme=Scheme.CURRENT, level=Level.PROVINCE, code="91")
    commune = AdministrativeUnit.objects.filter(parent=province, level=Level.COMMUNE).order_by("code")[0]

    context = browser.new_context(locale="vi-VN")
    page = context.new_page()
    console_errors: list[str] = []
    page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)
    _sign_in(page, base, REP_PID, totp_code(rep, totp))
    _steps_1_to_4(page, base, lambda: totp_code(rep, totp))
    _step_5(page, body + mst.calc_check_digit(body), commune.code)
    _steps_6_and_7(page, totp_code(rep, totp))
    application = Application.objects.get()
    assert application.status == Status.CHECKING
    assert page.get_by_test_id("number").inner_text() == application.number
    assert page.get_by_test_id("status").inner_text() == "Đang thẩm định"
    assert application.due_at is not None
    assert re.fullmatch(r"\d\d/\d\d/\d{4}", page.get_by_test_id("due").inner_text())
    page.get_by_role("link", name="Xem lại yêu cầu").click()
    page.wait_for_url(base + f"/organizations/requests/{application.pk}/")
    assert "Đang thẩm định" in page.get_by_test_id("status").inner_text()

    # An officer approves (through the service, as the back office would).
    officer = make_officer(PeopleRole.REVIEWING_OFFICER, province, "Cán bộ An Giang")
    services.application_approve(
        actor=officer, application=application, note="Khớp đăng ký doanh nghiệp", acknowledge_failed_checks=True
    )
    _act_and_grant(page, base)
    assert Membership.objects.filter(user=member, revoked_at__isnull=True).count() == 1
    assert not console_errors, console_errors  # CSP violations show up here
    context.close()

    # The colleague sees the organization in their hub.
    other = browser.new_context(locale="vi-VN")
    page = other.new_page()
    _sign_in(page, base, MEMBER_PID)
    page.goto(base + "/organizations/")
    assert ORG_NAME in page.locator("main").inner_text()
    assert page.get_by_role("button", name=f"Đổi tài khoản sang {ORG_NAME}").is_visible()
    other.close()

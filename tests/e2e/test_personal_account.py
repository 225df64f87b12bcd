"""Journey: a visitor registers a level-1 account, confirms the phone, enrols an authenticator app,
adds a passkey (a Chromium virtual authenticator with fingerprint-style user verification), signs
out, and signs in again with the passkey alone."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any

import pyotp
import pytest
from PIL import Image

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PERSONAL_ID = "091090012345"  # An Giang (091), male born in the 1900s (0), in 1990 (90)
PHONE = "0912345678"
PASSWORD = "Hoa-sen-no-trong-dam-2025"
FULL_NAME = "Phạm Thị Hoa"


def _portrait() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (300, 400), (200, 180, 160)).save(buffer, format="PNG")
    return buffer.getvalue()


def _last_code(outbox: Path, phone: str) -> str:
    lines = [json.loads(line) for line in (outbox / "sms.jsonl").read_text(encoding="utf-8").splitlines() if line]
    bodies = [line["body"] for line in lines if line["to"] == phone]
    assert bodies, "no SMS was sent to the phone"
    found = re.search(r"\b(\d{6})\b", bodies[-1])
    assert found, "the SMS holds no 6-digit code"
    return found.group(1)


def _register(page: Any, base: str, outbox: Path) -> None:
    page.goto(base + "/register/")
    page.get_by_label("Số định danh cá nhân").fill(PERSONAL_ID)
    page.get_by_label("Họ và tên").fill(FULL_NAME)
    page.get_by_label("Ngày sinh").fill("1990-05-17")
    page.get_by_label("Số điện thoại di động").fill(PHONE)
    page.get_by_label("Ảnh chân dung (JPEG hoặc PNG, tối đa 2 MB)").set_input_files(
        {"name": "chan-dung.png", "mimeType": "image/png", "buffer": _portrait()}
    )
    page.get_by_label("Mật khẩu (ít nhất 10 ký tự)").fill(PASSWORD)
    page.get_by_label("Nhập lại mật khẩu").fill(PASSWORD)
    page.get_by_label("Tôi đồng ý", exact=False).check()
    page.get_by_role("button", name="Gửi đăng ký").click()

    page.wait_for_url(base + "/register/confirm/")
    page.get_by_label("Mã xác thực").fill(_last_code(outbox, PHONE))
    page.get_by_role("button", name="Xác nhận").click()
    page.wait_for_url(re.compile(re.escape(base + "/signin/")))


def _enrol_totp(page: Any, base: str, recovery_codes: int) -> None:
    page.goto(base + "/me/security/")
    page.get_by_role("link", name="Đăng ký ứng dụng xác thực").click()
    secret = page.locator("#totp-secret").inner_text().strip()
    page.get_by_label("Mã xác thực").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Xác nhận").click()
    assert page.locator("#recovery-codes li").count() == recovery_codes
    page.get_by_role("link", name="Tôi đã lưu các mã").click()
    page.wait_for_url(base + "/me/security/")


def _virtual_authenticator(context: Any, page: Any) -> tuple[Any, str]:
    """A platform authenticator that holds discoverable credentials and verifies its user."""
    cdp = context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    added = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )
    return cdp, str(added["authenticatorId"])


def test_register_totp_passkey_and_passwordless_signin(
    browser: Any, live_server: Any, settings: Any, tmp_path: Path
) -> None:
    from dinhdanh.geo.services import units_load
    from dinhdanh.people.models import AccountSession, Passkey, SignInMethod, User

    units_load(actor=None)  # transactional tests start from an empty database
    # The live server runs in this process: the SMS file backend writes where this test looks.
    settings.NOTIFY_OUTBOX_DIR = tmp_path / "outbox"
    # WebAuthn refuses an IP address as the RP ID; "localhost" is a secure context over plain HTTP.
    base = live_server.url.replace("127.0.0.1", "localhost")

    context = browser.new_context(locale="vi-VN")
    page = context.new_page()
    console_errors: list[str] = []
    page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)

    _register(page, base, settings.NOTIFY_OUTBOX_DIR)
    user = User.objects.get(full_name=FULL_NAME)

    page.get_by_label("Số định danh cá nhân").fill(PERSONAL_ID)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập", exact=True).click()
    page.wait_for_url(base + "/")
    assert FULL_NAME in page.locator("header").inner_text()

    _enrol_totp(page, base, settings.RECOVERY_CODE_COUNT)

    # Enrolling TOTP a moment ago counts as a fresh step-up, so adding a second factor is allowed.
    cdp, authenticator_id = _virtual_authenticator(context, page)
    page.get_by_label("Tên khóa truy cập mới").fill("Điện thoại Hoa")
    page.get_by_role("button", name="Thêm khóa truy cập").click()
    page.get_by_role("cell", name="Điện thoại Hoa").wait_for()
    passkey = Passkey.objects.get(user=user)
    credentials = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator_id})["credentials"]
    assert [c["isResidentCredential"] for c in credentials] == [True]

    page.get_by_role("button", name="Đăng xuất").click()
    page.wait_for_url(base + "/")
    page.goto(base + "/signin/")
    page.get_by_role("button", name="Đăng nhập bằng khóa truy cập (vân tay/khuôn mặt)").click()
    page.wait_for_url(base + "/")
    assert FULL_NAME in page.locator("header").inner_text()
    assert AccountSession.objects.filter(user=user, method=SignInMethod.PASSKEY).count() == 1
    passkey.refresh_from_db()
    assert passkey.last_used_at is not None

    assert not console_errors, console_errors  # CSP violations show up here
    context.close()


def test_without_webauthn_the_passkey_button_is_hidden(browser: Any, live_server: Any) -> None:
    from dinhdanh.geo.services import units_load

    units_load(actor=None)
    context = browser.new_context(locale="vi-VN")
    # A browser without WebAuthn: the password form is all there is, and nothing breaks.
    context.add_init_script("delete window.PublicKeyCredential;")
    page = context.new_page()
    console_errors: list[str] = []
    page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)
    page.goto(live_server.url.replace("127.0.0.1", "localhost") + "/signin/")
    page.wait_for_load_state()
    assert page.locator("button[data-passkey]").is_hidden()
    assert page.get_by_label("Mật khẩu").is_visible()
    assert not console_errors, console_errors
    context.close()

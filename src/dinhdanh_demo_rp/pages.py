"""The demo's pages: plain HTML, Vietnamese first, English on ``?lang=en``; every value escaped."""

from __future__ import annotations

from datetime import datetime
from html import escape
from typing import Any
from zoneinfo import ZoneInfo

__all__ = ["MESSAGES", "error_page", "home_page", "signed_out_page", "t"]

DISPLAY_ZONE = ZoneInfo("Asia/Ho_Chi_Minh")

MESSAGES: dict[str, tuple[str, str]] = {
    "title": ("Cổng dịch vụ công (demo)", "Public services portal (demo)"),
    "intro": (
        "Ứng dụng mẫu của một bên sử dụng: đăng nhập bằng định danh điện tử của tổ chức qua dinhdanh "
        "(FAPI 2.0: PAR, private_key_jwt, DPoP).",
        "A sample relying party: sign in with an organization's electronic identity through dinhdanh "
        "(FAPI 2.0: PAR, private_key_jwt, DPoP).",
    ),
    "signin": ("Đăng nhập bằng định danh tổ chức", "Sign in with an organization e-ID"),
    "switch": ("Đổi tổ chức", "Switch organization"),
    "logout": ("Đăng xuất", "Sign out"),
    "hello": ("Xin chào {name}", "Welcome, {name}"),
    "person": ("Người đăng nhập", "The person signed in"),
    "organization": ("Tổ chức bạn đại diện", "The organization you act for"),
    "as_self": (
        "Bạn đang đăng nhập với tư cách cá nhân, không đại diện tổ chức nào.",
        "You are signed in as yourself, for no organization.",
    ),
    "name": ("Họ và tên", "Name"),
    "sub": ("Mã định danh tại ứng dụng này (sub)", "Identifier at this application (sub)"),
    "acr": ("Mức độ xác thực (acr)", "Authentication level (acr)"),
    "auth_time": ("Thời điểm xác thực", "Authenticated at"),
    "org_name": ("Tên tổ chức", "Organization name"),
    "tax_code": ("Mã số thuế", "Tax code"),
    "eid": ("Số định danh tổ chức", "Organization e-ID"),
    "role": ("Vai trò", "Role"),
    "services": ("Dịch vụ được ủy quyền", "Services granted"),
    "all_services": ("Toàn quyền", "Full powers"),
    "grant_expires": ("Ủy quyền hết hạn", "Grant expires"),
    "no_expiry": ("Không thời hạn", "No end date"),
    "head_office": ("Trụ sở", "Head office"),
    "signed_out": ("Bạn đã đăng xuất.", "You are signed out."),
    "back": ("Về trang chủ", "Back to the home page"),
    "error": ("Không đăng nhập được", "The sign-in failed"),
    "state": (
        "Phản hồi không khớp với yêu cầu đăng nhập nào của trình duyệt này (state).",
        "The answer matches no sign-in this browser started (state).",
    ),
    "iss": (
        "Phản hồi không đến từ nhà cung cấp định danh đã cấu hình (iss).",
        "The answer names another issuer (iss).",
    ),
    "refused": ("Nhà cung cấp định danh đã từ chối hoặc bạn đã hủy.", "The provider refused, or you declined."),
    "par": ("Không gửi được yêu cầu đăng nhập (PAR).", "The sign-in request could not be pushed (PAR)."),
    "token": ("Không đổi được mã ủy quyền lấy mã thông báo.", "The code could not be exchanged for tokens."),
    "id_token": ("Mã định danh (ID token) không hợp lệ.", "The ID token is not valid."),
    "userinfo": ("Không đọc được thông tin người dùng.", "The user information could not be read."),
    "discovery": (
        "Không đọc được cấu hình nhà cung cấp định danh.",
        "The provider's configuration is unreadable.",
    ),
    "unconfigured": (
        "Ứng dụng mẫu chưa được đăng ký; hãy chạy `dinhdanh demo`.",
        "The demo application is not registered yet; run `dinhdanh demo`.",
    ),
}
ROLES = {
    "representative": ("Người đại diện theo pháp luật", "Legal representative"),
    "administrator": ("Quản trị viên", "Administrator"),
    "member": ("Thành viên được ủy quyền", "Authorized member"),
}


def t(key: str, lang: str, **values: str) -> str:
    vi, en = MESSAGES[key]
    return escape((en if lang == "en" else vi).format(**{k: str(v) for k, v in values.items()}))


def _when(epoch: object, lang: str) -> str:
    if not isinstance(epoch, int):
        return t("no_expiry", lang)
    return datetime.fromtimestamp(epoch, DISPLAY_ZONE).strftime("%d/%m/%Y %H:%M")


def _layout(lang: str, body: str) -> str:
    other, label = ("vi", "Tiếng Việt") if lang == "en" else ("en", "English")
    return f"""<!doctype html>
<html lang="{lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>{t("title", lang)}</title>
<style>body{{font:16px/1.5 system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;color:#1c2733}}
header{{display:flex;justify-content:space-between;align-items:baseline;border-bottom:3px solid #b3261e}}
dl{{display:grid;grid-template-columns:max-content 1fr;gap:.3rem 1rem}}dt{{color:#555}}dd{{margin:0}}
section{{border:1px solid #ccd;border-radius:6px;padding:.5rem 1rem;margin:1rem 0}}
button{{font:inherit;padding:.5rem 1rem;margin:.2rem .5rem .2rem 0;cursor:pointer}}</style></head>
<body><header><h1>{t("title", lang)}</h1><a href="/?lang={other}" hreflang="{other}">{label}</a></header>
{body}</body></html>"""


def _button(action: str, label: str, **hidden: str) -> str:
    fields = "".join(f'<input type="hidden" name="{escape(k)}" value="{escape(v)}">' for k, v in hidden.items())
    return f'<form method="post" action="{action}" style="display:inline">{fields}<button>{label}</button></form>'


def _rows(rows: list[tuple[str, str]]) -> str:
    return "<dl>" + "".join(f"<dt>{k}</dt><dd>{escape(v)}</dd>" for k, v in rows) + "</dl>"


def home_page(lang: str, signed: Any | None) -> str:
    if signed is None:
        return _layout(lang, f"<p>{t('intro', lang)}</p>{_button('/login', t('signin', lang))}")
    claims = {**signed.claims, **signed.userinfo}
    person = _rows([
        (t("name", lang), str(claims.get("name", ""))),
        (t("sub", lang), str(claims.get("sub", ""))),
        (t("acr", lang), str(claims.get("acr", ""))),
        (t("auth_time", lang), _when(claims.get("auth_time"), lang)),
    ])  # fmt: skip
    org = claims.get("org")
    if isinstance(org, dict):
        services = [str(s) for s in org.get("services") or []]
        role = ROLES.get(str(org.get("role")), (str(org.get("role")),) * 2)
        office = org.get("head_office") or {}
        organization = _rows([
            (t("org_name", lang), str(org.get("name", ""))),
            (t("tax_code", lang), str(org.get("tax_code") or "—")),
            (t("eid", lang), str(org.get("id", ""))),
            (t("role", lang), role[1] if lang == "en" else role[0]),
            (t("services", lang), t("all_services", lang) if services == ["*"] else ", ".join(services)),
            (t("grant_expires", lang), _when(org.get("grant_expires_at"), lang)),
            (t("head_office", lang), str(office.get("name", ""))),
        ])  # fmt: skip
    else:
        organization = f"<p>{t('as_self', lang)}</p>"
    body = (
        f"<h2>{t('hello', lang, name=str(claims.get('name', '')))}</h2>"
        f'<section data-testid="organization"><h3>{t("organization", lang)}</h3>{organization}</section>'
        f'<section data-testid="person"><h3>{t("person", lang)}</h3>{person}</section>'
        f"{_button('/login', t('switch', lang), switch='1')}{_button('/logout', t('logout', lang))}"
    )
    return _layout(lang, body)


def error_page(lang: str, code: str) -> str:
    message = t(code if code in MESSAGES else "error", lang)
    return _layout(lang, f"<h2>{t('error', lang)}</h2><p>{message}</p><p><a href='/'>{t('back', lang)}</a></p>")


def signed_out_page(lang: str) -> str:
    return _layout(lang, f"<p>{t('signed_out', lang)}</p><p><a href='/'>{t('back', lang)}</a></p>")

"""/register/ finished on the first try (issue 15.1): every error at once, the portrait held across an
error, the passwords kept, a birth date not after today, a full name that is a legal name."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from dinhdanh.core import held_uploads
from dinhdanh.people.models import PendingRegistration
from tests.pages import shown_errors
from tests.people.support import GOOD_PASSWORD, register_form

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return tmp_path / "media"


def token_in(page: str) -> str:
    marker = 'name="portrait_held" value="'
    start = page.index(marker) + len(marker)
    return page[start : page.index('"', start)]


def test_an_empty_submission_lists_every_error_at_once(client: Client) -> None:
    response = client.post("/register/", {})
    page = response.content.decode()
    shown = shown_errors(page)
    assert response.status_code == 400
    for message in (
        "Nhập số định danh cá nhân.",
        "Nhập họ và tên.",
        "Nhập ngày sinh.",
        "Nhập số điện thoại di động.",
        "Chọn ảnh chân dung để tải lên.",
        "Nhập mật khẩu.",
        "Nhập lại mật khẩu.",
        "Cần đồng ý cho xử lý dữ liệu cá nhân để đăng ký tài khoản.",
    ):
        assert message in shown
    assert "<title>Lỗi:" in page


def test_the_portrait_is_held_across_an_error_and_used_on_success(client: Client, media: Path) -> None:
    first = client.post("/register/", register_form(full_name="An <script>alert(1)</script>"))
    page = first.content.decode()
    assert first.status_code == 400
    assert any("bỏ ký hiệu" in m for m in shown_errors(page))
    assert "Đã đính kèm: chan-dung.png" in page
    assert page.count(f'value="{GOOD_PASSWORD}"') == 2
    assert "no-store" in first["Cache-Control"]
    token = token_in(page)
    # Corrected, without choosing the photo again: the held one is used, then deleted.
    second = client.post("/register/", register_form(portrait=None, portrait_held=token))
    assert second.status_code == 302
    assert PendingRegistration.objects.count() == 1
    assert not any((media / held_uploads.KIND).iterdir())


def test_a_token_from_another_session_is_refused(client: Client) -> None:
    first = client.post("/register/", register_form(date_of_birth=""))
    token = token_in(first.content.decode())
    stranger = Client()
    response = stranger.post("/register/", register_form(portrait=None, portrait_held=token))
    assert response.status_code == 400
    assert "Chọn ảnh chân dung để tải lên." in shown_errors(response.content.decode())
    assert not PendingRegistration.objects.exists()


def test_a_refused_photo_is_not_kept(client: Client) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    bad = SimpleUploadedFile("chan-dung.png", b"not an image", content_type="image/png")
    page = client.post("/register/", register_form(portrait=bad)).content.decode()
    assert "Đã đính kèm" not in page
    assert 'name="portrait_held"' not in page


def test_a_birth_date_after_today_says_so(client: Client) -> None:
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = client.post("/register/", register_form(date_of_birth=tomorrow))
    assert "Ngày sinh không được sau hôm nay." in shown_errors(response.content.decode())


@pytest.mark.parametrize(
    "hostile",
    ["<b>An</b>", "An 😀", "An\u202eнА", "Trần\u200b Văn An\u0007"],
    ids=["markup", "emoji", "rtl", "ctrl"],
)
def test_hostile_full_names_are_refused(client: Client, hostile: str) -> None:
    response = client.post("/register/", register_form(full_name=hostile))
    assert response.status_code == 400
    assert not PendingRegistration.objects.exists()


def test_a_decomposed_vietnamese_name_is_kept_composed(client: Client) -> None:
    import unicodedata

    nfd = unicodedata.normalize("NFD", "Nguyễn Thị Ánh Tuyết")
    assert client.post("/register/", register_form(full_name=nfd)).status_code == 302
    assert PendingRegistration.objects.get().full_name == "Nguyễn Thị Ánh Tuyết"

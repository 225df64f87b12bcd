"""Legal names refuse markup, emoji and other symbols; Vietnamese names with every diacritic pass (issue 15.8)."""

from __future__ import annotations

import unicodedata

import pytest

from dinhdanh.applications.errors import ApplicationError
from dinhdanh.applications.field_parsers import legal_name
from dinhdanh.applications.models import Kind
from dinhdanh.applications.validation import validate
from dinhdanh.core.errors import DomainError
from dinhdanh.organizations.categories import Category
from tests.applications.support import raw_data

PID = "091085001122"
CO_PID = "001203004455"

HOSTILE = [
    "<script>alert(1)</script>",
    "Công ty <b>Hoa Sen</b>",
    "Hoa Sen 🌸",
    "Công ty ★ Hoa Sen",
    "Hoa Sen™",
    "Hoa\u200dSen",  # zero-width joiner (not removed by nfc: a format character)
    "Hoa Sen @ Hà Nội",
    "Hoa Sen $",
]


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_names_are_refused(value: str) -> None:
    with pytest.raises(DomainError) as caught:
        legal_name(value, field="name")
    assert caught.value.error is ApplicationError.NAME_SYMBOLS
    assert caught.value.field == "name"


@pytest.mark.parametrize(
    "value",
    [
        "Công ty TNHH Thương mại - Dịch vụ Ẩm thực Đồng Tháp",
        "Nguyễn Thị Ánh Tuyết",
        "Hợp tác xã Nông nghiệp Số 1",
        "Công ty Cổ phần A&B (Việt Nam)",
        "Trường Mầm non 19/5",
        "O'Neil Smith",
        "ÀÁẢÃẠ ĂẰẮẲẴẶ ÂẦẤẨẪẬ ĐÈÉẺẼẸ ÊỀẾỂỄỆ ÌÍỈĨỊ ÒÓỎÕỌ ÔỒỐỔỖỘ ƠỜỚỞỠỢ ÙÚỦŨỤ ƯỪỨỬỮỰ ỲÝỶỸỴ",
    ],
)
def test_vietnamese_names_pass(value: str) -> None:
    assert legal_name(value, field="name") == value


@pytest.mark.django_db
def test_nfd_name_is_stored_as_nfc() -> None:
    nfd = unicodedata.normalize("NFD", "Công ty TNHH Ẩm thực Đồng Tháp")
    out = validate(raw_data(PID, name=nfd), kind=Kind.NEW, category=Category.ENTERPRISE)
    assert out.data["name"] == unicodedata.normalize("NFC", nfd)


@pytest.mark.django_db
@pytest.mark.parametrize("key", ["name", "short_name", "foreign_name", "representative_name"])
def test_every_name_field_refuses_markup(key: str) -> None:
    with pytest.raises(DomainError) as caught:
        validate(raw_data(PID, **{key: "<img src=x>"}), kind=Kind.NEW, category=Category.ENTERPRISE)
    errors = getattr(caught.value, "errors", (caught.value,))
    assert any(e.error is ApplicationError.NAME_SYMBOLS and e.field == key for e in errors)


@pytest.mark.django_db
def test_rtl_override_is_refused() -> None:
    with pytest.raises(DomainError):
        validate(raw_data(PID, name="Hoa Sen \u202egpj.exe"), kind=Kind.NEW, category=Category.ENTERPRISE)


@pytest.mark.django_db
def test_co_representative_name_refuses_emoji() -> None:
    data = raw_data(PID, co_representative_names=["Lê Văn Cường 😀"], co_representative_ids=[CO_PID])
    with pytest.raises(DomainError) as caught:
        validate(data, kind=Kind.NEW, category=Category.ENTERPRISE)
    errors = getattr(caught.value, "errors", (caught.value,))
    assert any(e.error is ApplicationError.NAME_SYMBOLS for e in errors)

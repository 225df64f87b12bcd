"""The fields of a report's header and signature (Decree 30/2020/NĐ-CP, Phụ lục I), read from a form or a
query string: every field is checked, all refusals are given at once (``FieldErrors``), each naming its
field, and the text kept is NFC without invisible characters (``core.text.nfc``).

Defaults come from the plan: the issuing body is the plan's, the place is the scope unit's short name,
the symbol is ``BC-`` and the issuing body's abbreviation.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from functools import partial
from typing import TYPE_CHECKING

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from dinhdanh.campaigns.documents.errors import DocumentError
from dinhdanh.core.errors import CoreError, DomainError, field_check
from dinhdanh.core.text import fold, nfc

if TYPE_CHECKING:
    from dinhdanh.campaigns.models import Plan

__all__ = ["LIMITS", "Format", "Header", "Kind", "Request", "defaults", "parse_request"]


class Kind(StrEnum):
    PHASE = "phase"  # báo cáo sơ kết giai đoạn
    FINAL = "final"  # báo cáo tổng kết kế hoạch


class Format(StrEnum):
    DOCX = "docx"
    PDF = "pdf"
    XLSX = "xlsx"  # the annex alone


LABELS: dict[str, StrOrPromise] = {
    "kind": _("Loại báo cáo"),
    "phase": _("Giai đoạn"),
    "format": _("Định dạng"),
    "as_of": _("Số liệu tính đến ngày"),
    "dated": _("Ngày ban hành"),
    "superior_body": _("Cơ quan chủ quản"),
    "issuing_body": _("Cơ quan ban hành"),
    "number": _("Số"),
    "symbol": _("Ký hiệu"),
    "place": _("Địa danh"),
    "signer_authority": _("Quyền hạn ký"),
    "signer_title": _("Chức vụ người ký"),
    "signer_name": _("Họ tên người ký"),
    "recipients": _("Nơi nhận"),
}
LIMITS = {
    "superior_body": 120,
    "issuing_body": 120,
    "symbol": 30,
    "place": 60,
    "signer_authority": 80,
    "signer_title": 80,
    "signer_name": 80,
    "recipients": 200,  # each line
}
MAX_RECIPIENTS = 20
_RAW_LIMIT = 8000  # what is read of any one raw value at all
_SYMBOL = re.compile(r"BC(?:-[A-ZĐ0-9]+)+")
_NUMBER = re.compile(r"[0-9]{1,6}")
_TEXTS = (  # name, required
    ("superior_body", False),
    ("issuing_body", True),
    ("place", True),
    ("signer_authority", False),
    ("signer_title", True),
    ("signer_name", True),
)


@dataclass(frozen=True)
class Header:
    """What the header block, the number line, the place and date, and the signature block say."""

    issuing_body: str
    symbol: str
    place: str
    signer_title: str
    signer_name: str
    dated: date
    superior_body: str = ""
    number: str = ""  # blank: the clerk writes it by hand when the report is registered
    signer_authority: str = ""  # "KT. GIÁM ĐỐC", "TM. ỦY BAN NHÂN DÂN"; blank when the head signs
    recipients: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class Request:
    kind: Kind
    phase: int | None
    as_of: date | None  # None: the last day of what is reported, or today if earlier
    format: Format
    header: Header


def _refuse(error: DocumentError, name: str, **params: object) -> DomainError:
    return DomainError(error, field=name, label=LABELS[name], **params)


def _text(raw: Mapping[str, str], name: str, *, required: bool) -> str:
    value = nfc(raw.get(name, "")[:_RAW_LIMIT])
    if not value:
        if required:
            raise _refuse(DocumentError.EMPTY, name)
        return ""
    return _checked(value, name, LIMITS[name])


def _checked(value: str, name: str, limit: int) -> str:
    # After nfc every space is " ": anything else unprintable (controls, bidi overrides, format
    # characters, unassigned code points, lone surrogates) has no place on a printed document.
    if not value.isprintable():
        raise _refuse(DocumentError.CONTROL_CHARACTERS, name)
    if len(value) > limit:
        raise _refuse(DocumentError.TOO_LONG, name, limit=limit, length=len(value))
    return value


def _symbol(raw: Mapping[str, str]) -> str:
    value = _text(raw, "symbol", required=True).upper().replace(" ", "")
    if not _SYMBOL.fullmatch(value):
        raise _refuse(DocumentError.BAD_SYMBOL, "symbol")
    return value


def _number(raw: Mapping[str, str]) -> str:
    value = nfc(raw.get("number", "")[:_RAW_LIMIT])
    if value and not _NUMBER.fullmatch(value):
        raise _refuse(DocumentError.BAD_NUMBER, "number")
    return value


def _date(raw: Mapping[str, str], name: str) -> date | None:
    value = raw.get(name, "").strip()
    if not value:
        return None
    if len(value) != 10:  # fromisoformat also takes 20250131 and week dates: a form sends YYYY-MM-DD
        raise _refuse(DocumentError.BAD_DATE, name)
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise _refuse(DocumentError.BAD_DATE, name) from None


def _choice[E: StrEnum](raw: Mapping[str, str], name: str, enum: type[E], default: E) -> E:
    value = raw.get(name, "").strip() or default.value
    try:
        return enum(value)
    except ValueError:
        raise _refuse(DocumentError.BAD_CHOICE, name, choices=", ".join(e.value for e in enum)) from None


def _phase(raw: Mapping[str, str]) -> int | None:
    value = raw.get("phase", "").strip()
    if not value:
        return None
    if not value.isascii() or not value.isdigit() or len(value) > 4:
        raise _refuse(DocumentError.BAD_CHOICE, "phase", choices="1, 2, …")
    return int(value)


def _recipients(raw: Mapping[str, str]) -> tuple[str, ...]:
    text = raw.get("recipients", "")[:_RAW_LIMIT]
    # One recipient a line; a control character other than a line break is refused, not taken for one
    # (str.splitlines would split at U+001C-U+001E and U+0085 too).
    if any(unicodedata.category(ch) == "Cc" and ch not in "\r\n\t" for ch in text):
        raise _refuse(DocumentError.CONTROL_CHARACTERS, "recipients")
    lines = [nfc(line) for line in text.split("\n")]
    # The list is written "- Name;" one per line in the document: what a person typed of that is dropped.
    kept = [line.lstrip("-–•+ ").rstrip(";.,").strip() for line in lines]
    kept = [line for line in kept if line]
    if len(kept) > MAX_RECIPIENTS:
        raise _refuse(DocumentError.TOO_MANY_RECIPIENTS, "recipients", limit=MAX_RECIPIENTS, count=len(kept))
    return tuple(_checked(line, "recipients", LIMITS["recipients"]) for line in kept)


def parse_request(raw: Mapping[str, str]) -> Request:
    """The request from a form or a query string (``raw``: name → value); raises every refusal at once."""
    with field_check() as check:
        kind = check.run(lambda: _choice(raw, "kind", Kind, Kind.PHASE))
        fmt = check.run(lambda: _choice(raw, "format", Format, Format.DOCX))
        phase = check.run(lambda: _phase(raw))
        as_of = check.run(lambda: _date(raw, "as_of"))
        dated = check.run(lambda: _date(raw, "dated"))
        texts: dict[str, str] = {}
        for name, required in _TEXTS:
            texts[name] = check.run(partial(_text, raw, name, required=required)) or ""
        symbol = check.run(lambda: _symbol(raw))
        number = check.run(lambda: _number(raw))
        recipients = check.run(lambda: _recipients(raw))
    if kind is None or fmt is None or symbol is None:  # field_check raised already: never here
        raise DomainError(CoreError.INVALID_INPUT)
    header = Header(
        issuing_body=texts["issuing_body"],
        symbol=symbol,
        place=texts["place"],
        signer_title=texts["signer_title"],
        signer_name=texts["signer_name"],
        dated=dated or timezone.localdate(),
        superior_body=texts["superior_body"],
        number=number or "",
        signer_authority=texts["signer_authority"],
        recipients=recipients or (),
    )
    return Request(kind=kind, phase=phase, as_of=as_of, format=fmt, header=header)


def _abbreviation(body: str) -> str:
    """``UBND tỉnh Kiên Giang`` → UBND; ``Công an tỉnh Kiên Giang`` → CAT (initials up to the place)."""
    words = body.split()
    if words and words[0].isupper() and words[0].isalpha():
        return fold(words[0]).upper() or "UBND"
    initials = []
    for word in words:
        initials.append(fold(word)[:1].upper())
        if fold(word) in {"tinh", "huyen", "xa", "phuong"}:
            break
    return "".join(i for i in initials if i.isalnum())[:8] or "UBND"


def defaults(plan: Plan) -> dict[str, str]:
    """The form's first values for ``plan``."""
    return {
        "kind": Kind.PHASE.value,
        "format": Format.DOCX.value,
        "issuing_body": plan.issuing_body[: LIMITS["issuing_body"]],
        "symbol": f"BC-{_abbreviation(plan.issuing_body)}",
        "place": plan.scope_unit.short_name[: LIMITS["place"]],
        "dated": timezone.localdate().isoformat(),
        "recipients": "",
    }

"""Parsers of one field of a request's raw data: free text, legal names, dates, the code, the head office,
phone and email. Each returns the canonical value or raises a ``DomainError`` on the field it names.

Apart from ``validation`` because they are also called alone, without a whole request: the live checks of
step 5 (``views.applicant_validate``) and the organization checks (``checks``) must refuse a field with
the very words the submission would use. The rules for dates and codes are in ``validation``'s docstring.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dinhdanh.applications.errors import ApplicationError
from dinhdanh.core.codes import parse_agency_code, parse_tax_code
from dinhdanh.core.errors import DomainError
from dinhdanh.core.phones import parse_vn_phone
from dinhdanh.core.rows import SelectOne
from dinhdanh.core.text import clean, clean_optional, is_legal_name, nfc
from dinhdanh.geo.models import AdministrativeUnit, Level, Scheme
from dinhdanh.organizations.categories import Category
from dinhdanh.organizations.data import EMAIL_MAX, TEXT_LIMITS

_TEXT_LIMITS = {
    **{k: TEXT_LIMITS[k] for k in ("name", "short_name", "foreign_name", "street", "founding_document_number")},
    **{k: TEXT_LIMITS[k] for k in ("founding_document_issuer", "representative_name", "representative_position")},
    # lock, unlock, revoke: the request's own fields
    "reason": 1000,
    "authority": 300,
    "document_reference": 200,
}

_CODE_KINDS = {
    Category.ENTERPRISE: _("mã số thuế / mã số doanh nghiệp (10 hoặc 13 chữ số)"),
    Category.COOPERATIVE: _("mã số thuế hoặc mã số đăng ký hợp tác xã"),
    Category.TAX_AGENCY: _("mã số thuế (10 hoặc 13 chữ số)"),
    Category.OTHER: _("mã số thuế hoặc mã định danh cơ quan (Quyết định 20/2020/QĐ-TTg)"),
}
_TAX_LIKE = re.compile(r"[0-9][0-9\s.\-\u2010-\u2015\u2212]*")
_REGISTRATION = re.compile(r"[A-Z0-9]{6,20}")


def text_value(raw: Mapping[str, object], key: str) -> str:
    """``raw[key]`` as sent: "" when absent, ``NOT_TEXT`` when the API sent something else than a string."""
    value = raw.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise DomainError(ApplicationError.NOT_TEXT, field=key)
    return value


# Legal names (issue 15.8): the rule is ``core.text.is_legal_name``, shared with people's names.
NAME_KEYS = frozenset({"name", "short_name", "foreign_name", "representative_name", "co_representative_names"})


def legal_name(value: str, *, field: str) -> str:
    """``value`` (already through ``clean``) if it can be a legal name; ``NAME_SYMBOLS`` otherwise."""
    if not is_legal_name(value):
        raise DomainError(ApplicationError.NAME_SYMBOLS, field=field)
    return value


# Required fields say what to do, the same words on the page, in the API and in the CLI (issue 15.1).
_REQUIRED = {
    "name": ApplicationError.NAME_REQUIRED,
    "representative_name": ApplicationError.REPRESENTATIVE_NAME_REQUIRED,
    "reason": ApplicationError.REASON_REQUIRED,
}
# A date's two refusals, per field: (not a date, after today).
_DATE_ERRORS = {
    "established_on": (ApplicationError.ESTABLISHED_INVALID, ApplicationError.ESTABLISHED_FUTURE),
    "founding_document_date": (ApplicationError.FOUNDING_DATE_INVALID, ApplicationError.FOUNDING_DATE_FUTURE),
}


def _limited(text: str, key: str) -> None:
    # Said the same way on the page and in the API, beside the field: how much to type, not "field X".
    if len(nfc(text)) > _TEXT_LIMITS[key]:
        raise DomainError(ApplicationError.TEXT_TOO_LONG, field=key, limit=_TEXT_LIMITS[key])


def required_text(raw: Mapping[str, object], key: str) -> str:
    """A free-text field that must be filled; names among them must also be legal names."""
    text = text_value(raw, key)
    if key in _REQUIRED and not nfc(text):
        raise DomainError(_REQUIRED[key], field=key)
    _limited(text, key)
    value = clean(text, field=key, max_length=_TEXT_LIMITS[key])
    return legal_name(value, field=key) if key in NAME_KEYS else value


def optional_text(raw: Mapping[str, object], key: str) -> str:
    """A free-text field that may be empty, held to the same length and name rules as a required one."""
    text = text_value(raw, key)
    _limited(text, key)
    value = clean_optional(text, field=key, max_length=_TEXT_LIMITS[key])
    return legal_name(value, field=key) if key in NAME_KEYS else value


def parse_date(value: str, *, field: str) -> str:
    text = nfc(value)
    if not text:
        return ""
    parsed: date | None = None
    for layout in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            parsed = datetime.strptime(text, layout).date()  # noqa: DTZ007  # a calendar date, no time
            break
        except ValueError:
            continue
    invalid, future = _DATE_ERRORS.get(field, (ApplicationError.DATE_INVALID, ApplicationError.DATE_INVALID))
    if parsed is None or parsed.year < 1800:
        raise DomainError(invalid, field=field, value=text[:20])
    if parsed > timezone.localdate():
        raise DomainError(future, field=field, value=text[:20])
    return parsed.isoformat()


def _wrong_category(text: str, category: Category) -> DomainError:
    return DomainError(
        ApplicationError.CODE_WRONG_CATEGORY,
        field="code",
        value=text[:40],
        category=str(Category(category).label),
        expected=str(_CODE_KINDS[category]),
    )


def _is_agency_code(text: str) -> bool:
    if "." not in text:
        return False
    try:
        parse_agency_code(text, field="code")
    except DomainError:
        return False
    return True


def parse_code(raw: str, category: Category) -> str:
    """The canonical code for ``category``, or "" for an ``OTHER`` organization without one."""
    text = unicodedata.normalize("NFKC", nfc(raw)).upper()
    if not text:
        if category == Category.OTHER:
            return ""
        raise DomainError(ApplicationError.CODE_REQUIRED, field="code")
    if _TAX_LIKE.fullmatch(text):
        # Digits only: a tax code, whose own error (length, checksum) is the clearest; an all-digit agency
        # code ("000.00.00.00") is the one exception, for the category that may have one.
        try:
            return parse_tax_code(text, repair=False, field="code").value
        except DomainError:
            if category == Category.OTHER and _is_agency_code(text):
                return parse_agency_code(text, field="code")
            raise
    if category == Category.COOPERATIVE and _REGISTRATION.fullmatch(text):
        return text
    if _is_agency_code(text):
        if category == Category.OTHER:
            return parse_agency_code(text, field="code")
        raise _wrong_category(text, category)
    if _REGISTRATION.fullmatch(text):  # a cooperative registration code under another category
        raise _wrong_category(text, category)
    raise DomainError(ApplicationError.CODE_UNRECOGNIZED, field="code", value=text[:40])


# Read at every draft and edit: built once (``core.rows``, decision 0039), not compiled by the ORM each time.
_UNIT = SelectOne(AdministrativeUnit, "{id} = %s", ["id"])
_CURRENT_UNIT = SelectOne(
    AdministrativeUnit, "{scheme} = %s AND {level} = %s AND {code} = %s", ["scheme", "level", "code"]
)


def parse_head_office(raw: Mapping[str, object]) -> AdministrativeUnit:
    by_id, by_code = nfc(text_value(raw, "head_office_id")), nfc(text_value(raw, "head_office_code"))
    if not by_id and not by_code:
        raise DomainError(ApplicationError.HEAD_OFFICE_REQUIRED, field="head_office")
    if by_id:
        if not by_id.isascii() or not by_id.isdigit() or len(by_id) > 12:
            raise DomainError(ApplicationError.HEAD_OFFICE_UNKNOWN, field="head_office", value=by_id[:20])
        found = _UNIT.first(int(by_id))
        shown = by_id
    else:
        if not by_code.isascii() or not by_code.isdigit() or len(by_code) > 8:
            raise DomainError(ApplicationError.HEAD_OFFICE_UNKNOWN, field="head_office", value=by_code[:20])
        code = by_code.zfill(5)
        found = _CURRENT_UNIT.first(Scheme.CURRENT, Level.COMMUNE, code)
        if found is None:
            found = AdministrativeUnit.objects.filter(code=code).order_by("-scheme").first()
        shown = code
    if found is None:
        raise DomainError(ApplicationError.HEAD_OFFICE_UNKNOWN, field="head_office", value=shown)
    if not found.is_current:
        raise DomainError(ApplicationError.HEAD_OFFICE_LEGACY, field="head_office", value=found.name)
    if found.level != Level.COMMUNE:
        raise DomainError(ApplicationError.HEAD_OFFICE_NOT_COMMUNE, field="head_office", value=found.name)
    return found


def parse_phone(value: str) -> str:
    """An organization's phone: any valid Vietnamese number, fixed or mobile (``core.phones``)."""
    text = nfc(value).strip()
    if not text:
        return ""
    parsed = parse_vn_phone(text)
    if parsed is None:
        raise DomainError(ApplicationError.PHONE_INVALID, field="phone")
    return parsed


def parse_email(value: str) -> str:
    text = nfc(value)
    if not text:
        return ""
    try:
        validate_email(text)
    except ValidationError as exc:
        raise DomainError(ApplicationError.EMAIL_INVALID, field="email") from exc
    if len(text) > EMAIL_MAX:
        raise DomainError(ApplicationError.EMAIL_INVALID, field="email")
    return text

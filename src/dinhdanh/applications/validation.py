"""Raw form input (strings) into ``payload.OrganizationData``: every field checked, nothing guessed.

The raw keys (what a form or the API sends in ``data``):

    name, short_name, foreign_name, code, established_on,
    founding_document_number, founding_document_date, founding_document_issuer,
    head_office_code (5-digit current commune code) or head_office_id (its pk), street, phone, email,
    representative_name, representative_id (12 digits, in clear), representative_position,
    representative_is_foreigner ("1" for a foreigner's identification number),
    co_representative_names, co_representative_ids, co_representative_positions
        (parallel lists, or one string with one person per line),
    reason, authority, document_reference  (lock, unlock, revoke)

Dates are ``YYYY-MM-DD`` or ``DD/MM/YYYY``. Personal ID numbers leave this module only as the login
digest and the masked form. The code depends on the category (SPEC §2): an enterprise has a tax code
(10 digits, or 13 for a branch); a cooperative a tax code or its registration code; an agency with a
tax code a tax code; any other organization may have a tax code or a Decision 20/2020 agency code, and
without one must name its founding document. A code of the wrong kind for the category is refused
with its own message (``CODE_WRONG_CATEGORY``), never read as something else.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dinhdanh.applications.errors import ApplicationError
from dinhdanh.applications.models import Kind
from dinhdanh.core.codes import parse_agency_code, parse_personal_id, parse_tax_code
from dinhdanh.core.errors import DomainError, FieldCheck, field_check
from dinhdanh.core.phones import parse_vn_phone
from dinhdanh.core.rows import SelectOne
from dinhdanh.core.text import clean, clean_optional, is_legal_name, nfc
from dinhdanh.geo.models import AdministrativeUnit, Level, Scheme
from dinhdanh.organizations.categories import Category
from dinhdanh.organizations.data import EMAIL_MAX, TEXT_LIMITS, OrganizationData, Person
from dinhdanh.people.logins import kept_digest, masked

MAX_CO_REPRESENTATIVES = 10
_TEXT_LIMITS = {
    **{k: TEXT_LIMITS[k] for k in ("name", "short_name", "foreign_name", "street", "founding_document_number")},
    **{k: TEXT_LIMITS[k] for k in ("founding_document_issuer", "representative_name", "representative_position")},
    # lock, unlock, revoke: the request's own fields
    "reason": 1000,
    "authority": 300,
    "document_reference": 200,
}
_ORGANIZATION_KEYS = frozenset(
    {
        "name", "short_name", "foreign_name", "code", "established_on", "founding_document_number",
        "founding_document_date", "founding_document_issuer", "head_office_code", "head_office_id", "street",
        "phone", "email",
    }
)  # fmt: skip
_REPRESENTATIVE_KEYS = frozenset(
    {
        "representative_name", "representative_id", "representative_position", "representative_is_foreigner",
        "co_representative_names", "co_representative_ids", "co_representative_positions",
    }
)  # fmt: skip
_LOCK_KEYS = frozenset({"reason", "authority", "document_reference"})
ALLOWED_KEYS: dict[str, frozenset[str]] = {
    Kind.NEW: _ORGANIZATION_KEYS | _REPRESENTATIVE_KEYS,
    Kind.UPDATE: _ORGANIZATION_KEYS,
    Kind.REPRESENTATIVE_CHANGE: _REPRESENTATIVE_KEYS,
    Kind.LOCK: _LOCK_KEYS,
    Kind.UNLOCK: _LOCK_KEYS,
    Kind.REVOKE: _LOCK_KEYS,
}
# Keys a form posts beside the data; ignored rather than refused.
_IGNORED = frozenset({"csrfmiddlewaretoken", "kind", "channel", "capacity", "category", "organization"})

_CODE_KINDS = {
    Category.ENTERPRISE: _("mã số thuế / mã số doanh nghiệp (10 hoặc 13 chữ số)"),
    Category.COOPERATIVE: _("mã số thuế hoặc mã số đăng ký hợp tác xã"),
    Category.TAX_AGENCY: _("mã số thuế (10 hoặc 13 chữ số)"),
    Category.OTHER: _("mã số thuế hoặc mã định danh cơ quan (Quyết định 20/2020/QĐ-TTg)"),
}
_TAX_LIKE = re.compile(r"[0-9][0-9\s.\-\u2010-\u2015\u2212]*")
_REGISTRATION = re.compile(r"[A-Z0-9]{6,20}")
_LIST_SPLIT = re.compile(r"[\n;]+")


@dataclass(frozen=True)
class Validated:
    data: OrganizationData
    head_office: AdministrativeUnit | None


def _text(raw: Mapping[str, object], key: str) -> str:
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


def _required(raw: Mapping[str, object], key: str) -> str:
    text = _text(raw, key)
    if key in _REQUIRED and not nfc(text):
        raise DomainError(_REQUIRED[key], field=key)
    _limited(text, key)
    value = clean(text, field=key, max_length=_TEXT_LIMITS[key])
    return legal_name(value, field=key) if key in NAME_KEYS else value


def _optional(raw: Mapping[str, object], key: str) -> str:
    text = _text(raw, key)
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
    by_id, by_code = nfc(_text(raw, "head_office_id")), nfc(_text(raw, "head_office_code"))
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


def person(name: str, personal_id: object, position: str, *, field: str, foreigner: bool = False) -> Person:
    if not isinstance(personal_id, str):
        raise DomainError(ApplicationError.NOT_TEXT, field=field)
    number = parse_personal_id(personal_id, field=field, foreigner=foreigner).value
    # Kept beside its digest: the person may have no account yet, and the index key can rotate (decision 0036).
    return Person(name=name, digest=kept_digest(number), masked=masked(number), position=position)


def _as_list(raw: Mapping[str, object], key: str) -> list[str]:
    value = raw.get(key)
    if value is None:
        return []
    if isinstance(value, str):
        return [part for part in (nfc(p) for p in _LIST_SPLIT.split(value)) if part]
    if isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
        return [nfc(v) for v in value if nfc(v)]
    raise DomainError(ApplicationError.NOT_TEXT, field=key)


def _co_representatives(raw: Mapping[str, object], representative: Person) -> list[Person]:
    names = _as_list(raw, "co_representative_names")
    numbers = _as_list(raw, "co_representative_ids")
    positions = _as_list(raw, "co_representative_positions")
    if len(names) != len(numbers) or (positions and len(positions) != len(names)):
        raise DomainError(ApplicationError.CO_REPRESENTATIVES_MISMATCH, field="co_representative_ids")
    if len(names) > MAX_CO_REPRESENTATIVES:
        raise DomainError(
            ApplicationError.TOO_MANY_CO_REPRESENTATIVES,
            field="co_representative_ids",
            limit=MAX_CO_REPRESENTATIVES,
        )
    people: list[Person] = []
    seen = {representative["digest"]}
    for index, (name, number) in enumerate(zip(names, numbers, strict=True)):
        cleaned = legal_name(
            clean(name, field="co_representative_names", max_length=TEXT_LIMITS["representative_name"]),
            field="co_representative_names",
        )
        position = clean_optional(
            positions[index] if positions else "",
            field="co_representative_positions",
            max_length=TEXT_LIMITS["representative_position"],
        )
        one = person(cleaned, number, position, field="co_representative_ids")
        if one["digest"] in seen:
            raise DomainError(
                ApplicationError.CO_REPRESENTATIVE_DUPLICATE, field="co_representative_ids", value=one["masked"]
            )
        seen.add(one["digest"])
        people.append(one)
    return people


def _representative(raw: Mapping[str, object], check: FieldCheck) -> Person | None:
    foreigner = nfc(_text(raw, "representative_is_foreigner")).lower() in {"1", "true", "on", "yes"}
    name = check.run(lambda: _required(raw, "representative_name"))
    position = check.run(lambda: _optional(raw, "representative_position"))
    found = check.run(lambda: representative_number(raw.get("representative_id"), foreigner=foreigner))
    if name is None or position is None or found is None:
        return None
    return Person(name=name, digest=found["digest"], masked=found["masked"], position=position)


def representative_number(value: object, *, foreigner: bool = False) -> Person:
    """The representative's number checked alone (digest and masked form); an empty one says what to do."""
    if value is None or (isinstance(value, str) and not nfc(value)):
        raise DomainError(ApplicationError.REPRESENTATIVE_ID_REQUIRED, field="representative_id")
    return person("-", value, "", field="representative_id", foreigner=foreigner)


def person_name(value: str, *, field: str) -> str:
    """A representative's or co-representative's full name, as the submission checks it."""
    key = "representative_name"
    if not nfc(value):
        raise DomainError(ApplicationError.REPRESENTATIVE_NAME_REQUIRED, field=field)
    return legal_name(clean(value, field=field, max_length=_TEXT_LIMITS[key]), field=field)


def _representatives(raw: Mapping[str, object], check: FieldCheck) -> tuple[Person, list[Person]] | None:
    representative = _representative(raw, check)
    if representative is None:
        check.run(lambda: _as_list(raw, "co_representative_names"))  # its own refusals still show
        return None
    co_representatives = check.run(lambda: _co_representatives(raw, representative))
    return None if co_representatives is None else (representative, co_representatives)


def _organization_fields(
    raw: Mapping[str, object], category: Category, *, partial: bool, check: FieldCheck
) -> Validated:
    """Every field is parsed even after one is refused, so that all refusals are shown together."""
    data = OrganizationData()
    head_office: AdministrativeUnit | None = None
    present = set(raw) if partial else set(_ORGANIZATION_KEYS)

    def put(key: str, parse: Callable[[], str]) -> None:
        value = check.run(parse)
        if value is not None:
            data[key] = value  # type: ignore[literal-required]  # keys are OrganizationData's own

    if "name" in present:
        put("name", lambda: _required(raw, "name"))
    for key in ("short_name", "foreign_name", "street", "founding_document_number", "founding_document_issuer"):
        if key in present:
            put(key, functools.partial(_optional, raw, key))
    if "code" in present:
        put("code", lambda: parse_code(_text(raw, "code"), category))
    for key in ("established_on", "founding_document_date"):
        if key in present:
            put(key, functools.partial(_date_field, raw, key))
    if present & {"head_office_id", "head_office_code"}:
        head_office = check.run(lambda: parse_head_office(raw))
        if head_office is not None:
            data["head_office_id"] = head_office.pk
    if "phone" in present:
        put("phone", lambda: parse_phone(_text(raw, "phone")))
    if "email" in present:
        put("email", lambda: parse_email(_text(raw, "email")))
    # Without a code the founding document is required; a refused code is not "no code".
    if not partial and not data.get("code") and not check.failed("code"):
        founding = [
            data.get(k) for k in ("founding_document_number", "founding_document_date", "founding_document_issuer")
        ]
        if not all(founding) and not any(
            check.failed(k)
            for k in ("founding_document_number", "founding_document_date", "founding_document_issuer")
        ):
            check.run(_founding_document_required)
    return Validated(data=data, head_office=head_office)


def _date_field(raw: Mapping[str, object], key: str) -> str:
    return parse_date(_text(raw, key), field=key)


def _founding_document_required() -> None:
    raise DomainError(ApplicationError.FOUNDING_DOCUMENT_REQUIRED, field="founding_document_number")


def _check_keys(raw: Mapping[str, object], kind: Kind) -> None:
    unknown = sorted(str(k) for k in raw if k not in ALLOWED_KEYS[kind] and k not in _IGNORED)
    if unknown:
        shown = ", ".join(k[:40] for k in unknown[:10])
        raise DomainError(ApplicationError.UNKNOWN_FIELDS, field=unknown[0][:40], fields=shown)


def validate(raw: Mapping[str, object], *, kind: Kind, category: Category) -> Validated:
    """The normalized payload of a request of ``kind``.

    Refused fields raise together: one ``DomainError`` for one field, ``FieldErrors`` for several.
    """
    _check_keys(raw, kind)
    relevant = {k: v for k, v in raw.items() if k not in _IGNORED}
    if kind in (Kind.NEW, Kind.UPDATE):
        with field_check() as check:
            validated = _organization_fields(relevant, category, partial=kind == Kind.UPDATE, check=check)
            people = _representatives(relevant, check) if kind == Kind.NEW else None
        if kind == Kind.UPDATE and not validated.data:
            raise DomainError(ApplicationError.NOTHING_TO_UPDATE)
        if people is not None:
            validated.data["representative"], validated.data["co_representatives"] = people
        return validated
    if kind == Kind.REPRESENTATIVE_CHANGE:
        with field_check() as check:
            people = _representatives(relevant, check)
        assert people is not None  # noqa: S101  (field_check raised otherwise)
        data = OrganizationData(representative=people[0], co_representatives=people[1])
        return Validated(data=data, head_office=None)
    with field_check() as check:
        reason = check.run(lambda: _required(relevant, "reason"))
        authority = check.run(lambda: _optional(relevant, "authority"))
        reference = check.run(lambda: _optional(relevant, "document_reference"))
    return Validated(
        data=OrganizationData(reason=reason or "", authority=authority or "", document_reference=reference or ""),
        head_office=None,
    )

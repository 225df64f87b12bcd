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

Each field is parsed in ``field_parsers`` or ``representatives``; this module knows which keys each kind of
request takes and puts the fields together, so that every refusal is shown at once.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from dinhdanh.applications.errors import ApplicationError
from dinhdanh.applications.field_parsers import (
    optional_text,
    parse_code,
    parse_date,
    parse_email,
    parse_head_office,
    parse_phone,
    required_text,
    text_value,
)
from dinhdanh.applications.models import Kind
from dinhdanh.applications.representatives import parse_representatives
from dinhdanh.core.errors import DomainError, FieldCheck, field_check
from dinhdanh.geo.models import AdministrativeUnit
from dinhdanh.organizations.categories import Category
from dinhdanh.organizations.data import OrganizationData

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


@dataclass(frozen=True)
class Validated:
    data: OrganizationData
    head_office: AdministrativeUnit | None


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
        put("name", lambda: required_text(raw, "name"))
    for key in ("short_name", "foreign_name", "street", "founding_document_number", "founding_document_issuer"):
        if key in present:
            put(key, functools.partial(optional_text, raw, key))
    if "code" in present:
        put("code", lambda: parse_code(text_value(raw, "code"), category))
    for key in ("established_on", "founding_document_date"):
        if key in present:
            put(key, functools.partial(_date_field, raw, key))
    if present & {"head_office_id", "head_office_code"}:
        head_office = check.run(lambda: parse_head_office(raw))
        if head_office is not None:
            data["head_office_id"] = head_office.pk
    if "phone" in present:
        put("phone", lambda: parse_phone(text_value(raw, "phone")))
    if "email" in present:
        put("email", lambda: parse_email(text_value(raw, "email")))
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
    return parse_date(text_value(raw, key), field=key)


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
            people = parse_representatives(relevant, check) if kind == Kind.NEW else None
        if kind == Kind.UPDATE and not validated.data:
            raise DomainError(ApplicationError.NOTHING_TO_UPDATE)
        if people is not None:
            validated.data["representative"], validated.data["co_representatives"] = people
        return validated
    if kind == Kind.REPRESENTATIVE_CHANGE:
        with field_check() as check:
            people = parse_representatives(relevant, check)
        assert people is not None  # noqa: S101  (field_check raised otherwise)
        data = OrganizationData(representative=people[0], co_representatives=people[1])
        return Validated(data=data, head_office=None)
    with field_check() as check:
        reason = check.run(lambda: required_text(relevant, "reason"))
        authority = check.run(lambda: optional_text(relevant, "authority"))
        reference = check.run(lambda: optional_text(relevant, "document_reference"))
    return Validated(
        data=OrganizationData(reason=reason or "", authority=authority or "", document_reference=reference or ""),
        head_office=None,
    )

"""The legal representative and the co-representatives of a request: names, positions and personal ID numbers.

Apart from ``validation`` because the live checks of step 5 (``views.applicant_validate``) check one person's
name or number alone, and because this is the one place where a personal ID number in clear becomes the login
digest and the masked form: nothing else of a number leaves this module.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from dinhdanh.applications.errors import ApplicationError
from dinhdanh.applications.field_parsers import legal_name, optional_text, required_text, text_value
from dinhdanh.core.codes import parse_personal_id
from dinhdanh.core.errors import DomainError, FieldCheck
from dinhdanh.core.text import clean, clean_optional, nfc
from dinhdanh.organizations.data import TEXT_LIMITS, Person
from dinhdanh.people.logins import kept_digest, masked

MAX_CO_REPRESENTATIVES = 10
_LIST_SPLIT = re.compile(r"[\n;]+")


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
    foreigner = nfc(text_value(raw, "representative_is_foreigner")).lower() in {"1", "true", "on", "yes"}
    name = check.run(lambda: required_text(raw, "representative_name"))
    position = check.run(lambda: optional_text(raw, "representative_position"))
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
    return legal_name(clean(value, field=field, max_length=TEXT_LIMITS[key]), field=field)


def parse_representatives(raw: Mapping[str, object], check: FieldCheck) -> tuple[Person, list[Person]] | None:
    """The representative and the co-representatives; None when ``check`` holds a refusal of theirs."""
    representative = _representative(raw, check)
    if representative is None:
        check.run(lambda: _as_list(raw, "co_representative_names"))  # its own refusals still show
        return None
    co_representatives = check.run(lambda: _co_representatives(raw, representative))
    return None if co_representatives is None else (representative, co_representatives)

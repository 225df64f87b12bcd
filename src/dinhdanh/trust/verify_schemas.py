"""The verification API's questions as parsed values, and the refusals of malformed ones.

Parsing takes the decoded JSON as it came (any type, any size the body limit let through) and either
returns a question or raises ``Refusal`` naming the field. A refusal's description is English and
fixed, like OAuth's (``federation.protocol.errors``): it never echoes what was sent, so a personal
number typed into the wrong field does not come back in the answer or a log.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, Field

from dinhdanh.core.codes import mask_personal_id, parse_tax_code
from dinhdanh.core.errors import DomainError
from dinhdanh.organizations.numbers import is_valid_eid
from dinhdanh.people.logins import normalized

__all__ = [
    "BATCH_MAX",
    "BatchBody",
    "OrganizationBody",
    "OrganizationQuestion",
    "PersonBody",
    "PersonQuestion",
    "Refusal",
    "kinds_of",
    "parse_batch",
    "parse_item",
    "parse_organization_question",
    "parse_person_question",
]

BATCH_MAX = 1000
_IDENTIFIER_MAX = 64  # an eid is 11 characters, a tax code 14 with its dash: room for spaces, no more
_NUMBER_MAX = 32
_SERVICE = re.compile(r"[a-z0-9._-]{1,64}")  # organizations.Service.code
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_YEARS = range(1900, 2200)  # dates a question may name: far enough, and never near date.max

Via = Literal["eid", "tax_code"]
Asked = Literal["representative", "member"]


class Refusal(Exception):  # noqa: N818 - a refusal, not a failure of ours
    """A malformed question: ``invalid_request`` for ``field``, with a fixed description."""

    def __init__(self, field: str, description: str) -> None:
        super().__init__(description)
        self.field, self.description = field, description

    def as_item(self) -> dict[str, str]:
        return {"error": "invalid_request", "error_description": self.description, "field": self.field}


@dataclass(frozen=True, slots=True)
class OrganizationQuestion:
    organization: str  # the eid, or the tax code in its canonical layout
    via: Via

    kind: Literal["organization"] = field(default="organization", init=False)


@dataclass(frozen=True, slots=True)
class PersonQuestion:
    organization: str
    via: Via
    number: str = field(repr=False)  # 12 digits; only ever compared through the blind index
    question: Asked
    service: str  # a service code for ``member``, empty for ``representative``
    on: date

    kind: Literal["person"] = field(default="person", init=False)

    def __repr__(self) -> str:
        return f"PersonQuestion({self.organization}, {mask_personal_id(self.number)}, {self.question})"


def _text(raw: dict[str, Any], name: str, limit: int, *, required: bool = True) -> str:
    value = raw.get(name)
    if value is None and not required:
        return ""
    if not isinstance(value, str):
        raise Refusal(name, f"{name} must be a string")
    if len(value) > limit:
        raise Refusal(name, f"{name} is too long")
    return value


def _organization(raw: dict[str, Any]) -> tuple[str, Via]:
    text = unicodedata.normalize("NFKC", _text(raw, "organization", _IDENTIFIER_MAX)).strip()
    if is_valid_eid(text):
        return text, "eid"
    try:
        return parse_tax_code(text, repair=False, field="organization").value, "tax_code"
    except DomainError:
        raise Refusal(
            "organization",
            "organization must be a platform identification number (11 digits) or a tax code (10 or 13 digits)",
        ) from None


def _on(raw: dict[str, Any], today: date) -> date:
    value = raw.get("on")
    if value is None:
        return today
    if not isinstance(value, str) or not _DATE.fullmatch(value):
        raise Refusal("on", "on must be a date as YYYY-MM-DD")
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise Refusal("on", "on must be a date as YYYY-MM-DD") from None
    if day.year not in _YEARS:
        raise Refusal("on", "on must be a date between 1900 and 2199")
    return day


def _object(raw: object) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise Refusal("", "a question must be a JSON object")
    return raw


def parse_organization_question(raw: object) -> OrganizationQuestion:
    identifier, via = _organization(_object(raw))
    return OrganizationQuestion(organization=identifier, via=via)


def parse_person_question(raw: object, *, today: date) -> PersonQuestion:
    body = _object(raw)
    identifier, via = _organization(body)
    number_text = _text(body, "personal_number", _NUMBER_MAX)
    try:
        number = normalized(number_text)
    except DomainError:
        raise Refusal(
            "personal_number", "personal_number must be a 12-digit personal identification number"
        ) from None
    question = body.get("question")
    if question not in ("representative", "member"):
        raise Refusal("question", 'question must be "representative" or "member"')
    service = _text(body, "service", 64, required=False)
    if question == "member" and not _SERVICE.fullmatch(service):
        raise Refusal("service", "a member question needs the service code (a-z, 0-9, '.', '_', '-')")
    if question == "representative" and service:
        raise Refusal("service", "a representative question names no service")
    return PersonQuestion(
        organization=identifier, via=via, number=number, question=question, service=service, on=_on(body, today)
    )


def parse_item(raw: object, *, today: date) -> OrganizationQuestion | PersonQuestion:
    """One question of a batch: ``kind`` says which."""
    kind = _object(raw).get("kind")
    if kind == "organization":
        return parse_organization_question(raw)
    if kind == "person":
        return parse_person_question(raw, today=today)
    raise Refusal("kind", 'kind must be "organization" or "person"')


def parse_batch(raw: object) -> list[object]:
    """The batch's questions, not yet parsed (each is answered or refused on its own)."""
    if not isinstance(raw, dict) or not isinstance(raw.get("questions"), list):
        raise Refusal("questions", "the body must be an object with a list of questions")
    questions: list[object] = raw["questions"]
    if not questions:
        raise Refusal("questions", "the batch holds no question")
    if len(questions) > BATCH_MAX:
        raise Refusal("questions", f"a batch holds at most {BATCH_MAX} questions")
    return questions


def kinds_of(questions: list[object]) -> set[str]:
    """The kinds a batch names (those it names well): what scopes it needs."""
    return {q["kind"] for q in questions if isinstance(q, dict) and q.get("kind") in ("organization", "person")}


# --- for the OpenAPI description only: the views read the body themselves, to refuse in OAuth's shape --


class OrganizationBody(BaseModel):
    organization: str = Field(description="Platform identification number (11 digits) or tax code", max_length=64)


class PersonBody(BaseModel):
    organization: str = Field(description="Platform identification number or tax code", max_length=64)
    personal_number: str = Field(description="12-digit personal identification number", max_length=32)
    question: Asked
    service: str | None = Field(None, description="Service code, for a member question", max_length=64)
    on: date | None = Field(None, description="Day asked about (default: today, Asia/Ho_Chi_Minh)")


class BatchQuestion(BaseModel):
    kind: Literal["organization", "person"]
    organization: str = Field(max_length=64)
    personal_number: str | None = Field(None, max_length=32)
    question: Asked | None = None
    service: str | None = Field(None, max_length=64)
    on: date | None = None


class BatchBody(BaseModel):
    questions: list[BatchQuestion] = Field(max_length=BATCH_MAX, min_length=1)

"""The organization data contract (Decree 69 Art. 6), owned by organizations (issue 11.1): what a
request carries (``Application.data``), what a registry sync or an officer hands over, and what the
organization services take. Applications validates raw input into it (``organizations.validation``
holds the limits); organizations checks it again before writing.

Dates are ISO strings ("" when absent); ``head_office_id`` is a current-scheme commune
(``geo.AdministrativeUnit`` pk). Personal ID numbers never appear: only the login digest
(``people.logins.login_digest``) and the masked form. An UPDATE request carries only the keys that
change; LOCK / UNLOCK / REVOKE carry ``reason``, ``authority`` and ``document_reference``.
"""

from __future__ import annotations

from typing import TypedDict


class Person(TypedDict):
    name: str
    digest: str
    masked: str
    position: str


class OrganizationData(TypedDict, total=False):
    name: str
    short_name: str
    foreign_name: str
    code: str  # tax code "0101234567" / "0101234567-001", cooperative code, agency code, or ""
    established_on: str
    founding_document_number: str
    founding_document_date: str
    founding_document_issuer: str
    head_office_id: int
    street: str
    phone: str
    email: str
    representative: Person
    co_representatives: list[Person]
    # lock, unlock, revoke
    reason: str
    authority: str
    document_reference: str


ORGANIZATION_FIELDS = (
    "name", "short_name", "foreign_name", "code", "established_on", "founding_document_number",
    "founding_document_date", "founding_document_issuer", "head_office_id", "street", "phone", "email",
)  # fmt: skip

# Art. 6 text fields with their column lengths: the one home of these limits (the request form, the
# API, the registry sync and the organization services all check against it).
TEXT_LIMITS = {
    "name": 400,
    "short_name": 200,
    "foreign_name": 400,
    "code": 40,
    "founding_document_number": 100,
    "founding_document_issuer": 300,
    "street": 300,
    "phone": 20,
    "representative_name": 200,
    "representative_position": 200,
}
EMAIL_MAX = 254

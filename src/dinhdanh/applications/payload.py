"""The contract between a request and the organization it creates or changes: the keys of
``Application.data``. Applications writes them (normalized, validated); organizations reads them.

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

"""The automatic checks run when a request reaches review (SPEC §3): each one a ``Check`` row with the
submitted value beside the registry's, so the officer sees at a glance what differs and where from.

Registry reads go through ``registries.lookup``. A request is "in a registry" (3 working days instead
of 15 days) when CODE_KNOWN passes: its code is listed by a source, or, for an organization without a
code, a listed record in the same commune has a name that matches.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.db.models import Q, QuerySet
from django.utils import timezone

from dinhdanh.applications.field_parsers import parse_code
from dinhdanh.applications.models import Application, Check, CheckKind, CheckOutcome, Kind, Status
from dinhdanh.core.errors import DomainError
from dinhdanh.core.rows import SelectOne
from dinhdanh.core.text import fold, name_similarity
from dinhdanh.geo.models import AdministrativeUnit
from dinhdanh.organizations.categories import Category
from dinhdanh.organizations.data import Person
from dinhdanh.organizations.models import Organization
from dinhdanh.registries.models import Record
from dinhdanh.registries.selectors.lookup import best_name_matches, records_by_code
from dinhdanh.registries.sources import SOURCE_CATEGORY, Source
from dinhdanh.registries.statuses import RegistryStatus

_SHOWN = 500
_DRAFTS_AND_CLOSED = [Status.DRAFT, Status.APPROVED, Status.REJECTED, Status.WITHDRAWN]


@dataclass(frozen=True)
class Subject:
    """What the request says about the organization, whatever its kind."""

    code: str
    name: str
    name_key: str
    category: Category
    head_office: AdministrativeUnit
    representative: Person | None


def organizations_with_code(code: str) -> QuerySet[Organization]:
    """Organizations holding ``code``. The unique index on the code is partial (non-empty codes): SQLite
    uses it only when the query repeats its condition, else every lookup scans the whole table."""
    return Organization.objects.filter(~Q(code=""), code=code)


# Asked at every draft and submission: built once (``core.rows``, decision 0039). The condition on an
# empty code is repeated for the partial unique index, as ``organizations_with_code`` explains.
_ISSUED = SelectOne(Organization, "{code} <> '' AND {code} = %s", ["code"], only=["id"])


def code_issued(code: str) -> bool:
    """Whether an organization holds ``code`` (an empty code is nobody's)."""
    return bool(code) and _ISSUED.found(code)


def _cut(text: str) -> str:
    return text[:_SHOWN]


def _person_shown(name: str, masked: str) -> str:
    return f"{name} ({masked})" if masked else name


def _threshold() -> float:
    return float(settings.ORG_NAME_MATCH_THRESHOLD)


def subject_of(application: Application) -> Subject:
    data = application.data
    representative: Person | None = data.get("representative")
    organization = application.organization
    if representative is None and organization is not None:
        representative = Person(
            name=organization.representative_name,
            digest=organization.representative_digest,
            masked=organization.representative_masked,
            position=organization.representative_position,
        )
    return Subject(
        code=application.code,
        name=application.name,
        name_key=application.name_key,
        category=Category(application.category),
        head_office=application.head_office,
        representative=representative,
    )


def _primary(records: list[Record], category: Category) -> Record | None:
    """The record of the source that keeps this category, else the first one found."""
    for record in records:
        if SOURCE_CATEGORY.get(Source(record.source)) == category:
            return record
    return records[0] if records else None


def _find(subject: Subject) -> tuple[Record | None, float | None]:
    if subject.code:
        return _primary(records_by_code(subject.code), subject.category), None
    # Organizations without a code (surveys, Home Affairs lists) are known by name and commune.
    for record, score in best_name_matches(subject.name, unit_path=subject.head_office.path, limit=3):
        if record.commune_id == subject.head_office.pk and score >= _threshold():
            return record, score
    return None, None


def _code_valid(subject: Subject) -> Check:
    if not subject.code:
        return Check(kind=CheckKind.CODE_VALID, outcome=CheckOutcome.SKIPPED, detail="no_code")
    try:
        parse_code(subject.code, subject.category)
    except DomainError as error:
        return Check(
            kind=CheckKind.CODE_VALID,
            outcome=CheckOutcome.MISMATCH,
            submitted_value=subject.code,
            detail=_cut(error.message()),
        )
    return Check(kind=CheckKind.CODE_VALID, outcome=CheckOutcome.PASS, submitted_value=subject.code)


def _code_known(subject: Subject, record: Record | None, score: float | None) -> Check:
    submitted = subject.code or subject.name
    if record is None:
        return Check(kind=CheckKind.CODE_KNOWN, outcome=CheckOutcome.NOT_FOUND, submitted_value=_cut(submitted))
    return Check(
        kind=CheckKind.CODE_KNOWN,
        outcome=CheckOutcome.PASS,
        submitted_value=_cut(submitted),
        registry_value=_cut(record.code or record.name),
        registry_source=record.source,
        score=score,
        detail="" if subject.code else "matched_by_name_and_commune",
    )


def _status_active(record: Record | None) -> Check:
    if record is None:
        return Check(kind=CheckKind.STATUS_ACTIVE, outcome=CheckOutcome.NOT_FOUND)
    status = RegistryStatus(record.status) if record.status in RegistryStatus.values else RegistryStatus.UNKNOWN
    return Check(
        kind=CheckKind.STATUS_ACTIVE,
        outcome=CheckOutcome.PASS if status == RegistryStatus.ACTIVE else CheckOutcome.MISMATCH,
        registry_value=_cut(record.status_text or str(status.label)),
        registry_source=record.source,
        detail=str(status.value),
    )


def _name_match(subject: Subject, record: Record | None) -> Check:
    if record is None:
        return Check(kind=CheckKind.NAME_MATCH, outcome=CheckOutcome.NOT_FOUND, submitted_value=_cut(subject.name))
    score = name_similarity(subject.name, record.name)
    return Check(
        kind=CheckKind.NAME_MATCH,
        outcome=CheckOutcome.PASS if score >= _threshold() else CheckOutcome.MISMATCH,
        submitted_value=_cut(subject.name),
        registry_value=_cut(record.name),
        registry_source=record.source,
        score=score,
    )


def _representative_match(subject: Subject, record: Record | None) -> Check:
    person = subject.representative
    submitted = _person_shown(person["name"], person["masked"]) if person else ""
    if record is None or person is None:
        return Check(
            kind=CheckKind.REPRESENTATIVE_MATCH, outcome=CheckOutcome.NOT_FOUND, submitted_value=_cut(submitted)
        )
    listed = _person_shown(record.representative_name, record.representative_masked)
    common = {"submitted_value": _cut(submitted), "registry_value": _cut(listed), "registry_source": record.source}
    if record.representative_digest:
        same = record.representative_digest == person["digest"]
        detail = "by_personal_id"
    elif record.representative_name:
        # The registry gives no ID number: fall back on the name, and say so.
        same = bool(fold(record.representative_name)) and fold(record.representative_name) == fold(person["name"])
        detail = "by_name"
    else:
        return Check(
            kind=CheckKind.REPRESENTATIVE_MATCH, outcome=CheckOutcome.NOT_FOUND, detail="not_listed", **common
        )
    outcome = CheckOutcome.PASS if same else CheckOutcome.MISMATCH
    return Check(kind=CheckKind.REPRESENTATIVE_MATCH, outcome=outcome, detail=detail, **common)


def _jurisdiction(application: Application, record: Record | None) -> Check:
    head_office = application.head_office
    submitted = _cut(f"{head_office.name} ({head_office.code})")
    if not head_office.path.startswith(application.unit_path):
        return Check(
            kind=CheckKind.JURISDICTION,
            outcome=CheckOutcome.MISMATCH,
            submitted_value=submitted,
            registry_value=_cut(application.unit.name),
            detail="outside_routed_unit",
        )
    if record is not None and record.commune_id is not None and record.commune_id != head_office.pk:
        listed = record.commune
        shown = f"{listed.name} ({listed.code})" if listed is not None else ""
        return Check(
            kind=CheckKind.JURISDICTION,
            outcome=CheckOutcome.MISMATCH,
            submitted_value=submitted,
            registry_value=_cut(shown),
            registry_source=record.source,
            detail="registry_lists_another_commune",
        )
    return Check(
        kind=CheckKind.JURISDICTION,
        outcome=CheckOutcome.PASS,
        submitted_value=submitted,
        registry_value=_cut(application.unit.name),
        registry_source=record.source if record is not None else "",
    )


def _duplicate(application: Application) -> Check:
    same = (
        Q(code=application.code)
        if application.code
        else Q(name_key=application.name_key, head_office=application.head_office)
    )
    others = list(
        Application.objects.filter(same)
        .exclude(pk=application.pk)
        .exclude(status__in=_DRAFTS_AND_CLOSED)
        .order_by("pk")
        .values_list("number", flat=True)[:10]
    )
    if not others:
        return Check(kind=CheckKind.DUPLICATE, outcome=CheckOutcome.PASS, submitted_value=application.number)
    return Check(
        kind=CheckKind.DUPLICATE,
        outcome=CheckOutcome.MISMATCH,
        submitted_value=application.number,
        registry_value=_cut(", ".join(others)),
        detail="competing_requests",
    )


def _already_issued(application: Application, *, code_unissued: bool) -> Check:
    if application.kind != Kind.NEW:
        return Check(kind=CheckKind.ALREADY_ISSUED, outcome=CheckOutcome.SKIPPED, detail="not_a_new_account")
    if application.code:
        issued = None if code_unissued else organizations_with_code(application.code).first()
    else:
        issued = Organization.objects.filter(
            name_key=application.name_key, head_office=application.head_office
        ).first()
    if issued is None:
        return Check(
            kind=CheckKind.ALREADY_ISSUED, outcome=CheckOutcome.PASS, submitted_value=_cut(application.name)
        )
    return Check(
        kind=CheckKind.ALREADY_ISSUED,
        outcome=CheckOutcome.MISMATCH,
        submitted_value=_cut(application.name),
        registry_value=_cut(f"{issued.eid} {issued.name}"),
        detail="organization_exists",
    )


def run_checks(application: Application, *, code_unissued: bool = False) -> list[Check]:
    """Compute every check and replace the stored ones; the caller holds the row lock and audits.
    ``code_unissued``: the caller has just found no organization holding the request's code, in this
    transaction, so ALREADY_ISSUED passes without asking again."""
    subject = subject_of(application)
    record, score = _find(subject)
    checks = [
        _code_valid(subject),
        _code_known(subject, record, score),
        _status_active(record),
        _name_match(subject, record),
        _representative_match(subject, record),
        _jurisdiction(application, record),
        _duplicate(application),
        _already_issued(application, code_unissued=code_unissued),
    ]
    now = timezone.now()
    for check in checks:
        check.application = application
        check.checked_at = now
    Check.objects.filter(application=application).delete()
    Check.objects.bulk_create(checks)
    if not connection.features.can_return_rows_from_bulk_insert:  # no primary keys came back
        return list(Check.objects.filter(application=application).order_by("pk"))
    return sorted(checks, key=lambda check: check.pk)


def in_registry(checks: list[Check]) -> bool:
    return any(c.kind == CheckKind.CODE_KNOWN and c.outcome == CheckOutcome.PASS for c in checks)


def summary(checks: list[Check]) -> dict[str, str]:
    return {c.kind: c.outcome for c in checks}

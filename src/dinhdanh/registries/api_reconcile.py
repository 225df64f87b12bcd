"""Reconciliation API under /api/v1/registries/: outreach and data-cleansing lists, count differences,
exclusions and baselines. Cookie sessions are the credential: every POST passes the CSRF check.
Reads need ``VIEW_REGISTRY`` (baselines: ``VIEW_REGISTRY`` to read, ``MANAGE_CAMPAIGN`` to take);
exclusions need ``EXCLUDE_RECORD`` (campaign managers and reviewing officers) over the record's commune."""

from __future__ import annotations

import tempfile
from datetime import date, datetime

from django.http import FileResponse, Http404, HttpRequest
from django.utils import timezone
from ninja import Router, Schema, Status
from pydantic import Field

from dinhdanh.core.access import Permission
from dinhdanh.core.errors import DomainError
from dinhdanh.http.idempotency import idempotent
from dinhdanh.http.security import enforce_csrf, signed_in_user
from dinhdanh.http.zones import Zone
from dinhdanh.registries.models import Baseline, Exclusion, Record
from dinhdanh.registries.permissions import RegistryPermission
from dinhdanh.registries.reconcile.baselines import baseline_take, baselines
from dinhdanh.registries.reconcile.cleansing import CleansingKind
from dinhdanh.registries.reconcile.cleansing_rows import cleansing_page, counts_by_kind
from dinhdanh.registries.reconcile.differences import differences, totals
from dinhdanh.registries.reconcile.errors import ReconcileError
from dinhdanh.registries.reconcile.exclusions import (
    exclusion_by_pk,
    exclusion_lift,
    exclusion_set,
    exclusions,
    record_by_pk,
)
from dinhdanh.registries.reconcile.outreach import outreach_page, outreach_xlsx
from dinhdanh.registries.reconcile.scope import Scope, parse_category, parse_day, parse_page, parse_unit

ZONE = Zone.INNER  # reconciliation is the back office's
router = Router(tags=["registries"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class RecordOut(Schema):
    id: int
    source: str
    category: str
    code: str
    name: str
    address: str
    commune_code: str
    commune_name: str
    representative_name: str
    representative_masked: str
    status: str
    status_text: str
    excluded: bool


class OutreachOut(Schema):
    page: int
    pages: int
    count: int
    rows: list[RecordOut]


class CleansingRowOut(Schema):
    kind: str
    field: str
    code: str
    name: str
    eid: str
    commune: str
    first_source: str
    first_value: str
    second_source: str
    second_value: str
    organization_id: int | None
    record_id: int | None


class CleansingOut(Schema):
    counts: dict[str, int]
    kind: str
    page: int
    pages: int
    count: int
    rows: list[CleansingRowOut]


class DifferenceOut(Schema):
    unit: str
    unit_name: str
    category: str
    by_source: dict[str, int]
    registered: int
    with_account: int
    accounts: int
    difference: int


class DifferencesOut(Schema):
    unit: str
    rows: list[DifferenceOut]
    totals: list[DifferenceOut]


class ExclusionIn(Schema):
    record: int
    reason: str = Field(max_length=40)
    note: str = Field(default="", max_length=2000)


class ExclusionOut(Schema):
    id: int
    record: int
    code: str
    name: str
    reason: str
    note: str
    excluded_at: datetime
    lifted_at: datetime | None


class BaselineIn(Schema):
    unit: str = Field(max_length=10)
    as_of: str = Field(max_length=20)


class BaselineOut(Schema):
    unit: str
    unit_name: str
    category: str
    as_of: date
    registered: int
    excluded: int
    issued: int
    taken_at: datetime


def _scope(request: HttpRequest, unit: str, permission: Permission = RegistryPermission.VIEW_REGISTRY) -> Scope:
    return Scope.of(signed_in_user(request), parse_unit(unit), permission)


def _record(r: Record) -> RecordOut:
    return RecordOut(
        id=r.pk, source=r.source, category=r.category, code=r.code, name=r.name, address=r.address,
        commune_code=r.commune.code if r.commune else "", commune_name=r.commune.name if r.commune else "",
        representative_name=r.representative_name, representative_masked=r.representative_masked,
        status=r.status, status_text=r.status_text, excluded=bool(getattr(r, "is_excluded", False)),
    )  # fmt: skip


def _exclusion(e: Exclusion) -> ExclusionOut:
    return ExclusionOut(
        id=e.pk, record=e.record_id, code=e.record.code, name=e.record.name, reason=e.reason, note=e.note,
        excluded_at=e.excluded_at, lifted_at=e.lifted_at,
    )  # fmt: skip


def _baseline(b: Baseline) -> BaselineOut:
    return BaselineOut(
        unit=b.unit.code, unit_name=b.unit.name, category=b.category, as_of=b.as_of, registered=b.registered,
        excluded=b.excluded, issued=b.issued, taken_at=b.taken_at,
    )  # fmt: skip


@router.get("/reconcile/outreach", response=OutreachOut, url_name="reconcile_outreach")
def outreach(
    request: HttpRequest, unit: str = "", category: str = "", page: str = "1", include_excluded: bool = False
) -> OutreachOut:
    """Registry organizations without an account, sorted by commune then name (50 a page)."""
    scope = _scope(request, unit)
    result = outreach_page(
        scope, parse_category(category), page=parse_page(page), include_excluded=include_excluded
    )
    return OutreachOut(
        page=result.number, pages=result.pages, count=result.count, rows=[_record(r) for r in result.rows]
    )


@router.get("/reconcile/outreach.xlsx", url_name="reconcile_outreach_xlsx")
def outreach_export(
    request: HttpRequest, unit: str = "", category: str = "", include_excluded: bool = False
) -> FileResponse:
    """The outreach list as an XLSX workbook (audited)."""
    scope = _scope(request, unit)
    kind = parse_category(category)
    spool = tempfile.TemporaryFile()  # noqa: SIM115  # FileResponse closes it once sent
    outreach_xlsx(
        actor=signed_in_user(request), scope=scope, category=kind, include_excluded=include_excluded, dest=spool
    )
    spool.seek(0)
    name = f"van-dong-{scope.unit.code if scope.unit else 'tat-ca'}-{timezone.localdate():%Y%m%d}.xlsx"
    return FileResponse(spool, as_attachment=True, filename=name, content_type=XLSX)


@router.get("/reconcile/cleansing", response=CleansingOut, url_name="reconcile_cleansing")
def cleansing(
    request: HttpRequest, unit: str = "", category: str = "", kind: str = "", page: str = "1"
) -> CleansingOut:
    """Counts of every kind, and one page of ``kind`` (by default the first kind with rows)."""
    scope = _scope(request, unit)
    group = parse_category(category)
    number = parse_page(page)
    if kind and kind not in CleansingKind.values:
        raise DomainError(ReconcileError.UNKNOWN_KIND, field="kind", value=kind[:40])
    counts = counts_by_kind(scope, group)
    chosen = (
        CleansingKind(kind)
        if kind
        else next((CleansingKind(k) for k, n in counts.items() if n), CleansingKind.NAME)
    )
    result = cleansing_page(scope, chosen, group, page=number)
    return CleansingOut(
        counts=counts, kind=chosen.value, page=result.number, pages=result.pages, count=result.count,
        rows=[CleansingRowOut.model_validate(r.as_json()) for r in result.rows],
    )  # fmt: skip


@router.get("/reconcile/differences", response=DifferencesOut, url_name="reconcile_differences")
def count_differences(request: HttpRequest, unit: str = "", category: str = "") -> DifferencesOut:
    """Per commune of a province (or per province): records by source, registered, accounts, difference."""
    scope = _scope(request, unit)
    rows = differences(scope, parse_category(category))
    return DifferencesOut(
        unit=scope.unit.code if scope.unit else "",
        rows=[DifferenceOut.model_validate(r.as_json()) for r in rows],
        totals=[DifferenceOut.model_validate(r.as_json()) for r in totals(rows, scope.unit)],
    )


@router.get("/reconcile/exclusions", response=list[ExclusionOut], url_name="reconcile_exclusions")
def exclusion_list(request: HttpRequest, unit: str = "") -> list[ExclusionOut]:
    """Exclusions in force in the scope, newest first (at most 500)."""
    return [_exclusion(e) for e in exclusions(_scope(request, unit))[:500]]


@router.post("/reconcile/exclusions", response={201: ExclusionOut}, url_name="reconcile_exclusion_set")
@idempotent
def exclusion_create(request: HttpRequest, body: ExclusionIn) -> Status[ExclusionOut]:
    enforce_csrf(request)
    actor = signed_in_user(request)
    record = record_by_pk(body.record)
    if record is None:
        raise Http404
    exclusion = exclusion_set(actor=actor, record=record, reason=body.reason, note=body.note)
    return Status(201, _exclusion(exclusion))


@router.post(
    "/reconcile/exclusions/{exclusion_id}/lift", response=ExclusionOut, url_name="reconcile_exclusion_lift"
)
@idempotent
def exclusion_remove(request: HttpRequest, exclusion_id: int) -> ExclusionOut:
    enforce_csrf(request)
    actor = signed_in_user(request)
    exclusion = exclusion_by_pk(exclusion_id)
    if exclusion is None:
        raise Http404
    return _exclusion(exclusion_lift(actor=actor, exclusion=exclusion))


@router.get("/baselines", response=list[BaselineOut], url_name="baselines")
def baseline_list(request: HttpRequest, unit: str = "", category: str = "", as_of: str = "") -> list[BaselineOut]:
    """Baselines in the scope (newest date first, at most 1000)."""
    scope = _scope(request, unit)
    found = baselines(scope, category=parse_category(category), as_of=parse_day(as_of))
    return [_baseline(b) for b in found[:1000]]


@router.post("/baselines", response={201: list[BaselineOut]}, url_name="baselines_take")
@idempotent
def baseline_create(request: HttpRequest, body: BaselineIn) -> Status[list[BaselineOut]]:
    """Take the baselines of a unit (a current province or commune) for a date, every category."""
    enforce_csrf(request)
    actor = signed_in_user(request)
    unit = parse_unit(body.unit)
    as_of = parse_day(body.as_of)
    if unit is None:
        raise DomainError(ReconcileError.BAD_UNIT, field="unit", value="")
    if as_of is None:
        raise DomainError(ReconcileError.BAD_DATE, field="as_of", value="")
    return Status(201, [_baseline(b) for b in baseline_take(actor=actor, unit=unit, as_of=as_of)])

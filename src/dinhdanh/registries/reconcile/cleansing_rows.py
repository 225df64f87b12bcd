"""Rows of the data-cleansing list, one page at a time: which field, both values, which source."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass, replace

from django.db.models import Model, QuerySet
from django.utils.translation import gettext as _

from dinhdanh.geo.models import AdministrativeUnit
from dinhdanh.organizations.categories import Category
from dinhdanh.organizations.models import Organization, OrganizationStatus
from dinhdanh.registries.models import Record
from dinhdanh.registries.reconcile.cleansing import (
    CleansingKind,
    cleansing_counts,
    conflict_candidates,
    conflicting_fields,
    flagged_conflicts,
    flagged_organizations,
    keys_disagree,
    name_mismatches,
    old_id_cards,
)
from dinhdanh.registries.reconcile.outreach import PAGE_SIZE, Page
from dinhdanh.registries.reconcile.scope import Scope
from dinhdanh.registries.reconcile.targets import TERMINATED, current
from dinhdanh.registries.sources import Source
from dinhdanh.registries.statuses import RegistryStatus
from dinhdanh.registries.trust import trust_rank

__all__ = ["ACCOUNT", "CleansingRow", "cleansing_page", "counts_by_kind"]

ACCOUNT = "account"  # the "source" of a value an organization account holds


@dataclass(frozen=True)
class CleansingRow:
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
    organization_id: int | None = None
    record_id: int | None = None

    @property
    def kind_label(self) -> str:
        return str(CleansingKind(self.kind).label)

    @property
    def first_source_label(self) -> str:
        return source_label(self.first_source)

    @property
    def second_source_label(self) -> str:
        return source_label(self.second_source)

    def as_json(self) -> dict[str, object]:
        return asdict(self)


def source_label(source: str) -> str:
    if source == ACCOUNT:
        return _("Tài khoản định danh")
    return str(Source(source).label) if source in Source.values else ""


def counts_by_kind(scope: Scope, category: Category | None = None) -> dict[str, int]:
    totals: Counter[str] = Counter()
    for (kind, _commune, _category), n in cleansing_counts(scope, category).items():
        totals[kind] += n
    return {kind.value: totals.get(kind.value, 0) for kind in CleansingKind}


class _Communes:
    def __init__(self, ids: Iterable[int | None]) -> None:
        wanted = {i for i in ids if i}
        self.names = dict(AdministrativeUnit.objects.filter(pk__in=wanted).values_list("pk", "name"))

    def __call__(self, pk: int | None) -> str:
        return str(self.names.get(pk, "")) if pk else ""


def _person(name: str, masked: str) -> str:
    return f"{name} ({masked})" if masked else name


def _status(record: Record) -> str:
    return record.status_text or str(RegistryStatus(record.status).label)


def _account_rows(kind: CleansingKind, orgs: list[Organization], scope: Scope) -> list[CleansingRow]:
    by_code: dict[str, list[Record]] = {}
    for record in current().filter(scope.source_q(), code__in=[o.code for o in orgs if o.code]).order_by("pk"):
        by_code.setdefault(record.code, []).append(record)
    communes = _Communes([o.head_office_id for o in orgs] + [r.commune_id for rs in by_code.values() for r in rs])
    rows: list[CleansingRow] = []
    for org in orgs:
        base = CleansingRow(
            kind=kind.value, field="code", code=org.code, name=org.name, eid=org.eid,
            commune=communes(org.head_office_id), first_source=ACCOUNT, first_value=org.code, second_source="",
            second_value="", organization_id=org.pk,
        )  # fmt: skip
        if kind == CleansingKind.UNLISTED:
            rows.append(base)
            continue
        ranked = sorted(by_code.get(org.code, []), key=lambda r: trust_rank(r.source))
        for record in ranked:
            pair = _account_pair(kind, org, record, communes)
            if pair is not None:
                field, mine, theirs = pair
                rows.append(replace(base, field=field, first_value=mine, second_source=record.source,
                                    second_value=theirs, record_id=record.pk))  # fmt: skip
    return rows


def _account_pair(
    kind: CleansingKind, org: Organization, record: Record, communes: _Communes
) -> tuple[str, str, str] | None:
    if kind == CleansingKind.NAME and keys_disagree(org.name_key, record.name_key):
        return "name", org.name, record.name
    if kind == CleansingKind.COMMUNE and record.commune_id and record.commune_id != org.head_office_id:
        return "commune", communes(org.head_office_id), communes(record.commune_id)
    if (
        kind == CleansingKind.REPRESENTATIVE
        and org.representative_digest
        and record.representative_digest
        and org.representative_digest != record.representative_digest
    ):
        return (
            "representative",
            _person(org.representative_name, org.representative_masked),
            _person(record.representative_name, record.representative_masked),
        )
    if (
        kind == CleansingKind.TERMINATED
        and record.status in TERMINATED
        and org.status == OrganizationStatus.ACTIVE
    ):
        return "status", str(OrganizationStatus(org.status).label), _status(record)
    return None


def _conflict_rows(records: list[Record], scope: Scope) -> list[CleansingRow]:
    partners: dict[str, list[Record]] = {}
    for other in current().filter(scope.source_q(), code__in=[r.code for r in records]).order_by("pk"):
        partners.setdefault(other.code, []).append(other)
    communes = _Communes([r.commune_id for rs in partners.values() for r in rs])
    rank = {s.value: trust_rank(s) for s in Source}
    rows: list[CleansingRow] = []
    for record in records:
        lower = sorted((p for p in partners.get(record.code, []) if rank[p.source] > rank[record.source]),
                       key=lambda p: rank[p.source])  # fmt: skip
        for other in lower:
            for field in conflicting_fields(_compared(record), _compared(other)):
                first, second = _shown(field, record, communes), _shown(field, other, communes)
                rows.append(CleansingRow(
                    kind=CleansingKind.CONFLICT.value, field=field, code=record.code, name=record.name, eid="",
                    commune=communes(record.commune_id), first_source=record.source, first_value=first,
                    second_source=other.source, second_value=second, record_id=record.pk,
                ))  # fmt: skip
    return rows


def _compared(record: Record) -> dict[str, object]:
    return {
        "name_key": record.name_key,
        "commune_id": record.commune_id,
        "representative_digest": record.representative_digest,
    }


def _shown(field: str, record: Record, communes: _Communes) -> str:
    if field == "name":
        return record.name
    if field == "commune":
        return communes(record.commune_id)
    return _person(record.representative_name, record.representative_masked)


def _window[M: Model](qs: QuerySet[M], page: int) -> tuple[int, list[M]]:
    start = (page - 1) * PAGE_SIZE
    return qs.count(), list(qs[start : start + PAGE_SIZE])


def cleansing_page(
    scope: Scope, kind: CleansingKind, category: Category | None = None, *, page: int = 1
) -> Page[CleansingRow]:
    """One page of one kind. Pages count accounts (or, for conflicts, records of the more authoritative
    source); an account that disagrees with two sources gives two rows on its page."""
    start = (page - 1) * PAGE_SIZE
    if kind == CleansingKind.CONFLICT:
        candidates = conflict_candidates(scope, category)
        flagged = [pk for pk, _c, _k in flagged_conflicts(candidates, scope)]
        chosen = {r.pk: r for r in Record.objects.filter(pk__in=flagged[start : start + PAGE_SIZE])}
        records = [chosen[pk] for pk in flagged[start : start + PAGE_SIZE] if pk in chosen]
        return Page(rows=_conflict_rows(records, scope), number=page, size=PAGE_SIZE, count=len(flagged))
    if kind == CleansingKind.OLD_ID_CARD:
        total, cards = _window(old_id_cards(scope, category), page)
        return Page(rows=_old_card_rows(cards), number=page, size=PAGE_SIZE, count=total)
    if kind == CleansingKind.NAME:
        matched = [pk for pk, _c, _k in name_mismatches(flagged_organizations(kind, scope, category), scope)]
        found = {o.pk: o for o in Organization.objects.filter(pk__in=matched[start : start + PAGE_SIZE])}
        orgs = [found[pk] for pk in matched[start : start + PAGE_SIZE] if pk in found]
        return Page(rows=_account_rows(kind, orgs, scope), number=page, size=PAGE_SIZE, count=len(matched))
    count, orgs = _window(flagged_organizations(kind, scope, category), page)
    return Page(rows=_account_rows(kind, orgs, scope), number=page, size=PAGE_SIZE, count=count)


def _old_card_rows(records: list[Record]) -> list[CleansingRow]:
    communes = _Communes([r.commune_id for r in records])
    return [
        CleansingRow(
            kind=CleansingKind.OLD_ID_CARD.value,
            field="representative",
            code=r.code,
            name=r.name,
            eid="",
            commune=communes(r.commune_id),
            first_source=r.source,
            first_value=_person(r.representative_name, r.representative_masked),
            second_source="",
            second_value="",
            record_id=r.pk,
        )
        for r in records
    ]

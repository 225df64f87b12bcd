"""Count differences ("chênh lệch") between sources and accounts, per unit and category.

For each unit × category: how many current, not terminated records each source lists (an organization
two sources list counts in both), how many organizations that makes once each is counted once
(``registered``: the targets), how many of those have an account (``with_account``, matched as the
outreach list matches them), and ``difference`` = registered − with_account: the listed organizations
still without an account. Like is compared with like: an account of an organization no list names
(``unlisted`` in the data-cleansing list) does not lower the difference; ``accounts`` (issued, not
revoked, by head office) is shown beside it for information only. Units are the communes of a province,
the province when a commune is asked for itself, or the provinces of the whole jurisdiction. Three
GROUP BY queries; units are named afterwards.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count

from dinhdanh.geo.models import AdministrativeUnit
from dinhdanh.organizations.categories import Category
from dinhdanh.organizations.models import OrganizationStatus
from dinhdanh.registries.reconcile.cleansing import organizations_in
from dinhdanh.registries.reconcile.scope import Scope
from dinhdanh.registries.reconcile.targets import (
    ALL_SOURCES,
    TERMINATED,
    current,
    group_key,
    has_account,
    no_account,
    not_excluded,
    targets,
)
from dinhdanh.registries.sources import Source

__all__ = ["DifferenceRow", "commune_groups", "differences", "totals"]

CATEGORY_ORDER = [c.value for c in Category]


@dataclass
class DifferenceRow:
    unit_code: str
    unit_name: str
    unit_path: str
    category: str
    by_source: dict[str, int] = field(default_factory=dict)
    registered: int = 0
    with_account: int = 0  # registered organizations an account matches
    outreach: int = 0  # filled when asked (the command's summary): targets without account, not excluded
    accounts: int = 0  # issued accounts with their head office here (information: some are on no list)

    @property
    def difference(self) -> int:
        return self.registered - self.with_account

    @property
    def source_counts(self) -> list[tuple[str, int]]:
        """(source label, count) in source order, for display."""
        return [(str(Source(s).label), n) for s in ALL_SOURCES if (n := self.by_source.get(s, 0))]

    @property
    def category_label(self) -> str:
        return str(Category(self.category).label)

    def as_json(self) -> dict[str, object]:
        return {
            "unit": self.unit_code,
            "unit_name": self.unit_name,
            "category": self.category,
            "by_source": {s: self.by_source.get(s, 0) for s in ALL_SOURCES if self.by_source.get(s)},
            "registered": self.registered,
            "with_account": self.with_account,
            "accounts": self.accounts,
            "difference": self.difference,
        }


def commune_groups(scope: Scope, commune_ids: Iterable[int | None]) -> dict[int | None, AdministrativeUnit | None]:
    """Commune id -> the unit its figures are shown under: the commune itself inside a province or
    commune, its province otherwise; None (no commune in the registry) stays None."""
    ids = {i for i in commune_ids if i}
    communes = AdministrativeUnit.objects.filter(pk__in=ids).select_related("parent")
    by_province = scope.unit is None
    groups: dict[int | None, AdministrativeUnit | None] = {None: None}
    for commune in communes:
        groups[commune.pk] = commune.parent if by_province and commune.parent is not None else commune
    return groups


def differences(
    scope: Scope, category: Category | None = None, *, with_outreach: bool = False
) -> list[DifferenceRow]:
    """Rows per unit × category; ``with_outreach`` also counts the outreach list in the same pass over
    the targets (the command needs both; one pass instead of two)."""
    records = current().filter(scope.records()).exclude(status__in=TERMINATED)
    registered = targets(scope, category)
    accounts = organizations_in(scope, category).exclude(status=OrganizationStatus.REVOKED)
    if category is not None:
        records = records.filter(category=category)
    commune, kind, source = group_key("commune_id"), group_key("category", ""), group_key("source", "")
    listed = records.annotate(c=commune, k=kind, s=source).values("c", "k", "s").annotate(n=Count("pk")).order_by()
    counts: dict[str, Count] = {"n": Count("pk"), "a": Count("pk", filter=has_account())}
    if with_outreach:
        counts["o"] = Count("pk", filter=no_account() & not_excluded())
    counted = registered.annotate(c=commune, k=kind).values("c", "k").annotate(**counts).order_by()
    issued = accounts.annotate(c=group_key("head_office_id"), k=kind).values("c", "k").annotate(n=Count("pk"))
    listed_rows, counted_rows, issued_rows = list(listed), list(counted), list(issued.order_by())
    ids = [x["c"] for x in listed_rows] + [x["c"] for x in issued_rows]
    groups = commune_groups(scope, ids)
    rows: dict[tuple[str, str], DifferenceRow] = {}

    def row(commune_id: int | None, category_value: str) -> DifferenceRow:
        unit = groups.get(commune_id or None)
        key = (unit.path if unit else "", category_value)
        if key not in rows:
            rows[key] = DifferenceRow(
                unit_code=unit.code if unit else "",
                unit_name=unit.name if unit else "",
                unit_path=unit.path if unit else "",
                category=category_value,
            )
        return rows[key]

    for listed_row in listed_rows:
        target = row(listed_row["c"], listed_row["k"])
        target.by_source[listed_row["s"]] = target.by_source.get(listed_row["s"], 0) + listed_row["n"]
    for counted_row in counted_rows:
        values: dict[str, Any] = dict(counted_row)
        target = row(values["c"], values["k"])
        target.registered += int(values["n"])
        target.with_account += int(values["a"])
        target.outreach += int(values.get("o", 0))
    for issued_row in issued_rows:
        row(issued_row["c"], issued_row["k"]).accounts += issued_row["n"]
    return sorted(rows.values(), key=lambda d: (d.unit_path == "", d.unit_path, CATEGORY_ORDER.index(d.category)))


def totals(rows: Iterable[DifferenceRow], unit: AdministrativeUnit | None = None) -> list[DifferenceRow]:
    """One row per category summing ``rows`` (the unit asked for, or the whole jurisdiction)."""
    summed: dict[str, DifferenceRow] = {}
    for r in rows:
        total = summed.setdefault(
            r.category,
            DifferenceRow(
                unit_code=unit.code if unit else "",
                unit_name=unit.name if unit else "",
                unit_path=unit.path if unit else "",
                category=r.category,
            ),
        )
        for source, n in r.by_source.items():
            total.by_source[source] = total.by_source.get(source, 0) + n
        total.registered += r.registered
        total.with_account += r.with_account
        total.outreach += r.outreach
        total.accounts += r.accounts
    return sorted(summed.values(), key=lambda d: CATEGORY_ORDER.index(d.category))

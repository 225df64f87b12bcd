"""What ``dinhdanh reconcile`` prints: per unit and category, the outreach count, the cleansing counts
by kind and the count differences, from grouped queries (one pass per list)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from dinhdanh.organizations.categories import Category
from dinhdanh.registries.reconcile.cleansing import CleansingKind, cleansing_counts
from dinhdanh.registries.reconcile.differences import CATEGORY_ORDER, commune_groups, differences
from dinhdanh.registries.reconcile.scope import Scope

__all__ = ["summary"]


def summary(scope: Scope, category: Category | None = None) -> dict[str, Any]:
    """Rows per province (per commune when the scope is a unit), each category with any figure."""
    cleansing = cleansing_counts(scope, category)
    groups = commune_groups(scope, [k[1] for k in cleansing])
    cleansing_by: dict[tuple[str, str], Counter[str]] = {}
    for (kind, commune_id, category_value), n in cleansing.items():
        unit = groups.get(commune_id or None)
        cleansing_by.setdefault((unit.code if unit else "", category_value), Counter())[kind] += n
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    for d in differences(scope, category, with_outreach=True):
        rows[(d.unit_code, d.category)] = {**d.as_json(), "outreach": d.outreach}
    for key in set(cleansing_by) - set(rows):
        rows[key] = {"unit": key[0], "unit_name": "", "category": key[1], "by_source": {}, "registered": 0,
                     "with_account": 0, "accounts": 0, "difference": 0, "outreach": 0}  # fmt: skip
    for key, row in rows.items():
        counts = cleansing_by.get(key, Counter())
        row["cleansing"] = {kind.value: counts.get(kind.value, 0) for kind in CleansingKind}
    ordered = sorted(
        rows.values(), key=lambda r: (r["unit"] == "", r["unit"], CATEGORY_ORDER.index(r["category"]))
    )
    total: dict[str, Any] = {
        "outreach": sum(r["outreach"] for r in ordered),
        "cleansing": {kind.value: sum(r["cleansing"][kind.value] for r in ordered) for kind in CleansingKind},
        "registered": sum(r["registered"] for r in ordered),
        "with_account": sum(r["with_account"] for r in ordered),
        "accounts": sum(r["accounts"] for r in ordered),
    }
    total["difference"] = total["registered"] - total["with_account"]
    return {
        "unit": scope.unit.code if scope.unit else "",
        "category": category.value if category else "",
        "total": total,
        "rows": ordered,
    }

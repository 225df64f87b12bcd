"""The data-cleansing list: accounts that disagree with a registry, accounts no registry lists, and
organizations two sources describe differently (SPEC §4).

Kinds (``CleansingKind``):

* ``name``: an account's name and a registry's name for the same code are less alike than
  ``settings.ORG_NAME_MATCH_THRESHOLD`` (``core.text.name_similarity``);
* ``commune``: the head-office commune differs; ``representative``: the representative differs (by
  login digest, when both sides have one);
* ``terminated``: a registry says dissolved, bankrupt, revoked or ceased while the account is active;
* ``unlisted``: an enterprise, cooperative or tax-code agency account that no current record names;
* ``conflict``: two sources list the same code with a different name, commune or representative;
* ``old_id_card``: a record whose representative is identified by an old 9-digit identity card
  (CMND), for the registry to update.

Account kinds are counted per account and lie in the jurisdiction of the account's head office; record
kinds (conflicts, old cards) per record, where that record lies (of a conflict, the more authoritative
source's). Accounts are compared only with records of the sources the reader reads (``Scope.sources``):
a reader of one source sees its disagreements with the accounts, never another source's values, so
conflicts (two sources) need both; ``unlisted`` is then "not on my list" and limited to the categories
that source lists.
Everything is decided in SQL except names: SQL finds the pairs whose name keys differ, Python rates
only those with ``name_similarity``.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from itertools import batched

from django.conf import settings
from django.db import models
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, TextField
from django.db.models.functions import Cast
from django.utils.translation import gettext_lazy as _
from rapidfuzz import fuzz

from dinhdanh.organizations.categories import Category
from dinhdanh.organizations.models import Organization, OrganizationStatus
from dinhdanh.registries.fields import OLD_ID_CARD
from dinhdanh.registries.models import Record
from dinhdanh.registries.permissions import RegistryPermission
from dinhdanh.registries.reconcile.scope import Scope
from dinhdanh.registries.reconcile.targets import (
    TERMINATED,
    current,
    group_key,
    ranked,
    records_with_code,
)
from dinhdanh.registries.sources import SOURCE_CATEGORY, Source
from dinhdanh.registries.trust import trust_rank

__all__ = [
    "LISTED_CATEGORIES",
    "CleansingKind",
    "cleansing_counts",
    "conflict_partners",
    "flagged_conflicts",
    "flagged_organizations",
    "old_id_cards",
    "organizations_in",
]


class CleansingKind(models.TextChoices):
    NAME = "name", _("Tên khác với danh sách tham chiếu")
    COMMUNE = "commune", _("Xã/phường trụ sở khác với danh sách tham chiếu")
    REPRESENTATIVE = "representative", _("Người đại diện khác với danh sách tham chiếu")
    TERMINATED = "terminated", _("Danh sách ghi đã chấm dứt hoạt động, tài khoản vẫn hoạt động")
    UNLISTED = "unlisted", _("Không có trong danh sách tham chiếu nào")
    CONFLICT = "conflict", _("Hai nguồn ghi khác nhau")
    OLD_ID_CARD = "old_id_card", _("Người đại diện ghi số chứng minh nhân dân cũ (9 chữ số)")


# Categories that always have a registration or tax code, hence a registry entry: all but "other".
LISTED_CATEGORIES = tuple(c for c in Category if c != Category.OTHER)
PERMISSION = RegistryPermission.VIEW_REGISTRY
_ACCOUNT_ORDER = ("head_office_path", "name_key", "pk")
_RECORD_ORDER = ("unit_path", "name_key", "pk")


def key_similarity(key_a: str, key_b: str) -> float:
    """``core.text.name_similarity`` for names whose ``name_key`` is stored: that function compares
    exactly these keys, and computing them again for every pair would cost 50 times more."""
    if not key_a or not key_b:
        return 0.0
    if key_a == key_b:
        return 100.0
    return float(fuzz.token_sort_ratio(key_a, key_b))


def keys_disagree(key_a: str, key_b: str) -> bool:
    return key_similarity(key_a, key_b) < float(settings.ORG_NAME_MATCH_THRESHOLD)


def organizations_in(scope: Scope, category: Category | None = None) -> QuerySet[Organization]:
    qs = Organization.objects.filter(scope.q("head_office_path"))
    return qs.filter(category=category) if category is not None else qs


def _account_condition(kind: CleansingKind, scope: Scope) -> Q:
    """Accounts of ``kind`` (for ``name``: the candidates, whose name keys differ), compared with the
    records of the scope's sources."""
    partner = records_with_code(OuterRef("code"), scope.sources)
    coded = ~Q(code="")
    if kind == CleansingKind.NAME:
        return coded & Q(Exists(partner.exclude(name_key=OuterRef("name_key"))))
    if kind == CleansingKind.COMMUNE:
        elsewhere = partner.filter(commune__isnull=False).exclude(commune_id=OuterRef("head_office_id"))
        return coded & Q(Exists(elsewhere))
    if kind == CleansingKind.REPRESENTATIVE:
        differs = partner.exclude(representative_digest="").exclude(
            representative_digest=OuterRef("representative_digest")
        )
        return coded & ~Q(representative_digest="") & Q(Exists(differs))
    if kind == CleansingKind.TERMINATED:
        return coded & Q(status=OrganizationStatus.ACTIVE) & Q(Exists(partner.filter(status__in=TERMINATED)))
    if kind == CleansingKind.UNLISTED:
        # "not other" rather than "in LISTED_CATEGORIES": the same rows, but SQLite then scans instead of
        # walking the category index in random order.
        # A code-less account matches no record: the subquery asks for a code.
        unlisted = ~Q(category=Category.OTHER) & ~Q(Exists(partner.exclude(code="")))
        if scope.sources is not None:
            unlisted &= Q(category__in={SOURCE_CATEGORY[Source(s)] for s in scope.sources if s in Source.values})
        return unlisted
    raise ValueError(kind)


def flagged_organizations(
    kind: CleansingKind, scope: Scope, category: Category | None = None, *, ordered: bool = True
) -> QuerySet[Organization]:
    """Accounts of one account kind in the scope, in list order (unordered for counting, which is then a
    plain scan). For ``name`` these are candidates: ``name_mismatches`` keeps those really below the
    threshold."""
    qs = organizations_in(scope, category).filter(_account_condition(kind, scope))
    return qs.order_by(*_ACCOUNT_ORDER) if ordered else qs.order_by()


def _keys_by_code(codes: Iterable[str], scope: Scope) -> dict[str, list[str]]:
    keys: dict[str, list[str]] = defaultdict(list)
    for code, key in current().filter(scope.source_q(), code__in=list(codes)).values_list("code", "name_key"):
        keys[code].append(key)
    return keys


def name_mismatches(candidates: QuerySet[Organization], scope: Scope) -> Iterator[tuple[int, int, str]]:
    """(pk, head office id, category) of the candidate accounts whose name really disagrees with a
    record of the scope's sources."""
    rows = candidates.values_list("pk", "code", "name_key", "head_office_id", "category")
    for chunk in batched(rows.iterator(chunk_size=2000), 500):
        keys = _keys_by_code((row[1] for row in chunk), scope)
        for pk, code, key, head_office, category in chunk:
            if any(keys_disagree(key, other) for other in keys[code]):
                yield pk, head_office, category


def _conflict_condition(scope: Scope) -> Q:
    """Records with a less authoritative record (of the scope's sources) of the same code whose name
    key, commune or representative differs (the candidates; names are rated in Python). Needs
    ``ranked``."""
    differs = (
        ~Q(name_key=OuterRef("name_key"))
        | (Q(commune__isnull=False) & ~Q(commune_id=OuterRef("commune_id")))
        | (~Q(representative_digest="") & ~Q(representative_digest=OuterRef("representative_digest")))
    )
    lower = ranked(current()).filter(code=OuterRef("code"), **{"rank__gt": OuterRef("rank")}).exclude(code="")
    return Q(Exists(lower.filter(differs).filter(scope.source_q())))


def conflict_candidates(
    scope: Scope, category: Category | None = None, *, ordered: bool = True
) -> QuerySet[Record]:
    qs = ranked(current()).filter(scope.records()).filter(_conflict_condition(scope))
    if category is not None:
        qs = qs.filter(category=category)
    return qs.order_by(*_RECORD_ORDER) if ordered else qs.order_by()


_COMPARED = ("pk", "source", "code", "name_key", "commune_id", "representative_digest")


def conflict_partners(
    records: Iterable[Record | dict[str, object]], scope: Scope
) -> dict[str, list[dict[str, object]]]:
    """Current records of the scope's sources by code, for the codes of ``records``."""
    codes = [str(r["code"] if isinstance(r, dict) else r.code) for r in records]
    found: dict[str, list[dict[str, object]]] = defaultdict(list)
    for row in current().filter(scope.source_q(), code__in=codes).values(*_COMPARED):
        found[str(row["code"])].append(row)
    return found


def _rank(source: object) -> int:
    return trust_rank(source)


def conflicting_fields(first: dict[str, object], second: dict[str, object]) -> list[str]:
    fields = []
    if keys_disagree(str(first["name_key"]), str(second["name_key"])):
        fields.append("name")
    if first["commune_id"] and second["commune_id"] and first["commune_id"] != second["commune_id"]:
        fields.append("commune")
    a, b = first["representative_digest"], second["representative_digest"]
    if a and b and a != b:
        fields.append("representative")
    return fields


def flagged_conflicts(candidates: QuerySet[Record], scope: Scope) -> Iterator[tuple[int, int | None, str]]:
    """(pk, commune id, category) of the candidate records with a real conflict."""
    rows = candidates.values(*_COMPARED, "category")
    for chunk in batched(rows.iterator(chunk_size=2000), 500):
        partners = conflict_partners(chunk, scope)
        for row in chunk:
            lower = [p for p in partners[str(row["code"])] if _rank(p["source"]) > _rank(row["source"])]
            if any(conflicting_fields(row, p) for p in lower):
                commune = row["commune_id"]
                yield int(str(row["pk"])), int(str(commune)) if commune else None, str(row["category"])


type Key = tuple[str, int | None, str]  # kind, commune id, category


def cleansing_counts(scope: Scope, category: Category | None = None) -> Counter[Key]:
    """How many rows of each kind, per commune id and category."""
    counts: Counter[Key] = Counter()
    for kind in (
        CleansingKind.COMMUNE,
        CleansingKind.REPRESENTATIVE,
        CleansingKind.TERMINATED,
        CleansingKind.UNLISTED,
    ):
        grouped = (
            organizations_in(scope, category)
            .filter(_account_condition(kind, scope))
            .annotate(c=group_key("head_office_id"), k=group_key("category", ""))
            .values("c", "k")
            .annotate(n=Count("pk"))
            .order_by()
        )
        for row in grouped:
            counts[(kind.value, row["c"] or None, row["k"])] += row["n"]
    names = name_mismatches(flagged_organizations(CleansingKind.NAME, scope, category, ordered=False), scope)
    for _pk, head_office, org_category in names:
        counts[(CleansingKind.NAME.value, head_office, org_category)] += 1
    for _pk, commune, record_category in flagged_conflicts(
        conflict_candidates(scope, category, ordered=False), scope
    ):
        counts[(CleansingKind.CONFLICT.value, commune, record_category)] += 1
    old_cards = (
        old_id_cards(scope, category, ordered=False)
        .annotate(c=group_key("commune_id"), k=group_key("category", ""))
        .values("c", "k")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in old_cards:
        counts[(CleansingKind.OLD_ID_CARD.value, row["c"] or None, row["k"])] += row["n"]
    return counts


def old_id_cards(scope: Scope, category: Category | None = None, *, ordered: bool = True) -> QuerySet[Record]:
    """Current records of the scope whose representative is known by an old 9-digit identity card.
    The flags column is JSON; its text is searched so that SQLite (no JSON containment) does the same."""
    flagged = Cast("flags", TextField())
    qs = current().filter(scope.records()).alias(flag_text=flagged).filter(flag_text__contains=f'"{OLD_ID_CARD}"')
    if category is not None:
        qs = qs.filter(category=category)
    return qs.order_by(*_RECORD_ORDER) if ordered else qs.order_by()

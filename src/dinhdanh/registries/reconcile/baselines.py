"""Baselines: how many organizations a unit × category had to reach on a date (a campaign's denominator).

``registered`` counts the unit's targets (``targets``: current, not terminated, each organization once)
that are not excluded; ``excluded`` those with an exclusion in force; ``issued`` the registered ones
matched by an account issued on or before ``as_of``. Records and exclusions are taken as they stand when
the baseline is taken (snapshots keep no history of exclusions); accounts as they stood on ``as_of``.
Taking a baseline again for the same unit and date replaces its rows (and is audited again).
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from dinhdanh.core import audit
from dinhdanh.core.access import require
from dinhdanh.core.errors import DomainError
from dinhdanh.geo.models import AdministrativeUnit, Level, Scheme
from dinhdanh.organizations.categories import Category
from dinhdanh.people.models import User
from dinhdanh.registries.audit_actions import RegistryAction
from dinhdanh.registries.models import Baseline
from dinhdanh.registries.permissions import RegistryPermission
from dinhdanh.registries.reconcile.errors import ReconcileError
from dinhdanh.registries.reconcile.scope import Scope
from dinhdanh.registries.reconcile.targets import excluded, has_account, not_excluded, targets

__all__ = ["BaselineCounts", "baseline_counts", "baseline_for", "baseline_take", "baselines"]

type BaselineCounts = dict[str, dict[str, int]]


def baseline_counts(unit: AdministrativeUnit, as_of: date) -> BaselineCounts:
    """category -> {registered, excluded, issued}, one GROUP BY over the unit's targets."""
    out = excluded()
    rows = (
        targets(Scope.everywhere(unit))
        .values("category")
        .annotate(
            total=Count("pk"),
            excluded=Count("pk", filter=Q(out)),
            issued=Count("pk", filter=not_excluded() & has_account(as_of)),
        )
    )
    counts = {c.value: {"registered": 0, "excluded": 0, "issued": 0} for c in Category}
    for row in rows:
        counts[row["category"]] = {
            "registered": row["total"] - row["excluded"],
            "excluded": row["excluded"],
            "issued": row["issued"],
        }
    return counts


def _check_unit(unit: AdministrativeUnit) -> None:
    if unit.scheme != Scheme.CURRENT or unit.level not in (Level.PROVINCE, Level.COMMUNE):
        raise DomainError(ReconcileError.BAD_UNIT, field="unit", value=unit.code)


def baseline_take(*, actor: User | None, unit: AdministrativeUnit, as_of: date) -> list[Baseline]:
    """Compute and store the baselines of ``unit`` (a current province or commune) for every category.

    ``actor`` None is the command line (the operator of the machine); a person needs ``MANAGE_CAMPAIGN``
    over the unit.
    """
    if actor is not None:
        require(actor, RegistryPermission.MANAGE_CAMPAIGN, unit=unit)
    _check_unit(unit)
    if as_of > timezone.localdate():
        raise DomainError(ReconcileError.FUTURE_DATE, field="as_of", value=as_of.isoformat())
    counts = baseline_counts(unit, as_of)
    taken: list[Baseline] = []
    with transaction.atomic():
        previous = {
            b.category: {"registered": b.registered, "excluded": b.excluded, "issued": b.issued}
            for b in Baseline.objects.select_for_update().filter(unit=unit, as_of=as_of)
        }
        now = timezone.now()
        for category, numbers in counts.items():
            baseline, _created = Baseline.objects.update_or_create(
                unit=unit,
                category=category,
                as_of=as_of,
                defaults={"unit_path": unit.path, "taken_at": now, "taken_by": actor, **numbers},
            )
            taken.append(baseline)
        audit.record(
            RegistryAction.REGISTRY_BASELINE_TAKEN,
            actor=actor,
            object_type="geo.administrativeunit",
            object_id=str(unit.pk),
            before=previous or None,
            after={"unit": unit.code, "as_of": as_of.isoformat(), "counts": counts},
        )
    return taken


def baseline_for(unit: AdministrativeUnit, category: Category | str, as_of: date) -> Baseline | None:
    """The baseline in force on ``as_of``: the latest taken for a date on or before it."""
    return Baseline.objects.filter(unit=unit, category=str(category), as_of__lte=as_of).order_by("-as_of").first()


def baselines(scope: Scope, *, category: Category | None = None, as_of: date | None = None) -> QuerySet[Baseline]:
    qs = Baseline.objects.filter(scope.q("unit_path")).select_related("unit", "taken_by")
    if category is not None:
        qs = qs.filter(category=category)
    if as_of is not None:
        qs = qs.filter(as_of=as_of)
    return qs.order_by("-as_of", "unit_path", "category")

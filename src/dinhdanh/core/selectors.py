"""Kernel reads for the operators' pages and commands: staff assignments and calendar overrides."""

from __future__ import annotations

from datetime import date

from django.db.models import QuerySet
from django.utils import timezone

from dinhdanh.core.access import in_force
from dinhdanh.core.models import DayOverride, RoleAssignment

__all__ = ["day_overrides", "staff_assignments"]


def staff_assignments(
    *, role: str = "", unit_path: str = "", in_force_only: bool = True
) -> QuerySet[RoleAssignment]:
    """Assignments, newest first; ``unit_path`` narrows to a unit and everything under it."""
    qs = RoleAssignment.objects.select_related("user", "unit").order_by("-granted_at", "-pk")
    if in_force_only:
        qs = qs.filter(in_force(timezone.now()))
    if role:
        qs = qs.filter(role=role)
    if unit_path:
        qs = qs.filter(unit__path__startswith=unit_path)
    return qs


def day_overrides(year: int) -> QuerySet[DayOverride]:
    return DayOverride.objects.filter(date__gte=date(year, 1, 1), date__lte=date(year, 12, 31)).order_by("date")

"""Merging and splitting communes, and re-homing what pointed at them (issue 14.0).

``units_merge`` and ``units_split`` record the ``UnitSuccession`` rows, end the retired communes (and
their villages) the day before the reform takes effect, and call every registered **re-homer** in the
same transaction: what still lives at a retired commune (an organization's head office, a staff
role's territory, an open request) moves to the unit that now holds it. Any failure writes nothing.

Events and daily counts are NOT rewritten: they keep the unit as it was, and ``geo.rollup`` carries
them forward through the successions recorded here.

geo sits below the apps whose rows move, so each registers its re-homer in its
``AppConfig.ready()`` (``register_rehomer``); the kernel sits below geo, so its role assignments are
re-homed here. A re-homer asks ``Rehoming.target(item)`` where each of its rows goes: for a merge
always the unit merged into; for a split what ``assign`` says, refused if it says nothing or names a
unit the commune was not split into. ``split_items`` lists in advance what a split will ask about.

Province-level reforms come as a new scheme of units with their successions (decision 0003), not
through here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from dinhdanh.core import audit
from dinhdanh.core.access import in_force, require
from dinhdanh.core.errors import DomainError
from dinhdanh.core.models import RoleAssignment
from dinhdanh.geo.audit_actions import GeoAction
from dinhdanh.geo.errors import GeoError
from dinhdanh.geo.models import AdministrativeUnit, Level, Scheme, UnitSuccession
from dinhdanh.geo.villages import MANAGE_VILLAGES

if TYPE_CHECKING:
    from dinhdanh.people.models import User

__all__ = [
    "MANAGE_UNITS",
    "Item",
    "ReformResult",
    "Rehoming",
    "register_rehomer",
    "rehomers",
    "split_items",
    "units_merge",
    "units_split",
]

# A province's administrator (system_admin over the province) reshapes its communes, as its villages.
MANAGE_UNITS = MANAGE_VILLAGES


@dataclass(frozen=True)
class Item:
    """One row that lives at a retired unit: ``kind`` is its model's label ("core.roleassignment")."""

    kind: str
    pk: int
    unit_id: int


type Assign = Callable[[Item], AdministrativeUnit] | Mapping[tuple[str, int], AdministrativeUnit]


@dataclass
class Rehoming:
    """What a re-homer is given: the retired units, the units that take them, where each row goes."""

    retired: tuple[AdministrativeUnit, ...]
    into: tuple[AdministrativeUnit, ...]
    effective_on: date
    assign: Assign | None
    asked: list[Item] = field(default_factory=list)

    @property
    def retired_ids(self) -> list[int]:
        return [u.pk for u in self.retired]

    def target(self, item: Item) -> AdministrativeUnit:
        self.asked.append(item)
        if self.assign is None:
            return self.into[0]
        if isinstance(self.assign, Mapping):
            chosen = self.assign.get((item.kind, item.pk))
            if chosen is None:
                raise DomainError(GeoError.REFORM_UNASSIGNED, kind=item.kind, pk=item.pk)
        else:
            chosen = self.assign(item)
        if all(chosen.pk != u.pk for u in self.into):
            raise DomainError(GeoError.REFORM_TARGET_OUTSIDE, kind=item.kind, pk=item.pk, code=chosen.code)
        return next(u for u in self.into if u.pk == chosen.pk)


type Rehomer = Callable[[Rehoming], int]
_REHOMERS: dict[str, Rehomer] = {}


def register_rehomer(name: str, fn: Rehomer) -> None:
    """``fn(rehoming)`` moves the rows of one app and returns how many; called in the reform's transaction."""
    known = _REHOMERS.setdefault(name, fn)
    if known is not fn:
        raise ValueError(f"re-homer {name!r} registered twice")


def rehomers() -> tuple[str, ...]:
    return tuple(_REHOMERS)


def _rehome_roles(plan: Rehoming) -> int:
    """Staff roles held over a retired commune now cover the unit that took it; one the person already
    holds there is revoked instead of doubled."""
    now = timezone.now()
    moved = 0
    held = RoleAssignment.objects.select_for_update().filter(revoked_at__isnull=True, unit_id__in=plan.retired_ids)
    for assignment in held.order_by("pk"):
        target = plan.target(Item("core.roleassignment", assignment.pk, assignment.unit_id or 0))
        twin = RoleAssignment.objects.filter(
            in_force(now),
            user_id=assignment.user_id,
            role=assignment.role,
            unit=target,
            partner_source=assignment.partner_source,
        )
        if twin.exists():
            assignment.revoked_at = now
            assignment.save(update_fields=["revoked_at"])
        else:
            assignment.unit = target
            assignment.save(update_fields=["unit"])
        moved += 1
    return moved


register_rehomer("core", _rehome_roles)


@dataclass(frozen=True)
class ReformResult:
    retired: tuple[AdministrativeUnit, ...]
    into: tuple[AdministrativeUnit, ...]
    successions: int
    villages_retired: int
    rehomed: dict[str, int]


def _in_force(unit: AdministrativeUnit, day: date) -> bool:
    return (unit.valid_from is None or unit.valid_from <= day) and (unit.valid_to is None or unit.valid_to >= day)


def _check(
    actor: User | None,
    retired: Sequence[AdministrativeUnit],
    into: Sequence[AdministrativeUnit],
    effective_on: date,
) -> None:
    today = timezone.localdate()
    if not retired:
        raise DomainError(GeoError.REFORM_NOTHING)
    for unit in (*retired, *into):
        if unit.scheme != Scheme.CURRENT or unit.level != Level.COMMUNE or unit.valid_to is not None:
            raise DomainError(GeoError.NOT_A_CURRENT_COMMUNE, code=unit.code)
    seen = [u.pk for u in (*retired, *into)]
    if len(set(seen)) != len(seen):
        twice = next(u for u in (*retired, *into) if seen.count(u.pk) > 1)
        raise DomainError(GeoError.REFORM_SAME_UNIT, code=twice.code)
    if effective_on > today:
        raise DomainError(GeoError.REFORM_DATE_LATE, day=effective_on.strftime("%d/%m/%Y"))
    for unit in retired:
        if unit.valid_from is not None and effective_on <= unit.valid_from:
            raise DomainError(
                GeoError.REFORM_DATE_EARLY,
                day=effective_on.strftime("%d/%m/%Y"),
                name=unit.name,
                start=unit.valid_from.strftime("%d/%m/%Y"),
            )
    for unit in into:
        if not _in_force(unit, effective_on):
            raise DomainError(GeoError.NOT_A_CURRENT_COMMUNE, code=unit.code)
    if actor is not None:
        for unit in (*retired, *into):
            require(actor, MANAGE_UNITS, unit=unit)


def _apply(plan: Rehoming, *, partial: bool) -> tuple[int, int, dict[str, int]]:
    """The reform's writes, in the caller's transaction: successions, ends, villages, re-homers."""
    last_day = plan.effective_on - timedelta(days=1)
    ids = plan.retired_ids
    # Locks the retired rows: a second reform of the same commune waits, then finds it retired.
    locked = list(AdministrativeUnit.objects.select_for_update().filter(pk__in=ids, valid_to__isnull=True))
    if len(locked) != len(ids):
        gone = next(u for u in plan.retired if u.pk not in {x.pk for x in locked})
        raise DomainError(GeoError.NOT_A_CURRENT_COMMUNE, code=gone.code)
    AdministrativeUnit.objects.filter(pk__in=ids).update(valid_to=last_day)
    villages = AdministrativeUnit.objects.filter(parent_id__in=ids, level=Level.VILLAGE, valid_to__isnull=True)
    villages_retired = villages.update(valid_to=last_day)
    links = [
        UnitSuccession(predecessor=old, successor=new, partial=partial, effective_on=plan.effective_on)
        for old in plan.retired
        for new in plan.into
    ]
    UnitSuccession.objects.bulk_create(links)
    rehomed = {name: fn(plan) for name, fn in _REHOMERS.items()}
    for unit in plan.retired:
        unit.valid_to = last_day
    return len(links), villages_retired, rehomed


def _record(
    action: GeoAction, actor: User | None, plan: Rehoming, result: tuple[int, int, dict[str, int]]
) -> ReformResult:
    successions, villages_retired, rehomed = result
    audit.record(
        action,
        actor=actor,
        obj=plan.into[0],
        unit=plan.into[0],
        before={"units": [u.path for u in plan.retired]},
        after={
            "into": [u.path for u in plan.into],
            "effective_on": plan.effective_on.isoformat(),
            "villages_retired": villages_retired,
            "rehomed": rehomed,
        },
    )
    return ReformResult(plan.retired, plan.into, successions, villages_retired, rehomed)


def units_merge(
    *, actor: User | None, retired: list[AdministrativeUnit], into: AdministrativeUnit, effective_on: date
) -> ReformResult:
    """``retired`` communes are merged into ``into`` from ``effective_on`` (no later than today): each
    ends the day before, wholly succeeded by ``into``, and everything at it moves to ``into``."""
    _check(actor, retired, [into], effective_on)
    plan = Rehoming(tuple(retired), (into,), effective_on, None)
    with transaction.atomic():
        return _record(GeoAction.UNITS_MERGED, actor, plan, _apply(plan, partial=False))


def units_split(
    *,
    actor: User | None,
    retired: AdministrativeUnit,
    into: list[AdministrativeUnit],
    assign: Assign,
    effective_on: date,
) -> ReformResult:
    """``retired`` is split among ``into`` (two or more) from ``effective_on``; each successor holds
    part of it, and ``assign`` says where each row at it goes (``split_items`` lists them): a mapping
    ``(kind, pk) → unit`` or a function of the ``Item``."""
    if len(into) < 2:
        raise DomainError(GeoError.REFORM_SPLIT_TOO_FEW)
    _check(actor, [retired], into, effective_on)
    plan = Rehoming((retired,), tuple(into), effective_on, assign)
    with transaction.atomic():
        return _record(GeoAction.UNITS_SPLIT, actor, plan, _apply(plan, partial=True))


def split_items(retired: AdministrativeUnit) -> list[Item]:
    """What a split of ``retired`` would ask ``assign`` about, from a dry run that writes nothing."""
    plan = Rehoming((retired,), (retired,), timezone.localdate(), None)
    with transaction.atomic():
        for fn in _REHOMERS.values():
            fn(plan)
        transaction.set_rollback(True)
    return list(plan.asked)

"""The units a plan file names, and the registries' baselines it may divide by (``plan_format``'s helpers).

A unit is written as a code ("91", "899", "30292"; "2008/91" to choose the scheme) or as a name
("Kiên Giang", "huyện Châu Thành", "2008/Kiên Giang"; accents, case and the type word are optional).
Either way it is looked up among the units in force on the plan's date and, for a target's unit or a
share, inside the unit it belongs to — so "Châu Thành" under Kiên Giang is one district, not eleven.
A name that still fits several units is refused with their codes; a unit no longer (or not yet) in
force on the plan's date is refused as retired. Below a commune, names find its villages.

``baseline: registry`` takes the denominator from the registries' baselines (``dinhdanh reconcile
--baseline``): the organizations of the target's category registered and not excluded, in the latest
baseline taken for a day on or before the target's due date. Baselines are kept for today's provinces
and communes only, so an old district's target needs its number written out. The one loading must
be allowed to read the unit's baselines (the registries' ``view_campaign``): a refusal would otherwise
tell the number ("2,817 is above 2,816").

For police units (``segment: police``) the denominator is the police's list of its units itself
(decision 0043): the units it lists in the target's territory (today's communes, so a 2024 district
or province works too) in the latest complete police list covering that territory, imported by the
end of the due date.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING

import yaml
from django.utils import timezone

from dinhdanh.campaigns.errors import PlanError
from dinhdanh.campaigns.models.plans import POLICE
from dinhdanh.campaigns.plan_reader import Reader, suggest
from dinhdanh.campaigns.standings import police_denominator
from dinhdanh.core import access
from dinhdanh.core.errors import DomainError
from dinhdanh.core.text import fold
from dinhdanh.geo import selectors as geo
from dinhdanh.geo.models import AdministrativeUnit, Level, Scheme
from dinhdanh.organizations.categories import Category
from dinhdanh.registries.permissions import RegistryPermission
from dinhdanh.registries.reconcile.baselines import baseline_for

if TYPE_CHECKING:
    from dinhdanh.people.models import User

__all__ = ["REGISTRY", "BaselineRule", "baseline_rule", "registry_baseline", "resolve_unit"]

REGISTRY = "registry"  # the value of ``baseline`` that asks the registries
type BaselineRule = Callable[[AdministrativeUnit], bool]  # may the one loading read the unit's baselines
_CODE = re.compile(r"^(?:(?P<scheme>[0-9]{4})/)?(?P<code>[0-9]{2}|[0-9]{3}|[0-9]{5})$")
_NAMED = re.compile(r"^(?:(?P<scheme>[0-9]{4})/)?(?P<name>.*\S.*)$", re.DOTALL)
# The type word a name may carry ("Tỉnh Kiên Giang", "TP Rạch Giá", "thôn 3"), folded; the key has none.
_TYPE_WORD = re.compile(
    r"^(tinh|thanh pho|tp|quan|huyen|thi xa|tx|thi tran|tt|xa|phuong|p|dac khu|thon|ap|ban|buon|lang|xom"
    r"|to dan pho|tdp|khu pho|khom)\s+"
)
_SHORT_TYPE = {"tp": "thanh pho", "tx": "thi xa", "tt": "thi tran", "p": "phuong", "tdp": "to dan pho"}
_WIDTH: dict[str, int] = {Level.PROVINCE: 0, Level.DISTRICT: 1, Level.COMMUNE: 2, Level.VILLAGE: 3}
_LEVEL_BY_WIDTH = {2: Level.PROVINCE, 3: Level.DISTRICT, 5: Level.COMMUNE}
_CANDIDATES = 200  # names searched at once: the commonest name ("Tân Hòa", "Châu Thành") fits well under it
_SHOWN = 5  # candidates named in an "ambiguous" message


def resolve_unit(
    reader: Reader, node: yaml.Node, key: str, *, parent: AdministrativeUnit | None, day: date | None
) -> AdministrativeUnit | None:
    """The unit ``node`` names (a code or a name), in force on ``day`` and inside ``parent``; else a
    refusal on the node's line and ``None``."""
    raw = reader.scalar(node, key)
    if raw is None:
        return None
    written = raw.strip()
    if found := _CODE.match(written):
        code = found["code"]
        rows = AdministrativeUnit.objects.filter(level=_LEVEL_BY_WIDTH[len(code)], code=code)
        if found["scheme"]:
            rows = rows.filter(scheme=found["scheme"])
        candidates = list(rows.order_by("-scheme"))
        if not candidates:
            reader.fail(node, PlanError.UNKNOWN_UNIT, key=key, code=written)
            return None
    else:
        named = _by_name(reader, node, key, written, parent=parent, day=day)
        if named is None:
            return None
        candidates = named
    # Retired first (nothing else can help), then inside the parent: of eleven "Châu Thành" in force,
    # the one in the plan's province is meant.
    inside = [u for u in candidates if parent is None or parent.contains(u)]
    in_force = [u for u in inside if day is None or _in_force(u, day)]
    if not in_force:
        current = [u for u in candidates if day is None or _in_force(u, day)]
        if inside or not current:
            unit = (inside or candidates)[0]
            reader.fail(node, PlanError.RETIRED_UNIT, key=key, code=unit.code, name=unit.name, day=day)
        else:
            unit, parent_name = current[0], parent.name if parent is not None else ""
            reader.fail(node, PlanError.UNIT_OUTSIDE, key=key, code=unit.code, name=unit.name, parent=parent_name)
        return None
    # A bare name means the widest unit of that name: "Kiên Giang" the province, not the town of
    # Kiến Giang; "Châu Thành" the district, not its town. The type word picks another ("thị trấn …").
    widest = min(_WIDTH.get(u.level, 9) for u in in_force)
    in_force = [u for u in in_force if _WIDTH.get(u.level, 9) == widest]
    if len(in_force) > 1:
        shown = ", ".join(f"{u.name} ({u.scheme}/{u.code})" for u in in_force[:_SHOWN])
        more = len(in_force) - _SHOWN
        shown += f", +{more}" if more > 0 else ""
        reader.fail(node, PlanError.AMBIGUOUS_UNIT, key=key, name=written[:60], candidates=shown)
        return None
    return in_force[0]


def _by_name(
    reader: Reader,
    node: yaml.Node,
    key: str,
    written: str,
    *,
    parent: AdministrativeUnit | None,
    day: date | None,
) -> list[AdministrativeUnit] | None:
    """Units whose name is the written one, with or without its type word, accents and case aside."""
    found = _NAMED.match(written)
    name = found["name"].strip() if found else written
    scheme = found["scheme"] if found else None
    # Villages are searched only where they can be: below the commune the name belongs to.
    level = Level.VILLAGE if parent is not None and parent.level == Level.COMMUNE else None
    try:
        rows = geo.search(name, level=level, scheme=scheme, limit=_CANDIDATES)
    except DomainError:  # a name of fewer than two letters
        reader.fail(node, PlanError.BAD_UNIT_CODE, key=key, value=written[:20])
        return None
    wanted = fold(name)
    bare = _TYPE_WORD.sub("", wanted)
    exact: list[AdministrativeUnit] = []
    if bare != wanted:  # a type word was written: it must be the unit's
        word = wanted[: -len(bare)].strip()
        full = f"{_SHORT_TYPE.get(word, word)} {bare}"
        exact = [u for u in rows if fold(u.name) == full]
    # Else the name itself; "Buôn Ma Thuột" starts with what only looks like a type word.
    exact = exact or [u for u in rows if u.search_key == wanted] or [u for u in rows if u.search_key == bare]
    if exact:
        return exact
    hint = _nearest(bare, parent=parent, day=day, level=level)
    if hint is not None:
        reader.fail(node, PlanError.UNKNOWN_UNIT_NAME_HINT, key=key, name=name[:60], suggestion=hint)
    else:
        reader.fail(node, PlanError.UNKNOWN_UNIT_NAME, key=key, name=name[:60])
    return None


def _nearest(bare: str, *, parent: AdministrativeUnit | None, day: date | None, level: str | None) -> str | None:
    """The name of a unit where one was looked for that the written name most likely misspells."""
    rows = geo.in_force_on(day) if day is not None else AdministrativeUnit.objects.all()
    rows = rows.filter(level=level) if level is not None else rows.exclude(level=Level.VILLAGE)
    if parent is not None:
        rows = rows.filter(path__startswith=parent.path)
    # Only on the error path, and a few hundred rows under a province (about 11,000 with no parent).
    names = dict(rows.values_list("search_key", "name"))
    hint = suggest(bare, list(names))
    return names[hint] if hint is not None else None


def baseline_rule(actor: User | None) -> BaselineRule | None:
    """Who may divide by the registries' baselines: whoever may read them (``registries.view_campaign``);
    ``None`` (the machine's operator) reads them all."""
    if actor is None:
        return None
    scope = access.jurisdiction(actor, RegistryPermission.VIEW_CAMPAIGN)
    return lambda unit: not scope.empty and scope.covers(unit)


def registry_baseline(
    reader: Reader, node: yaml.Node, *, unit: AdministrativeUnit, segment: str, due: date
) -> int | None:
    """The registered organizations of ``segment`` at ``unit`` in the latest baseline up to ``due``; for
    police units, the units the police list names there."""
    if segment == POLICE:
        return _police_baseline(reader, node, unit=unit, due=due)
    if segment not in Category.values:
        reader.fail(node, PlanError.BASELINE_REGISTRY_SEGMENT, segment=segment or "all")
        return None
    if unit.scheme != Scheme.CURRENT or unit.level not in (Level.PROVINCE, Level.COMMUNE):
        reader.fail(node, PlanError.BASELINE_REGISTRY_UNIT, code=unit.code, name=unit.name)
        return None
    baseline = baseline_for(unit, segment, due)
    if baseline is None:
        reader.fail(node, PlanError.BASELINE_MISSING, code=unit.code, name=unit.name, segment=segment, day=due)
        return None
    return baseline.registered


def _police_baseline(reader: Reader, node: yaml.Node, *, unit: AdministrativeUnit, due: date) -> int | None:
    units = police_denominator(unit, due, on=timezone.localdate())
    if units is None:
        reader.fail(node, PlanError.BASELINE_NO_POLICE_LIST, code=unit.code, name=unit.name, day=due)
    return units


def _in_force(unit: AdministrativeUnit, day: date) -> bool:
    return (unit.valid_from is None or unit.valid_from <= day) and (unit.valid_to is None or day <= unit.valid_to)

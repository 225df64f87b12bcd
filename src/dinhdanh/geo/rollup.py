"""Roll-up through successions: which unit in force on a day now holds the territory of any unit row.

Events and counts keep the unit *as it was* (decision 0040): a 2008 commune, a 2024 district, a
village, a commune merged last month. To read them on today's map each row is carried forward:

1. a unit in force on the day holds its own territory;
2. a unit that had ended by then passes to its successors (``UnitSuccession``, effective by the
   day), repeatedly if a successor was itself succeeded;
3. a unit that ended without a recorded successor (a village retired, an old commune dissolved
   before the 2025 reform) passes to its parent, whose territory took it back;
4. a unit not yet in force on the day holds nothing then (``None``): history is not read backwards.

The holder's ancestor of the wanted level is the answer; a holder wider than that level gives
``None`` (a province does not fit in a commune).

When a unit went to several successors, the roll-up follows ONE of them, so that every count lands
exactly once: the successor that took it whole (not ``partial``); else the one that carries its name
(the seat usually names the new unit: Thành phố Rạch Giá → Phường Rạch Giá); else the lowest code.
``ambiguous`` lists the units whose territory now lies in several units of the level, with all of
them, so a dashboard can footnote the choice.

One ``UnitRollup`` answers many ids with a few queries (one per step of the succession graph, in
chunks), and keeps what it loaded for its own lifetime: make one per request or per report. It keeps
tuples of the few fields the walk reads, not model rows; ``map_ids`` (``rollup_ids``) builds no model
instance at all, ``map`` and ``candidates`` only those of the answers — the whole country's 14,000
units are rolled up by the campaign map's job in a worker that must stay small (decision 0049).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

from django.utils import timezone

from dinhdanh.geo.models import AdministrativeUnit, Level, UnitSuccession

__all__ = ["UnitRollup", "ambiguous", "rollup", "rollup_ids"]

# Parameters per IN (...): below SQLite's older 999-variable limit, and cheap on PostgreSQL.
_CHUNK = 900


def _chunks(ids: Iterable[int]) -> Iterator[list[int]]:
    batch: list[int] = []
    for pk in ids:
        batch.append(pk)
        if len(batch) == _CHUNK:
            yield batch
            batch = []
    if batch:
        yield batch


def _path_prefixes(path: str) -> list[str]:
    """ "2025/91/30292/" → ["2025/91/", "2025/91/30292/"]: the unit and its ancestors."""
    parts = path.strip("/").split("/")
    return ["/".join(parts[: i + 1]) + "/" for i in range(1, len(parts))]


class _Node(NamedTuple):
    """What the walk needs of a unit row; full rows are built only for the answers."""

    pk: int
    code: str
    path: str
    parent_id: int | None
    valid_from: date | None
    valid_to: date | None
    search_key: str


_FIELDS = ("pk", "code", "path", "parent_id", "valid_from", "valid_to", "search_key")


class _Anchor(NamedTuple):
    """An ancestor of a holder, by path: enough to find the holder's unit of the wanted level."""

    pk: int
    level: str


@dataclass(frozen=True, slots=True)
class _Succession:
    successor: _Node
    partial: bool


@dataclass(frozen=True, slots=True)
class _Held:
    chosen: _Node | None
    every: tuple[_Node, ...]


_NOBODY = _Held(None, ())


class UnitRollup:
    """Roll-up of unit rows into the units of ``level`` in force ``on`` a day (see the module)."""

    def __init__(self, *, level: Level, on: date) -> None:
        self.level = Level(level)
        self.on = on
        self._units: dict[int, _Node] = {}
        self._missing: set[int] = set()
        self._links: dict[int, list[tuple[int, bool]]] = {}
        self._by_path: dict[str, _Anchor] = {}
        self._rows: dict[int, AdministrativeUnit] = {}  # the answers of map and candidates, as rows
        self._held: dict[int, _Held] = {}

    # -- loading ------------------------------------------------------------------------------------

    def _in_force(self, unit: _Node) -> bool:
        started = unit.valid_from is None or unit.valid_from <= self.on
        return started and (unit.valid_to is None or unit.valid_to >= self.on)

    def _ended(self, unit: _Node) -> bool:
        return unit.valid_to is not None and unit.valid_to < self.on

    def _load_units(self, ids: Iterable[int]) -> None:
        wanted = {pk for pk in ids if pk not in self._units and pk not in self._missing}
        for batch in _chunks(sorted(wanted)):
            for row in AdministrativeUnit.objects.filter(pk__in=batch).values_list(*_FIELDS):
                self._units[row[0]] = _Node(*row)
        self._missing |= wanted - self._units.keys()

    def _load_graph(self, ids: Iterable[int]) -> None:
        """Every unit reachable from ``ids`` through successions and parents of ended units, a few
        queries per step of the walk (the 2025 reform is one step)."""
        frontier = set(ids)
        while frontier:
            self._load_units(frontier)
            ended = sorted(
                pk
                for pk in frontier
                if pk in self._units and pk not in self._links and self._ended(self._units[pk])
            )
            for pk in ended:
                self._links[pk] = []
            for batch in _chunks(ended):
                links = UnitSuccession.objects.filter(predecessor_id__in=batch, effective_on__lte=self.on)
                for old, new, partial in links.values_list("predecessor_id", "successor_id", "partial"):
                    self._links[old].append((new, partial))
            following = {new for pk in ended for new, _partial in self._links[pk]}
            following |= {
                parent for pk in ended if not self._links[pk] and (parent := self._units[pk].parent_id) is not None
            }
            self._load_units(following)
            frontier = {pk for pk in following if pk in self._units and pk not in self._links}
            frontier = {pk for pk in frontier if self._ended(self._units[pk])}

    def _load_ancestors(self, holders: Iterable[_Node]) -> None:
        rest = sorted({p for u in holders for p in _path_prefixes(u.path)} - self._by_path.keys())
        for i in range(0, len(rest), _CHUNK):
            found = AdministrativeUnit.objects.filter(path__in=rest[i : i + _CHUNK])
            for path, pk, level in found.values_list("path", "pk", "level"):
                self._by_path[path] = _Anchor(pk, level)

    def _load_rows(self, ids: Iterable[int]) -> None:
        for batch in _chunks(sorted({pk for pk in ids if pk not in self._rows})):
            self._rows.update(AdministrativeUnit.objects.in_bulk(batch))

    # -- walking ------------------------------------------------------------------------------------

    def _successors(self, pk: int) -> list[_Succession]:
        return [
            _Succession(self._units[new], partial)
            for new, partial in self._links.get(pk, ())
            if new in self._units
        ]

    @staticmethod
    def _pick(unit: _Node, successions: list[_Succession]) -> _Node:
        def lowest(options: list[_Succession]) -> _Node:
            return min(options, key=lambda s: (s.successor.code, s.successor.pk)).successor

        if len(successions) == 1:
            return successions[0].successor
        whole = [s for s in successions if not s.partial]
        if whole:
            return lowest(whole)
        named = [s for s in successions if s.successor.search_key == unit.search_key]
        return lowest(named or successions)

    def _holders(self, pk: int, visiting: frozenset[int] = frozenset()) -> _Held:
        if pk in self._held:
            return self._held[pk]
        unit = self._units.get(pk)
        if unit is None or pk in visiting:  # unknown row, or a (corrupt) cycle of successions
            return _NOBODY
        if self._in_force(unit):
            held = _Held(unit, (unit,))
        elif not self._ended(unit):
            held = _NOBODY  # not yet in force on the day
        elif successions := self._successors(pk):
            inner = visiting | {pk}
            chosen = self._holders(self._pick(unit, successions).pk, inner).chosen
            every: dict[int, _Node] = {}
            for s in successions:
                for u in self._holders(s.successor.pk, inner).every:
                    every.setdefault(u.pk, u)
            held = _Held(chosen, tuple(every.values()))
        elif unit.parent_id is not None:
            held = self._holders(unit.parent_id, visiting | {pk})
        else:
            held = _NOBODY
        self._held[pk] = held
        return held

    def _at_level(self, unit: _Node | None) -> int | None:
        if unit is None:
            return None
        for prefix in _path_prefixes(unit.path):
            ancestor = self._by_path.get(prefix)
            if ancestor is not None and ancestor.level == self.level:
                return ancestor.pk
        return None

    def _prepare(self, ids: set[int], *, rows: bool) -> None:
        self._load_graph(ids - self._held.keys())
        holders = {u.pk: u for pk in ids for u in self._holders(pk).every}.values()
        self._load_ancestors(holders)
        if rows:  # every unit of the level an answer of map or candidates may name
            self._load_rows(at for u in holders if (at := self._at_level(u)) is not None)

    # -- answers ------------------------------------------------------------------------------------

    def map_ids(self, unit_ids: Iterable[int]) -> dict[int, int | None]:
        """``map`` as row ids, without loading any row."""
        ids = set(unit_ids)
        self._prepare(ids, rows=False)
        return {pk: self._at_level(self._holders(pk).chosen) for pk in ids}

    def map(self, unit_ids: Iterable[int]) -> dict[int, AdministrativeUnit | None]:
        ids = set(unit_ids)
        self._prepare(ids, rows=True)
        return {pk: self._row(self._at_level(self._holders(pk).chosen)) for pk in ids}

    def _row(self, pk: int | None) -> AdministrativeUnit | None:
        return self._rows.get(pk) if pk is not None else None

    def candidates(self, unit_ids: Iterable[int]) -> dict[int, tuple[AdministrativeUnit, ...]]:
        """Every unit of the level that holds part of each unit's territory, by code."""
        ids = set(unit_ids)
        self._prepare(ids, rows=True)
        out: dict[int, tuple[AdministrativeUnit, ...]] = {}
        for pk in ids:
            found: dict[int, AdministrativeUnit] = {}
            for holder in self._holders(pk).every:
                if (at := self._row(self._at_level(holder))) is not None:
                    found.setdefault(at.pk, at)
            out[pk] = tuple(sorted(found.values(), key=lambda u: (u.code, u.pk)))
        return out


def rollup(unit_ids: Iterable[int], *, level: Level, on: date) -> dict[int, AdministrativeUnit | None]:
    """Each unit row id → the unit of ``level`` in force ``on`` that now holds its territory (or
    ``None``: unknown id, not yet in force, or wider than ``level``)."""
    return UnitRollup(level=level, on=on).map(unit_ids)


def rollup_ids(unit_ids: Iterable[int], *, level: Level, on: date) -> dict[int, int | None]:
    """``rollup`` as row ids: what ``campaigns.progress.rolled_up`` takes (no model row is built)."""
    return UnitRollup(level=level, on=on).map_ids(unit_ids)


def ambiguous(
    unit_ids: Iterable[int], *, level: Level = Level.COMMUNE, on: date | None = None
) -> dict[int, tuple[AdministrativeUnit, ...]]:
    """The units among ``unit_ids`` whose territory lies in more than one unit of ``level`` on ``on``
    (today by default), each with all of those units; ``rollup`` chose one of them (see the module)."""
    day = on if on is not None else timezone.localdate()
    found = UnitRollup(level=level, on=day).candidates(unit_ids)
    return {pk: units for pk, units in found.items() if len(units) > 1}

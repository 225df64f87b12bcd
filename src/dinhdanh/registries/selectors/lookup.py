"""Reads of the reference registries for the automatic checks of a request (issue 5, point 5).

Only records still listed count ("current": not disappeared in a later snapshot of their source).
These are plain reads with no access rule: the callers (the checks of a request, run by its service)
show what they found only to officers who may see the request.
"""

from __future__ import annotations

from django.db.models import Q

from dinhdanh.core.rows import SelectAll
from dinhdanh.core.text import name_key, name_similarity
from dinhdanh.registries.models import Record
from dinhdanh.registries.sources import Source
from dinhdanh.registries.trust import most_trusted

# Records of one territory scored by fuzzy name match; a commune holds a few thousand at most, a
# province-wide prefix is cut here so that one check never reads a whole registry.
_FUZZY_CANDIDATES = 5000


def current_records() -> Q:
    return Q(disappeared_in__isnull=True)


# Read at every submission and approval: built once (``core.rows``, decision 0039; issue 17.4). Source IN
# (...) lets the (source, key) unique index answer a lookup by code alone (a code is its record's key;
# the callers never look up an empty code).
_SOURCES = list(Source.values)
_BY_CODE = SelectAll(
    Record,
    "{disappeared_in} IS NULL AND {source} IN (" + ", ".join(["%s"] * len(_SOURCES)) + ") AND {key} = %s",
    ["source"] * len(_SOURCES) + ["key"],
)
_SOURCES_OF_CODE = SelectAll(Record, "{disappeared_in} IS NULL AND {code} = %s", ["code"], only=["source"])


def records_by_code(code: str) -> list[Record]:
    """Every source's current record of ``code`` (canonical form: "0101234567", "0101234567-001"), in the
    order of the sources; a record's commune is read when first used."""
    if not code:
        return []
    return sorted(_BY_CODE.all(*_SOURCES, code), key=lambda r: (_SOURCES.index(r.source), r.pk))


def registry_match(code: str) -> tuple[str, str]:
    """(source, code) of the most trusted current record with this code, or ("", ""): which registry an
    organization is matched to when several list its code (the trust order, decision 0021)."""
    if not code:
        return "", ""
    best = most_trusted([record.source for record in _SOURCES_OF_CODE.all(code)])
    return (str(best), code) if best is not None else ("", "")


def best_name_matches(name: str, *, unit_path: str = "", limit: int = 5) -> list[tuple[Record, float]]:
    """Current records whose name looks most like ``name`` (0-100, ``core.text.name_similarity``).

    Exact matches on the folded key (``name_key``, abbreviations spelled out) are found anywhere;
    fuzzy matches only among records under ``unit_path`` (a geo path prefix), when one is given.
    """
    key = name_key(name)
    if not key or limit < 1:
        return []
    candidates: dict[int, Record] = {
        r.pk: r for r in Record.objects.filter(current_records(), name_key=key).select_related("commune")[:100]
    }
    if unit_path:
        nearby = Record.objects.filter(current_records(), unit_path__startswith=unit_path).select_related(
            "commune"
        )
        for record in nearby[:_FUZZY_CANDIDATES]:
            candidates.setdefault(record.pk, record)
    scored = [(record, name_similarity(name, record.name)) for record in candidates.values()]
    scored = [pair for pair in scored if pair[1] > 0]
    scored.sort(key=lambda pair: (-pair[1], pair[0].pk))
    return scored[:limit]

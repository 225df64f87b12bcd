"""Which reference list wins when several list the same organization — the one home of that rule
(issue 11.7; decision 0021).

Lists kept under a law that makes them the organization's legal record come first (business and
cooperative registration, the tax register, the Home Affairs register of associations and religious
bodies), then the police's own list of its units, then commune police field surveys, which record what
an officer saw rather than a registration. The order is used to match an issued organization to its
registry record, to let a lower-ranked list never overwrite a higher-ranked one (Art. 8 sync), and to
count an organization once in reconciliation.
"""

from __future__ import annotations

from typing import Final

from django.db.models import Case, IntegerField, Value, When

from dinhdanh.registries.sources import Source

__all__ = ["TRUST_ORDER", "most_trusted", "trust_rank", "trust_rank_sql"]

TRUST_ORDER: Final[tuple[Source, ...]] = (
    Source.BUSINESS,
    Source.COOPERATIVE,
    Source.TAX,
    Source.HOME_AFFAIRS,
    Source.POLICE,
    Source.SURVEY,
)
_RANK: Final[dict[str, int]] = {source.value: rank for rank, source in enumerate(TRUST_ORDER)}


def trust_rank(source: object) -> int:
    """0 for the most trusted list; anything unknown ranks after every known list."""
    return _RANK.get(str(source), len(TRUST_ORDER))


def most_trusted(sources: object) -> Source | None:
    """The most trusted of ``sources`` (an iterable of source values), or None."""
    present = {str(s) for s in sources}  # type: ignore[attr-defined]
    return next((source for source in TRUST_ORDER if source.value in present), None)


def trust_rank_sql(field: str = "source") -> Case:
    """``trust_rank`` as an SQL expression over ``field``, for ordering and comparing in queries."""
    whens = [When(**{field: source.value}, then=Value(rank)) for rank, source in enumerate(TRUST_ORDER)]
    return Case(*whens, default=Value(len(TRUST_ORDER)), output_field=IntegerField())

"""Splitting a target among sub-units (issue 14.3): proportional to their baselines, in whole numbers
that always add up to the parent exactly.

Largest-remainder (Hamilton) rounding: each share gets the floor of its exact quota, and the units
left over go one each to the largest fractional parts, ties to the lower unit code, so the same input
always gives the same split. A share edited by hand keeps its value; the rest of the parent is spread
over the others. All arithmetic is on integers: no float ever decides who gets the last unit.
"""

from __future__ import annotations

from collections.abc import Mapping

from dinhdanh.campaigns.errors import PlanError
from dinhdanh.core.errors import DomainError

__all__ = ["split"]


def split(total: int, weights: Mapping[str, int], *, fixed: Mapping[str, int] | None = None) -> dict[str, int]:
    """``total`` shared among ``weights``' keys (unit codes) in proportion to their weights (baselines);
    keys in ``fixed`` keep their value. Weights all zero share equally. The result has every key of
    ``weights`` and ``fixed`` and sums to ``total``."""
    fixed = dict(fixed or {})
    if total < 0 or any(v < 0 for v in fixed.values()):
        raise DomainError(PlanError.VALUE_INVALID)
    if any(w < 0 for w in weights.values()):
        raise DomainError(PlanError.NEGATIVE_WEIGHT)
    kept = sum(fixed.values())
    if kept > total:
        raise DomainError(PlanError.EDITED_EXCEED, fixed=kept, total=total)
    rest = total - kept
    free = sorted(k for k in weights if k not in fixed)
    if not free:
        if rest:
            raise DomainError(PlanError.NOTHING_TO_SPREAD, rest=rest)
        return fixed
    share = {k: weights[k] for k in free}
    if not any(share.values()):
        share = dict.fromkeys(free, 1)  # no baselines: equal shares
    whole = sum(share.values())
    result = {k: rest * w // whole for k, w in share.items()}
    left = rest - sum(result.values())
    # The fraction of key k is (rest * w mod whole) / whole: compare the numerators, then the code.
    by_remainder = sorted(free, key=lambda k: (-(rest * share[k] % whole), k))
    for k in by_remainder[:left]:
        result[k] += 1
    return {**fixed, **result}

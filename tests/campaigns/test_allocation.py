"""Allocation of a target among sub-units (issue 14.3): exact sums, largest remainders, edited shares."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dinhdanh.campaigns.allocation import split
from dinhdanh.campaigns.errors import PlanError
from dinhdanh.core.errors import DomainError

codes = st.text(alphabet="0123456789", min_size=3, max_size=5)
weights = st.dictionaries(codes, st.integers(min_value=0, max_value=100_000), min_size=1, max_size=30)


def test_a_hand_calculation() -> None:
    # 100 over 1:1:1 → quotas 33.33 each; the one unit left goes to the lowest code (ties).
    assert split(100, {"902": 1, "899": 1, "900": 1}) == {"899": 34, "900": 33, "902": 33}
    # 2,816 over baselines 5,000 / 3,000 / 1,387 → 1499.95, 899.97, 416.09: floors 1499+899+416 = 2814,
    # the two left go to the largest fractions (.97, .95).
    assert split(2816, {"899": 5000, "900": 3000, "902": 1387}) == {"899": 1500, "900": 900, "902": 416}


def test_edited_shares_keep_their_value_and_the_rest_is_respread() -> None:
    assert split(100, {"899": 10, "900": 30}, fixed={"902": 60}) == {"902": 60, "899": 10, "900": 30}
    assert split(10, {"899": 0, "900": 0}, fixed={"902": 4}) == {"902": 4, "899": 3, "900": 3}  # equal shares


def test_edited_shares_above_the_parent_are_refused() -> None:
    with pytest.raises(DomainError) as caught:
        split(50, {"899": 1}, fixed={"900": 30, "902": 30})
    assert caught.value.error is PlanError.EDITED_EXCEED
    assert caught.value.params == {"fixed": 60, "total": 50}


def test_a_rest_with_nobody_to_take_it_is_refused() -> None:
    with pytest.raises(DomainError) as caught:
        split(50, {}, fixed={"900": 30})
    assert caught.value.error is PlanError.NOTHING_TO_SPREAD


@pytest.mark.parametrize(
    ("total", "weights", "fixed"), [(-1, {"1": 1}, {}), (5, {"1": -1}, {}), (5, {"1": 1}, {"2": -1})]
)
def test_negative_numbers_are_refused(total: int, weights: dict[str, int], fixed: dict[str, int]) -> None:
    with pytest.raises(DomainError):
        split(total, weights, fixed=fixed)


@given(total=st.integers(min_value=0, max_value=10_000_000), weights=weights)
def test_the_shares_always_sum_to_the_parent(total: int, weights: dict[str, int]) -> None:
    shares = split(total, weights)
    assert sum(shares.values()) == total
    assert set(shares) == set(weights)
    assert all(v >= 0 for v in shares.values())


@given(total=st.integers(min_value=0, max_value=1_000_000), weights=weights)
def test_each_share_is_its_quota_rounded_down_or_up(total: int, weights: dict[str, int]) -> None:
    shares = split(total, weights)
    whole = sum(weights.values()) or len(weights)
    for code, share in shares.items():
        weight = weights[code] if sum(weights.values()) else 1
        floor, exact = divmod(total * weight, whole)
        assert share in (floor, floor + 1)
        if exact == 0:
            assert share == floor


@given(weights=weights, data=st.data())
def test_no_share_exceeds_its_baseline_when_the_parent_fits(weights: dict[str, int], data: st.DataObject) -> None:
    total = data.draw(st.integers(min_value=0, max_value=sum(weights.values())))
    shares = split(total, weights)
    if sum(weights.values()):
        assert all(shares[c] <= weights[c] for c in weights)


@given(total=st.integers(min_value=0, max_value=1_000_000), weights=weights, data=st.data())
def test_edited_shares_are_kept_and_the_sum_still_holds(
    total: int, weights: dict[str, int], data: st.DataObject
) -> None:
    edited = data.draw(st.lists(st.sampled_from(sorted(weights)), unique=True, max_size=len(weights) - 1))
    budget = total
    fixed = {}
    for code in edited:
        fixed[code] = data.draw(st.integers(min_value=0, max_value=budget))
        budget -= fixed[code]
    rest = {c: w for c, w in weights.items() if c not in fixed}
    shares = split(total, rest, fixed=fixed)
    assert sum(shares.values()) == total
    assert all(shares[c] == v for c, v in fixed.items())


@given(total=st.integers(min_value=0, max_value=100_000), weights=weights)
def test_the_split_does_not_depend_on_the_order_of_the_units(total: int, weights: dict[str, int]) -> None:
    assert split(total, dict(reversed(list(weights.items())))) == split(total, weights)


@given(total=st.integers(min_value=0, max_value=1_000_000), weights=weights)
def test_a_larger_baseline_never_gets_a_smaller_share(total: int, weights: dict[str, int]) -> None:
    shares = split(total, weights)
    for a, weight_a in weights.items():
        for b, weight_b in weights.items():
            if weight_a > weight_b:
                assert shares[a] >= shares[b]


@given(total=st.integers(min_value=0, max_value=1_000_000), weights=weights, data=st.data())
def test_raising_one_baseline_never_lowers_its_share(
    total: int, weights: dict[str, int], data: st.DataObject
) -> None:
    # Largest remainder has the Alabama paradox in the total, not this one: others' quotas only fall,
    # and each that drops a whole unit frees a seat it then competes for.
    code = data.draw(st.sampled_from(sorted(weights)))
    raised = {**weights, code: weights[code] + data.draw(st.integers(min_value=1, max_value=100_000))}
    assert split(total, raised)[code] >= split(total, weights)[code]

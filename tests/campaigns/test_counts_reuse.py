"""One reading of the counts per page (decision 0042): the charts reuse the board's ``Counts`` and a
second ``load`` of the same series adds nothing, so the pictures never count a day twice."""

from __future__ import annotations

import pytest
from django.utils import timezone

from dinhdanh.campaigns import dashboard, series, trends
from dinhdanh.campaigns.models import Plan
from tests.campaigns.test_charts_pages import AS_OF, plan

pytestmark = pytest.mark.django_db
__all__ = ["plan"]


def test_charts_on_the_boards_reading_equal_charts_on_their_own(
    plan: Plan, django_assert_max_num_queries: object
) -> None:
    series.maintain(timezone.now())  # the map holds: pages read running totals
    board = dashboard.plan_board(actor=None, slug=plan.slug, as_of=AS_OF)
    assert board.counts is not None
    shown = [s for phase in board.phases for s in phase.targets]
    alone = trends.target_trends(shown, as_of=AS_OF)
    shared = trends.target_trends(shown, as_of=AS_OF, counts=board.counts)
    again = trends.target_trends(shown, as_of=AS_OF, counts=board.counts)  # a third reader of one reading
    assert alone
    assert shared == alone
    assert again == alone
    (top,) = [s for s in shown if s.outlook is not None and s.target.segment == "enterprise"]
    assert shared[top.target.pk].done == top.outlook.done == 600  # type: ignore[union-attr]

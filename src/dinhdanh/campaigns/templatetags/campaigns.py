"""Numbers for the campaign pictures: bar widths and the expected line, in the SVG's 0–100 units."""

from __future__ import annotations

from typing import Any

from django import template

from dinhdanh.campaigns.forecast import Outlook

register = template.Library()


def _of_goal(value: int, goal: int) -> float:
    return 100.0 if goal <= 0 else round(min(max(value / goal, 0.0), 1.0) * 100, 1)


@register.filter
def done_width(outlook: Outlook) -> float:
    return _of_goal(outlook.done, outlook.goal)


@register.filter
def expected_x(outlook: Outlook) -> float:
    return _of_goal(outlook.expected, outlook.goal)


@register.filter
def share_percent(outlook: Outlook) -> float:
    return outlook.share * 100  # shown with floatformat, which writes the language's decimal mark


@register.filter
def get_item(mapping: dict[Any, Any], key: Any) -> Any:
    return mapping.get(key)

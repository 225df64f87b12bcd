"""Numbers for the campaign pictures (bar widths and the expected line in the SVG's 0–100 units, chart
coordinates) and the links of the drill-down."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from django import template
from django.urls import reverse
from django.utils.formats import get_format, number_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dinhdanh.campaigns import charts
from dinhdanh.campaigns.charts import Bar, category_bars
from dinhdanh.campaigns.drill import CATEGORIES, Figures
from dinhdanh.campaigns.forecast import Outlook, Standing
from dinhdanh.geo.models import AdministrativeUnit, Level, Scheme
from dinhdanh.organizations.categories import Category

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from dinhdanh.campaigns.standings import TargetStanding

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


@register.filter
def svgnum(value: float | int) -> str:
    """A coordinate for an SVG attribute: a dot for decimals whatever the page's language."""
    return f"{float(value):.1f}"


@register.filter
def percent(share: float | None) -> float | None:
    return None if share is None else share * 100


@register.simple_tag
def drill_url(unit: AdministrativeUnit | None, plan: str = "", as_of: date | None = None) -> str:
    """The drill page of ``unit`` (``None``: the country). A village opens its commune's page; a unit of
    the 2008 scheme says so, so that the code is read in that scheme (its successors answer)."""
    if unit is not None and unit.level == Level.VILLAGE and unit.parent is not None:
        unit = unit.parent
    query: dict[str, str] = {}
    if unit is not None and unit.scheme != Scheme.CURRENT:
        query["scheme"] = unit.scheme
    if plan:
        query["plan"] = plan
    if as_of is not None:
        query["as_of"] = as_of.isoformat()
    url = reverse("campaigns:units") if unit is None else reverse("campaigns:unit", args=[unit.code])
    return url + ("?" + urlencode(query) if query else "")


@register.simple_tag
def category_bars_of(figures: Figures, scale: int = 0, shown: bool = False) -> list[Bar]:
    """The per-category bars of a unit: shares of the baseline when ``shown``, else of ``scale``."""
    return category_bars(figures.issued(), CATEGORIES, baselines=figures.baselines if shown else None, scale=scale)


@register.filter
def bars_label(bars: list[Bar]) -> str:
    """The numbers of a bar picture, for its text alternative."""
    parts = []
    for bar in bars:
        label = Category(bar.category).label
        if bar.baseline and bar.of:
            parts.append(
                _("%(label)s: %(value)s / %(of)s")
                % {"label": label, "value": intcomma(bar.value), "of": intcomma(bar.of)}
            )
        else:
            parts.append(_("%(label)s: %(value)s") % {"label": label, "value": intcomma(bar.value)})
    return "; ".join(parts)


@register.filter
def bars_height(bars: list[Bar]) -> int:
    return charts.bars_height(len(bars))


def intcomma(value: int) -> str:
    return number_format(value, force_grouping=True)


@register.filter
def category_label(value: str) -> str:
    return str(Category(value).label) if value in Category.values else value


# A province's page draws a chart per target, each with a dot per week and a table row per week: built
# here in one pass rather than by template loops with a filter per number (most of a page's render).


@register.filter
def chart_dots(chart: charts.TrendChart) -> str:
    return format_html_join(
        "",
        '<circle class="dot" cx="{}" cy="{}" r="3.5"/>',
        ((f"{p.x:.1f}", f"{p.y:.1f}") for p in chart.done_points),
    )


@register.filter
def chart_weeks(chart: charts.TrendChart) -> str:
    number = grouped()
    return format_html_join(
        "\n",
        '<tr><td>{} – {}</td><td class="num">{}</td><td class="num">{}</td><td class="num">{}</td></tr>',
        (
            (
                f"{w.first:%d/%m/%Y}",
                f"{w.last:%d/%m/%Y}",
                number(w.counted),
                number(w.cumulative),
                number(w.expected),
            )
            for w in chart.weeks
        ),
    )


def grouped() -> Callable[[int], str]:
    """Whole numbers as ``localize`` writes them (3.321 / 3,321), the separator read once: a page of
    charts and rankings writes about a thousand numbers, and ``localize`` reads the format each time."""
    separator = str(get_format("THOUSAND_SEPARATOR"))
    return lambda n: f"{n:,}".replace(",", separator)


_STANDING = {
    Standing.MET: gettext_lazy("đã đạt"),
    Standing.AHEAD: gettext_lazy("vượt tiến độ"),
    Standing.ON_TRACK: gettext_lazy("đúng tiến độ"),
    Standing.BEHIND: gettext_lazy("chậm tiến độ"),
    Standing.NOT_STARTED: gettext_lazy("chưa bắt đầu"),
}


def _standing_html(standing: TargetStanding) -> SafeString:
    seen = standing.outlook
    if seen is None:
        return format_html('<span class="standing">{}</span>', standing.reason)
    return format_html('<span class="standing standing-{}">{}</span>', seen.standing, _STANDING[seen.standing])


@register.simple_tag
def standing_badge(standing: TargetStanding) -> SafeString:
    """A target's standing in words, coloured by its class (or why it has none)."""
    return _standing_html(standing)


@register.simple_tag
def ranked_items(rows: Iterable[TargetStanding], plan: str, as_of: date) -> SafeString:
    """The ``<li>`` of each ranked unit: its drill-down link, done / goal and standing. Built in one
    pass: a province ranks its 126 communes under each of its targets."""
    number = grouped()

    def figures(row: TargetStanding) -> str:
        return f"{number(row.outlook.done)} / {number(row.outlook.goal)}" if row.outlook else ""

    return format_html_join(
        "",
        '<li><a href="{}" data-testid="ranked-{}">{}</a>: {} {}</li>',
        (
            (drill_url(r.target.unit, plan, as_of), r.target.pk, r.target.unit.name, figures(r), _standing_html(r))
            for r in rows
        ),
    )

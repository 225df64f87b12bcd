"""Numbers for the campaign pictures (bar widths and the expected line in the SVG's 0–100 units, chart
coordinates) and the links of the drill-down."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from django import template
from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils.formats import get_format
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dinhdanh.campaigns import charts
from dinhdanh.campaigns.charts import Bar, category_bars
from dinhdanh.campaigns.drill import Drill, Figures, Row
from dinhdanh.campaigns.drill_figures import FIGURE_CATEGORIES, counted_label
from dinhdanh.campaigns.forecast import Outlook, Standing
from dinhdanh.geo.models import AdministrativeUnit, Level, Scheme

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
    return category_bars(
        figures.issued(), FIGURE_CATEGORIES, baselines=figures.baselines if shown else None, scale=scale
    )


def bars_label(bars: list[Bar]) -> str:
    """The numbers of a bar picture, for its text alternative."""
    parts, number = [], grouped()
    for bar in bars:
        label = category_label(bar.category)
        if bar.baseline and bar.of:
            parts.append(
                _("%(label)s: %(value)s / %(of)s")
                % {"label": label, "value": number(bar.value), "of": number(bar.of)}
            )
        else:
            parts.append(_("%(label)s: %(value)s") % {"label": label, "value": number(bar.value)})
    return "; ".join(parts)


def bars_svg(bars: list[Bar]) -> SafeString:
    """A unit's issued accounts per category as horizontal bars, with its numbers as text alternative.
    Plain strings, not ``format_html`` per bar: only category codes and numbers go in unescaped."""
    drawn = "".join(
        f'\n<rect class="bar-track" x="0" y="{b.y:.1f}" width="100" height="5"/>'
        f'<rect class="bar-{b.category}" x="0" y="{b.y:.1f}" width="{b.width:.1f}" height="5"/>'
        for b in bars
        if b.category in _CATEGORY_CODES
    )
    height = charts.bars_height(len(bars))
    return mark_safe(  # noqa: S308 - the label is escaped; the rest is codes and numbers
        f'<svg class="bars" viewBox="0 0 100 {height}" preserveAspectRatio="none" role="img" '
        f'aria-label="{escape(bars_label(bars))}">{drawn}\n</svg>'
    )


_CATEGORY_CODES = frozenset(FIGURE_CATEGORIES)


@register.simple_tag
def unit_row(row: Row, plan: str, drilled: Drill) -> SafeString:
    """One unit's line of a drill-down table: its link, bars, and per category accounts issued,
    activated, requests received (and the share of the baseline), then totals and people's accounts.
    Built in one pass: a province's page has 126 of them, twenty numbers each."""
    number, shown = grouped(), drilled.baselines_shown
    unit = row.unit
    name = (
        format_html('<a href="{}">{}</a>', drill_url(unit, plan, drilled.as_of), unit.name)
        if row.opens
        else escape(unit.name)
    )
    bars = category_bars_of(row.figures, drilled.scale, shown)
    cells: list[str] = []
    for cell in row.figures.cells:
        cells += [number(cell.issued), number(cell.activated), number(cell.received)]
        if shown:
            cells.append("—" if cell.percent is None else floatformat(cell.percent, 1))
    totals, people = row.figures.totals, row.figures.persons
    cells += [number(totals.issued), number(totals.activated), number(totals.received)]
    cells += [number(people[0]), number(people[1])]
    numbers = "".join(f'<td class="num">{c}</td>' for c in cells)  # numbers we formatted: nothing to escape
    return mark_safe(  # noqa: S308 - the name is escaped above, the code is digits
        f'<tr data-code="{escape(unit.code)}">\n      <th scope="row">{name}</th>\n      <td>{bars_svg(bars)}</td>'
        f"\n      {numbers}\n    </tr>"
    )


@register.filter
def category_label(value: str) -> str:
    return counted_label(value) if value in FIGURE_CATEGORIES else value


# A province's page draws a chart per target, each with a dot per week and a table row per week: built
# here in one pass rather than by template loops with a filter per number (most of a page's render).


def _line(css: str, x1: float, x2: float, y1: float, y2: float) -> str:
    return f'<line class="{css}" x1="{x1:.1f}" x2="{x2:.1f}" y1="{y1:.1f}" y2="{y2:.1f}"/>'


@register.filter
def chart_drawing(chart: charts.TrendChart) -> SafeString:
    """The trend picture's grid, axes with their labels, goal, day shown, planned and forecast lines
    and the counted line with its dots. Only numbers and dates computed here go in (no text from a
    person), so the string is safe as built."""
    number, c = grouped(), chart
    out: list[str] = []
    for tick in c.y_ticks:
        out.append(_line("grid", c.left, c.right, tick.pos, tick.pos))
        label = number(tick.value) if isinstance(tick.value, int) else ""
        out.append(
            f'<text x="{c.left - 6}" y="{tick.pos:.1f}" text-anchor="end" dominant-baseline="middle">{label}</text>'
        )
    last = len(c.x_ticks) - 1
    for i, tick in enumerate(c.x_ticks):
        out.append(_line("axis", tick.pos, tick.pos, c.bottom, c.bottom + 5))
        anchor = "start" if i == 0 else "end" if i == last else "middle"
        label = f"{tick.value:%d/%m}" if isinstance(tick.value, date) else ""
        out.append(f'<text x="{tick.pos:.1f}" y="{c.bottom + 20}" text-anchor="{anchor}">{label}</text>')
    out.append(_line("axis", c.left, c.right, c.bottom, c.bottom))
    out.append(_line("axis", c.left, c.left, c.top, c.bottom))
    out.append(_line("goal", c.left, c.right, c.goal_y, c.goal_y))
    if c.today_x:
        out.append(_line("today", c.today_x, c.today_x, c.top, c.bottom))
    out.append(_line("expected", c.expected_from.x, c.expected_to.x, c.expected_from.y, c.expected_to.y))
    if c.forecast_from and c.forecast_to:
        out.append(_line("forecast", c.forecast_from.x, c.forecast_to.x, c.forecast_from.y, c.forecast_to.y))
    if c.done_points:
        out.append(f'<polyline class="done" points="{c.polyline}"/>')
        out.extend(f'<circle class="dot" cx="{p.x:.1f}" cy="{p.y:.1f}" r="3.5"/>' for p in c.done_points)
    return mark_safe("\n  ".join(out))  # noqa: S308 - numbers and dates only, formatted here


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

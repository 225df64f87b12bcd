"""Drill-down of the campaign figures (issue 14.5): the country, a province, a commune, its villages and
its organizations — on today's map, read with ``campaigns.view_plan`` over the unit shown.

The rule, in one place (the page renders what ``drill`` returns or the refusal it raises):

* nobody without ``campaigns.view_plan`` anywhere sees anything (403, audited);
* the country needs a national assignment; a unit, an assignment over it or above (403, audited by
  ``core.access.require``): a provincial manager reads their province and below, never another
  province nor the country;
* an unknown code is a 404; a retired code (a 2024 district, a province or commune merged since) is
  answered with the units that now hold its territory (``Moved``), each then read under this rule;
* the registries' baselines (the share of the registered organizations) show only to whoever may read
  them (``registries.view_campaign`` over the unit), and the link to the outreach list only to whoever
  may read it (``registries.view``);
* organizations are listed by name, identification number, tax code, category and account state;
  nothing of their representatives.

Figures are totals up to ``as_of`` (``drill_figures``), each count carried to the unit of today's map
that holds its territory (``geo.rollup``), so a 2024 district's accounts land in 2025 communes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import TYPE_CHECKING

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dinhdanh.campaigns.dashboard import plans_visible
from dinhdanh.campaigns.drill_figures import (
    CATEGORIES,
    FIGURE_CATEGORIES,
    ORG_METRICS,
    Cell,
    Figures,
    baselines,
    figures,
)
from dinhdanh.campaigns.models import Activation, Plan
from dinhdanh.campaigns.permissions import CampaignPermission
from dinhdanh.campaigns.plan_services import require_over
from dinhdanh.campaigns.trends import TargetView, targets_at
from dinhdanh.core import access
from dinhdanh.core.errors import DomainError, ErrorCode
from dinhdanh.core.text import name_key, nfc
from dinhdanh.geo import selectors as geo
from dinhdanh.geo.models import AdministrativeUnit, Level, Scheme
from dinhdanh.geo.rollup import ambiguous, rollup
from dinhdanh.organizations.categories import Category
from dinhdanh.organizations.models import Organization
from dinhdanh.registries.permissions import RegistryPermission

if TYPE_CHECKING:
    from dinhdanh.people.models import User

__all__ = [
    "CATEGORIES",
    "FIGURE_CATEGORIES",
    "ORG_METRICS",
    "PAGE_SIZE",
    "Cell",
    "Drill",
    "DrillError",
    "Figures",
    "Moved",
    "OrgPage",
    "Row",
    "drill",
    "entry_units",
    "resolve",
]

PAGE_SIZE = 50
SEARCH_MAX = 100
_CODE = re.compile(r"[0-9]{1,3}|[0-9]{5}")


class DrillError(ErrorCode):
    UNKNOWN_UNIT = (
        "campaigns.drill.unknown_unit",
        _("Không có đơn vị hành chính mã {code}; hãy dùng mã tỉnh (2 số), huyện cũ (3 số) hoặc xã (5 số)."),
        404,
    )
    NO_SUCCESSOR = (
        "campaigns.drill.no_successor",
        _("Đơn vị mã {code} ({name}) không còn và không có đơn vị nào nhận địa bàn của nó."),
        404,
    )
    BAD_SCHEME = ("campaigns.drill.bad_scheme", _("Hệ đơn vị {value} không có; dùng 2025 hoặc 2008."), 400)
    BAD_PAGE = ("campaigns.drill.bad_page", _("Số trang “{value}” không hợp lệ; hãy dùng một số từ 1."), 400)
    PAGE_TOO_LARGE = (
        "campaigns.drill.page_too_large",
        _("Không có trang {page}: danh sách có {pages} trang."),
        404,
    )
    BAD_CATEGORY = (
        "campaigns.drill.bad_category",
        _("Loại tổ chức “{value}” không có; dùng một trong: {choices}."),
        400,
    )
    SEARCH_CONTROL = (
        "campaigns.drill.search_control",
        _("Ô tìm theo tên chứa ký tự điều khiển; hãy gõ lại tên cần tìm."),
        400,
    )
    SEARCH_TOO_LONG = ("campaigns.drill.search_too_long", _("Ô tìm theo tên dài quá {limit} ký tự."), 400)
    UNKNOWN_PLAN = ("campaigns.drill.unknown_plan", _("Không có kế hoạch “{slug}”."), 404)


# --- what a page holds --------------------------------------------------------------------------------


@dataclass
class Row:
    unit: AdministrativeUnit
    figures: Figures
    opens: bool  # the reader may open the unit's own page (villages have none)


@dataclass(frozen=True)
class OrgLine:
    eid: str
    name: str
    code: str
    category: str
    status: str
    issued_at: object
    activated: bool

    @property
    def category_label(self) -> str:
        return str(Category(self.category).label)


@dataclass(frozen=True)
class OrgPage:
    rows: list[OrgLine]
    number: int
    pages: int
    count: int
    by_category: dict[str, int]

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages


@dataclass(frozen=True)
class Moved:
    """A code of a unit no longer in force, and the units that now hold its territory."""

    unit: AdministrativeUnit
    successors: list[AdministrativeUnit]


@dataclass
class Drill:
    unit: AdministrativeUnit | None  # None: the country
    as_of: date
    trail: list[tuple[AdministrativeUnit, bool]]  # the ancestors shown, and whether the reader may open each
    country_opens: bool
    own: Figures
    rows: list[Row]
    unplaced: Figures | None  # counted here but in no row (no unit: online; a commune: in no village)
    organizations: OrgPage | None  # a commune
    outreach: bool
    baselines_shown: bool
    plan: Plan | None = None
    targets: list[TargetView] = field(default_factory=list)
    plans: list[Plan] = field(default_factory=list)
    query: str = ""
    category: str = ""

    @property
    def level(self) -> str:
        return "country" if self.unit is None else str(self.unit.level)

    @cached_property  # read once per row of the page: a property made the page quadratic in its rows
    def scale(self) -> int:
        """The largest issued figure of a row and category: the bars' measure where no baseline is shown."""
        return max((v for row in self.rows for v in row.figures.issued().values()), default=0)


# --- resolving a code --------------------------------------------------------------------------------


def resolve(code: str, scheme: str = "") -> AdministrativeUnit | Moved:
    """The unit a drill address names: 2 digits a province, 3 a (2024) district, 5 a commune; today's
    scheme first, then the 2008 one (``scheme`` picks one). A unit no longer in force gives ``Moved``."""
    text = (code or "").strip()
    if scheme not in ("", Scheme.CURRENT, Scheme.LEGACY):
        raise DomainError(DrillError.BAD_SCHEME, field="scheme", value=scheme[:10])
    if not text.isascii() or not _CODE.fullmatch(text):
        raise DomainError(DrillError.UNKNOWN_UNIT, field="code", code=text[:20])
    level = Level.PROVINCE if len(text) <= 2 else Level.DISTRICT if len(text) == 3 else Level.COMMUNE
    normalized = text.zfill(2) if level == Level.PROVINCE else text
    found = None
    for each in [scheme] if scheme else [Scheme.CURRENT, Scheme.LEGACY]:
        units = AdministrativeUnit.objects.select_related("parent")
        found = units.filter(scheme=each, level=level, code=normalized).first()
        if found is not None:
            break
    if found is None:
        raise DomainError(DrillError.UNKNOWN_UNIT, field="code", code=normalized)
    if found.is_current:
        return found
    return Moved(found, _successors(found))


def _successors(unit: AdministrativeUnit) -> list[AdministrativeUnit]:
    level = Level.PROVINCE if unit.level == Level.PROVINCE else Level.COMMUNE
    today = timezone.localdate()
    several = ambiguous([unit.pk], level=level, on=today).get(unit.pk)
    if several:
        return sorted(several, key=lambda u: (u.name, u.code))
    one = rollup([unit.pk], level=level, on=today).get(unit.pk)
    if one is None:
        raise DomainError(DrillError.NO_SUCCESSOR, field="code", code=unit.code, name=unit.name)
    return [one]


# --- access ------------------------------------------------------------------------------------------


def _require(actor: User, unit: AdministrativeUnit | None) -> None:
    """Audited refusals, as ``core.access.require`` writes them."""
    if unit is None:
        access.require(actor, CampaignPermission.VIEW_PLAN)  # the country: a national assignment only
    else:
        require_over(actor, CampaignPermission.VIEW_PLAN, unit)


def _opens(scope: access.Jurisdiction, unit: AdministrativeUnit | None) -> bool:
    """Whether a unit of today's map (``None``: the country) opens for a reader of ``scope``."""
    return scope.nationwide if unit is None else (not scope.empty and scope.covers(unit))


def _covers(actor: User, permission: RegistryPermission, unit: AdministrativeUnit | None) -> bool:
    scope = access.jurisdiction(actor, permission)
    return scope.nationwide if unit is None else (not scope.empty and scope.covers(unit))


def entry_units(*, actor: User) -> list[AdministrativeUnit] | None:
    """Where ``actor`` may start drilling: ``None`` for the country, else the units of their assignments
    in force today (a retired one through what it became)."""
    scope = access.jurisdiction(actor, CampaignPermission.VIEW_PLAN)
    if scope.nationwide:
        return None
    units: list[AdministrativeUnit] = []
    for unit in geo.units_by_paths(scope.paths):
        units += [unit] if unit.is_current else geo.current_successors(unit)
    return sorted({u.pk: u for u in units if u.level != Level.VILLAGE}.values(), key=lambda u: u.path)


# --- organizations -----------------------------------------------------------------------------------


def _search(raw: str) -> str:
    if any(ch < " " or "\x7f" <= ch <= "\x9f" for ch in raw):
        raise DomainError(DrillError.SEARCH_CONTROL, field="q")
    text = nfc(raw)
    if len(text) > SEARCH_MAX:
        raise DomainError(DrillError.SEARCH_TOO_LONG, field="q", limit=SEARCH_MAX)
    return text


def _category(raw: str) -> str:
    text = raw.strip()
    if text and text not in CATEGORIES:
        raise DomainError(
            DrillError.BAD_CATEGORY, field="category", value=text[:40], choices=", ".join(CATEGORIES)
        )
    return text


def _page_number(raw: str) -> int:
    text = raw.strip() or "1"
    if not text.isascii() or not text.isdigit() or len(text) > 9 or int(text) < 1:
        raise DomainError(DrillError.BAD_PAGE, field="page", value=text[:20])
    return int(text)


def organizations_page(commune: AdministrativeUnit, *, query: str, category: str, page: int) -> OrgPage:
    """The organizations with their head office in ``commune`` (or its villages), by name; every word
    of ``query`` begins a word of the name, without accents, case or legal-form abbreviations ("cong ty
    an phu" and "CTY AN PHÚ" find "Công ty TNHH An Phú", "an phu" not "Nông dân phường")."""
    qs = Organization.objects.filter(head_office_path__startswith=commune.path)
    for word in dict.fromkeys(name_key(query).split()) if query else ():  # each word starts a word of the name
        qs = qs.filter(Q(name_key__startswith=word) | Q(name_key__contains=f" {word}"))
    grouped = qs.values_list("category").annotate(n=Count("pk")).values_list("category", "n")
    by_category = dict.fromkeys(CATEGORIES, 0) | dict(grouped)
    if category:
        qs = qs.filter(category=category)
    count = by_category[category] if category else sum(by_category.values())
    pages = max(1, -(-count // PAGE_SIZE))
    if page > pages:
        raise DomainError(DrillError.PAGE_TOO_LARGE, field="page", page=page, pages=pages)
    activated = Exists(Activation.objects.filter(organization_id=OuterRef("pk")))
    start = (page - 1) * PAGE_SIZE
    rows = (
        qs.annotate(activated=activated)
        .order_by("name_key", "pk")
        .values_list("eid", "name", "code", "category", "status", "issued_at", "activated")[
            start : start + PAGE_SIZE
        ]
    )
    return OrgPage([OrgLine(*row) for row in rows], page, pages, count, by_category)


# --- the page ----------------------------------------------------------------------------------------


def children_of(unit: AdministrativeUnit | None, on: date) -> tuple[list[AdministrativeUnit], Level]:
    if unit is None:
        return list(geo.current_units().filter(level=Level.PROVINCE).order_by("code")), Level.PROVINCE
    if unit.level == Level.PROVINCE:
        return geo.current_children(unit, limit=2000), Level.COMMUNE
    return list(geo.villages_of(unit, on=on)), Level.VILLAGE


def _plan(actor: User, slug: str) -> Plan | None:
    if not slug:
        return None
    plan = Plan.objects.select_related("scope_unit").filter(slug=slug[:80]).first()
    if plan is None:
        raise DomainError(DrillError.UNKNOWN_PLAN, field="plan", slug=slug[:80])
    require_over(actor, CampaignPermission.VIEW_PLAN, plan.scope_unit)
    return plan


def drill(
    *,
    actor: User,
    code: str | None,
    as_of: date,
    scheme: str = "",
    plan: str = "",
    query: str = "",
    category: str = "",
    page: str = "",
) -> Drill | Moved:
    """The drill page of ``code`` (``None``: the country) as of ``as_of``; raw query values are checked
    here (a clear refusal naming the field, nothing read). See the module for the access rule."""
    scope = access.jurisdiction(actor, CampaignPermission.VIEW_PLAN)
    if scope.empty:
        access.require(actor, CampaignPermission.VIEW_PLAN, any_unit=True)  # refuses, audited
    unit = None
    if code is not None:
        found = resolve(code, scheme)
        if isinstance(found, Moved):
            return found
        unit = found
    _require(actor, unit)
    text = _search(query)
    kind = _category(category)
    number = _page_number(page)
    chosen = _plan(actor, plan)
    on = timezone.localdate()
    children, level = children_of(unit, on)
    per, own, unplaced = figures(as_of, unit, children, level, on)
    baselines_shown = _covers(actor, RegistryPermission.VIEW_CAMPAIGN, unit)
    if baselines_shown:
        found_baselines = baselines([*children, *([unit] if unit else [])], as_of)
        for child in children:
            per.setdefault(child.pk, Figures()).baselines = found_baselines.get(child.pk, {})
        if unit is not None:
            own.baselines = found_baselines.get(unit.pk, {})
    rows = [
        Row(child, per.get(child.pk, Figures()), level != Level.VILLAGE and _opens(scope, child))
        for child in children
    ]
    trail: list[tuple[AdministrativeUnit, bool]] = []
    ancestor = unit.parent if unit is not None else None
    while ancestor is not None:
        trail.insert(0, (ancestor, _opens(scope, ancestor)))
        ancestor = ancestor.parent
    commune = unit is not None and unit.level == Level.COMMUNE
    return Drill(
        unit=unit, as_of=as_of, trail=trail, country_opens=_opens(scope, None), own=own, rows=rows,
        unplaced=unplaced if unplaced.counts else None,
        organizations=organizations_page(unit, query=text, category=kind, page=number) if commune and unit else None,
        outreach=_covers(actor, RegistryPermission.VIEW_REGISTRY, unit), baselines_shown=baselines_shown,
        plan=chosen, targets=targets_at(chosen, unit, as_of=as_of, on=on) if chosen else [],
        plans=plans_visible(actor=actor), query=text, category=kind,
    )  # fmt: skip

"""Drill-down (issue 14.5): the figures per province, commune and category equal a hand count of the
events; the page shows what the service returns, to whom the service allows, and refuses the rest alike."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client
from django.utils import timezone

from dinhdanh.campaigns import drill
from dinhdanh.campaigns.models import DailyCount, Metric
from dinhdanh.core import events
from dinhdanh.core.errors import DomainError
from dinhdanh.core.models import AuditEvent
from dinhdanh.geo.models import AdministrativeUnit, Level, Scheme
from dinhdanh.geo.rollup import rollup_ids
from dinhdanh.organizations.models import Organization
from dinhdanh.people.models import User
from dinhdanh.registries.models import Baseline
from dinhdanh.registries.permissions import RegistryRole
from tests.conftest import make_officer, signed_in, unit
from tests.organizations.factories import make_organization

pytestmark = pytest.mark.django_db

BINH_DUC = "30292"  # Phường Bình Đức, An Giang (91)
HANOI = "01"


def other_commune(province: str, *, besides: str = "") -> AdministrativeUnit:
    communes = AdministrativeUnit.objects.filter(
        scheme=Scheme.CURRENT, level=Level.COMMUNE, province_code=province
    )
    found = communes.exclude(code=besides).order_by("code").first()
    assert found is not None
    return found


def issue(office: AdministrativeUnit, category: str, *, name: str | None = None) -> Organization:
    organization = (
        make_organization(head_office=office, category=category, name=name)
        if name
        else make_organization(head_office=office, category=category)
    )
    events.emit("organizations.issued", actor=None, organization=organization)
    return organization


class Town:
    """A small fixture with its hand count in the comments."""

    def __init__(self) -> None:
        self.a = unit(BINH_DUC)
        self.b = other_commune("91", besides=BINH_DUC)
        self.c = other_commune(HANOI)
        self.orgs_a = [issue(self.a, "enterprise") for _ in range(3)] + [
            issue(self.a, "cooperative") for _ in range(2)
        ]
        issue(self.b, "tax_agency")
        for _ in range(4):
            issue(self.c, "enterprise")
        events.emit(
            "organizations.acted_as", actor=None, organization=self.orgs_a[0]
        )  # activated: 1 enterprise in A
        events.emit("organizations.acted_as", actor=None, organization=self.orgs_a[0])  # the same: still 1
        for _ in range(2):
            events.emit("applications.submitted", actor=None, unit=self.a, category="other")  # 2 requests, other
        events.emit("people.level2_raised", actor=None, unit=self.a)  # a person at level 2 in A
        events.emit("people.level1_created", actor=None)  # online, no unit
        # Old Kiên Giang's Rạch Giá (a 2024 district): 5 enterprises, carried to the ward that took it.
        rach_gia = unit("899", Level.DISTRICT, Scheme.LEGACY)
        ward = rollup_ids([rach_gia.pk], level=Level.COMMUNE, on=timezone.localdate())[rach_gia.pk]
        assert ward is not None
        self.ward = AdministrativeUnit.objects.get(pk=ward)
        DailyCount.objects.create(day=date(2025, 1, 10), metric=Metric.ACCOUNTS_ISSUED, unit_id=rach_gia.pk,
                                  unit_code="899", province_code="91", category="enterprise", count=5)  # fmt: skip


@pytest.fixture
def town() -> Town:
    return Town()


@pytest.fixture
def national() -> User:
    return make_officer(RegistryRole.CAMPAIGN_MANAGER, None, "Cán bộ Bộ")


@pytest.fixture
def an_giang_manager() -> User:
    return make_officer(RegistryRole.CAMPAIGN_MANAGER, unit("91", Level.PROVINCE), "Cán bộ An Giang")


def at(found: drill.Drill | drill.Moved) -> drill.Drill:
    assert isinstance(found, drill.Drill)
    return found


def row(found: drill.Drill, code: str) -> drill.Figures:
    (figures,) = [r.figures for r in found.rows if r.unit.code == code]
    return figures


TODAY = timezone.localdate


def test_the_figures_equal_a_hand_count_at_every_level(town: Town, national: User) -> None:
    country = at(drill.drill(actor=national, code=None, as_of=TODAY()))
    assert [r.unit.level for r in country.rows] == [Level.PROVINCE] * 34
    an_giang, hanoi = row(country, "91"), row(country, HANOI)
    issued = Metric.ACCOUNTS_ISSUED
    assert {c: an_giang.get(issued, c) for c in drill.CATEGORIES} == {
        "enterprise": 3 + 5, "cooperative": 2, "tax_agency": 1, "other": 0,
    }  # fmt: skip
    assert an_giang.get(Metric.ACCOUNTS_ACTIVATED, "enterprise") == 1
    assert an_giang.get(Metric.REQUESTS_RECEIVED, "other") == 2
    assert an_giang.persons == (0, 1)
    assert hanoi.get(issued, "enterprise") == 4
    assert hanoi.total(issued) == 4
    assert country.own.total(issued) == 3 + 5 + 2 + 1 + 4
    assert country.unplaced is not None
    assert country.unplaced.persons == (1, 0)

    province = at(drill.drill(actor=national, code="91", as_of=TODAY()))
    a = row(province, BINH_DUC)
    assert (a.get(issued, "enterprise"), a.get(issued, "cooperative"), a.get(Metric.REQUESTS_RECEIVED, "other")) == (
        3, 2, 2,
    )  # fmt: skip
    assert row(province, town.b.code).get(issued, "tax_agency") == 1
    assert row(province, town.ward.code).get(issued, "enterprise") >= 5  # the ward may be B itself: never less
    assert province.own.cells == an_giang.cells  # the province's own line is the country's row for it
    assert sum(r.figures.total(issued) for r in province.rows) == an_giang.total(issued)

    commune = at(drill.drill(actor=national, code=BINH_DUC, as_of=TODAY()))
    assert commune.own.get(issued, "enterprise") == 3
    orgs = commune.organizations
    assert orgs is not None
    assert (orgs.count, orgs.by_category) == (5, {"enterprise": 3, "cooperative": 2, "tax_agency": 0, "other": 0})
    assert sum(1 for line in orgs.rows if line.activated) == 1
    before = at(drill.drill(actor=national, code="91", as_of=date(2025, 1, 9)))
    assert before.own.total(issued) == 0  # as of a day: nothing counted after it


def test_the_page_shows_the_service_numbers_and_links_down(town: Town, national: User, client: Client) -> None:
    signed_in(client, national)
    page = client.get("/campaigns/units/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'href="/campaigns/units/91/' in html
    assert 'data-testid="unit-table"' in html
    assert 'role="img"' in html
    commune = client.get(f"/campaigns/units/{BINH_DUC}/").content.decode()
    assert 'data-testid="organization-table"' in commune
    for organization in town.orgs_a:
        assert organization.name in commune
    assert "0910******99" not in commune
    assert "Lê Văn Đại Diện" not in commune
    assert f"/registries/reconcile/?tab=outreach&amp;unit={BINH_DUC}&amp;category=enterprise" in commune


def test_baselines_give_a_share_to_whoever_may_read_them(town: Town, national: User, client: Client) -> None:
    Baseline.objects.create(unit=town.a, unit_path=town.a.path, category="enterprise", as_of=date(2025, 1, 1),
                            registered=12)  # fmt: skip
    Baseline.objects.create(
        unit=town.a, unit_path=town.a.path, category="enterprise", as_of=TODAY(), registered=10
    )
    commune = at(drill.drill(actor=national, code=BINH_DUC, as_of=TODAY()))
    assert commune.baselines_shown
    assert commune.own.share("enterprise") == pytest.approx(0.3)  # 3 of the latest 10
    early = at(drill.drill(actor=national, code=BINH_DUC, as_of=date(2025, 6, 1)))
    assert early.own.baselines == {"enterprise": 12}  # the baseline in force on that day
    signed_in(client, national)
    assert "30,0%" in client.get(f"/campaigns/units/{BINH_DUC}/").content.decode()


def test_a_provincial_manager_reads_their_province_only(
    town: Town, an_giang_manager: User, client: Client
) -> None:
    mine = at(drill.drill(actor=an_giang_manager, code="91", as_of=TODAY()))
    assert not mine.country_opens
    assert all(r.opens for r in mine.rows)
    assert at(drill.drill(actor=an_giang_manager, code=BINH_DUC, as_of=TODAY())).trail[0][1]  # may go up to 91
    signed_in(client, an_giang_manager)
    assert client.get("/campaigns/units/91/").status_code == 200
    for code in (None, HANOI, town.c.code):
        denied = AuditEvent.objects.filter(action="access.denied").count()
        with pytest.raises(DomainError) as refused:
            drill.drill(actor=an_giang_manager, code=code, as_of=TODAY())
        assert refused.value.status == 403
        page = client.get("/campaigns/units/" + (f"{code}/" if code else ""))
        assert page.status_code == 403
        html = page.content.decode()
        assert 'data-testid="summary"' not in html
        assert "unit-table" not in html
        assert AuditEvent.objects.filter(action="access.denied").count() == denied + 2  # service and page
    assert 'href="/campaigns/units/"' not in client.get("/campaigns/units/91/").content.decode()


def test_a_commune_manager_sees_the_commune_not_its_province(town: Town, client: Client) -> None:
    officer = make_officer(RegistryRole.CAMPAIGN_MANAGER, town.a, "Cán bộ Bình Đức")
    found = at(drill.drill(actor=officer, code=BINH_DUC, as_of=TODAY()))
    assert found.trail[0] == (unit("91", Level.PROVINCE), False)
    signed_in(client, officer)
    assert client.get("/campaigns/units/91/").status_code == 403
    assert client.get(f"/campaigns/units/{town.b.code}/").status_code == 403
    listing = client.get("/campaigns/").content.decode()
    assert f'href="/campaigns/units/{BINH_DUC}/"' in listing


def test_nobody_without_the_role_sees_anything(town: Town, client: Client) -> None:
    citizen = make_officer(RegistryRole.PARTNER_CLERK, None, "Cán bộ Phối Hợp")  # registries, not campaigns
    with pytest.raises(DomainError) as refused:
        drill.drill(actor=citizen, code=BINH_DUC, as_of=TODAY())
    assert refused.value.status == 403
    signed_in(client, citizen)
    assert client.get(f"/campaigns/units/{BINH_DUC}/").status_code == 403
    assert client.get("/campaigns/units/99999/").status_code == 403  # nothing said, not even "no such unit"


@pytest.mark.parametrize("code", ["99999", "abc", "1234", "123456", "٣٠٢٩٢", "%00", "9" * 60])
def test_an_unknown_code_is_a_404(national: User, client: Client, code: str) -> None:
    with pytest.raises(DomainError) as refused:
        drill.drill(actor=national, code=code, as_of=TODAY())
    assert refused.value.status == 404
    signed_in(client, national)
    assert client.get(f"/campaigns/units/{code}/").status_code == 404


def test_a_retired_code_leads_to_what_took_its_territory(national: User, client: Client) -> None:
    hau_giang = drill.resolve("93")  # Hậu Giang (2008) is part of Cần Thơ since 2025
    assert isinstance(hau_giang, drill.Moved)
    assert [u.code for u in hau_giang.successors] == ["92"]
    signed_in(client, national)
    page = client.get("/campaigns/units/93/", {"as_of": "2025-02-01", "page": "3"})
    assert page.status_code == 302
    assert page["Location"] == "/campaigns/units/92/?as_of=2025-02-01"
    rach_gia = client.get("/campaigns/units/899/")  # a 2024 district: several wards now
    assert rach_gia.status_code == 200
    html = rach_gia.content.decode()
    assert 'data-testid="moved"' in html
    assert html.count('href="/campaigns/units/') >= 2
    kien_giang = drill.resolve("91", Scheme.LEGACY)
    assert isinstance(kien_giang, drill.Moved)
    assert [u.code for u in kien_giang.successors] == ["91"]
    assert drill.resolve("91") == unit("91", Level.PROVINCE)  # today's code comes first


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ({"page": "abc"}, 400), ({"page": "0"}, 400), ({"page": "-1"}, 400), ({"page": "1e3"}, 400),
        ({"page": "９"}, 400), ({"page": "99"}, 404), ({"page": "9" * 30}, 400),
        ({"q": "an\x00phu"}, 400), ({"q": "\x1b[31m"}, 400), ({"q": "a\u0085b"}, 400), ({"q": "x" * 101}, 400),
        ({"category": "bank"}, 400), ({"scheme": "1999"}, 400), ({"plan": "khong-co"}, 404),
        ({"as_of": "2025-13-01"}, 400), ({"as_of": "hôm qua"}, 400),
    ],
)  # fmt: skip
def test_bad_input_is_refused_with_a_clear_message(
    town: Town, national: User, client: Client, query: dict[str, str], status: int
) -> None:
    signed_in(client, national)
    page = client.get(f"/campaigns/units/{BINH_DUC}/", query)
    assert page.status_code == status
    assert 'data-testid="organization-table"' not in page.content.decode()


def test_the_search_ignores_accents_and_case_and_pages_hold_fifty(national: User) -> None:
    a = unit(BINH_DUC)
    issue(a, "enterprise", name="Công ty TNHH An Phú")
    issue(a, "other", name="Hội Nông dân phường")
    for number in range(50):
        make_organization(head_office=a, name=f"Công ty Số {number:02d}")
    for text in ("cong ty an phu", "AN PHÚ", "  an   phú ", "CTY TNHH AN PHU"):
        found = at(drill.drill(actor=national, code=BINH_DUC, as_of=TODAY(), query=text)).organizations
        assert found is not None
        assert [r.name for r in found.rows] == ["Công ty TNHH An Phú"], text
    everything = at(drill.drill(actor=national, code=BINH_DUC, as_of=TODAY())).organizations
    assert everything is not None
    assert (everything.count, everything.pages, len(everything.rows)) == (52, 2, 50)
    second = at(drill.drill(actor=national, code=BINH_DUC, as_of=TODAY(), page="2")).organizations
    assert second is not None
    assert len(second.rows) == 2
    others = at(drill.drill(actor=national, code=BINH_DUC, as_of=TODAY(), category="other")).organizations
    assert others is not None
    assert [r.name for r in others.rows] == ["Hội Nông dân phường"]


def test_villages_are_rows_of_their_commune(national: User) -> None:
    from dinhdanh.geo.villages import village_create

    a = unit(BINH_DUC)
    village = village_create(actor=None, commune=a, code="01", name="Khóm Bình Thới", valid_from=date(2025, 7, 1))
    events.emit("people.level2_raised", actor=None, unit=village)
    events.emit("people.level2_raised", actor=None, unit=a)
    found = at(drill.drill(actor=national, code=BINH_DUC, as_of=TODAY()))
    assert [(r.unit.name, r.figures.persons, r.opens) for r in found.rows] == [("Khóm Bình Thới", (0, 1), False)]
    assert found.own.persons == (0, 2)
    assert found.unplaced is not None
    assert found.unplaced.persons == (0, 1)


def test_the_stored_map_gives_the_same_figures_as_the_daily_rows(town: Town, national: User) -> None:
    from datetime import timedelta

    from dinhdanh.campaigns import series

    def reading(code: str | None) -> tuple[object, ...]:
        found = at(drill.drill(actor=national, code=code, as_of=TODAY()))
        rows = {r.unit.code: [*r.figures.cells, r.figures.totals] for r in found.rows if r.figures.counts}
        unplaced = found.unplaced.persons if found.unplaced else None
        return rows, found.own.cells, found.own.persons, unplaced

    codes = [None, "91", HANOI]
    slow = [reading(code) for code in codes]
    series.rebuild(on=TODAY(), through=TODAY() - timedelta(days=1))  # the old days closed, today open
    assert [reading(code) for code in codes] == slow

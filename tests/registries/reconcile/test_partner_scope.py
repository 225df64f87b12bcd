"""Issue 10, point 10: a partner clerk limited to one source reads reconciliation over that source's
records only, on the page, in its workbook and through the API alike (one rule: ``reader_scope``)."""

from __future__ import annotations

import io
import re

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from dinhdanh.core.services import role_grant
from dinhdanh.geo.models import Level
from dinhdanh.people.models import User
from dinhdanh.people.permissions import PeopleRole
from dinhdanh.registries.models import Exclusion, ExclusionReason
from dinhdanh.registries.permissions import RegistryRole
from dinhdanh.registries.reconcile.scope import Scope
from dinhdanh.registries.sources import Source
from tests.conftest import make_officer, make_user, signed_in, unit
from tests.registries.reconcile.support import World, organization
from tests.web.support import html

pytestmark = pytest.mark.django_db
BASE = "/api/v1/registries"
OTHER_SOURCES_CODES = {"0100000005", "KS-30292-0002", "KS-30292-0001"}  # tax r6, survey r10 and r9


@pytest.fixture
def partner(world: World) -> User:
    user = make_user("Cán bộ Sở Kế hoạch")
    role_grant(
        actor=None,
        user=user,
        role=RegistryRole.PARTNER_CLERK,
        unit=unit("91", Level.PROVINCE),
        partner_source="business",
    )
    # An account that disagrees only with the tax list (r6 is in commune B, the account in A).
    organization("0100000005", "Hội Nông dân xã Bình Đức", world.a)
    Exclusion.objects.create(
        record=world.records["r6"], reason=ExclusionReason.OTHER, note="thử", excluded_by=user
    )
    return user


def codes_in(page: str) -> set[str]:
    return set(re.findall(r"<code>([0-9A-Z-]{6,})</code>", page))


def test_outreach_page_workbook_and_api_give_the_same_business_records(partner: User) -> None:
    client = signed_in(Client(), partner)
    api = client.get(f"{BASE}/reconcile/outreach", {"unit": "91", "include_excluded": "true"}).json()
    api_codes = {row["code"] for row in api["rows"]}
    assert {row["source"] for row in api["rows"]} == {"business"}
    assert api_codes == {"0100000002", "0100000003", "0100000008"}  # r2, r3 and the excluded r12
    page = html(client.get(reverse("registries:reconcile_home"), {"unit": "91", "include_excluded": "1"}))
    assert codes_in(page) == api_codes
    for url in (reverse("registries:reconcile_export"), f"{BASE}/reconcile/outreach.xlsx"):
        response = client.get(url, {"unit": "91", "include_excluded": "1"})
        sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active  # type: ignore[attr-defined]
        assert sheet is not None
        rows = list(sheet.iter_rows(min_row=2, values_only=True))
        assert {r[1] for r in rows} == api_codes
        assert {r[4] for r in rows} == {str(Source.BUSINESS.label)}


def test_cleansing_compares_accounts_with_the_partners_source_only(partner: User, manager: User) -> None:
    mine = (
        signed_in(Client(), partner).get(f"{BASE}/reconcile/cleansing", {"unit": "91", "kind": "commune"}).json()
    )
    everyone = signed_in(Client(), manager).get(f"{BASE}/reconcile/cleansing", {"unit": "91", "kind": "commune"})
    assert everyone.json()["counts"]["commune"] == 2  # o11 against business, the new account against tax
    assert mine["counts"]["commune"] == 1
    assert mine["counts"]["conflict"] == 0  # a conflict shows another source's values
    assert {(r["code"], r["second_source"]) for r in mine["rows"]} == {("0100000011", "business")}
    page = html(
        signed_in(Client(), partner).get(
            reverse("registries:reconcile_home"), {"tab": "cleansing", "unit": "91", "kind": "commune"}
        )
    )
    assert "0100000011" in page
    assert "0100000005" not in page


def test_differences_and_exclusions_count_the_partners_source_only(partner: User) -> None:
    client = signed_in(Client(), partner)
    body = client.get(f"{BASE}/reconcile/differences", {"unit": "91"}).json()
    assert {source for row in body["rows"] for source in row["by_source"]} == {"business"}
    assert {row["category"] for row in body["rows"] if row["registered"]} == {"enterprise"}
    excluded = client.get(f"{BASE}/reconcile/exclusions", {"unit": "91"}).json()
    assert [e["code"] for e in excluded] == ["0100000008"]  # not the tax record's exclusion
    page = html(client.get(reverse("registries:reconcile_home"), {"tab": "exclusions", "unit": "91"}))
    assert "0100000008" in page
    assert not OTHER_SOURCES_CODES & codes_in(page)


def test_officers_and_the_command_line_read_every_source(partner: User, manager: User) -> None:
    assert Scope.of(manager).sources is None
    assert Scope.everywhere().sources is None
    assert Scope.of(partner).sources == ("business",)
    body = signed_in(Client(), manager).get(f"{BASE}/reconcile/differences", {"unit": "91"}).json()
    assert {source for row in body["rows"] for source in row["by_source"]} == {"business", "tax", "survey"}
    # The same person as a commune's reviewing officer reads as the officer there, every source.
    role_grant(actor=None, user=partner, role=PeopleRole.REVIEWING_OFFICER, unit=unit("30292"))
    scope = Scope.of(partner)
    assert (scope.sources, scope.jurisdiction.paths) == (None, (unit("30292").path,))


def test_a_partner_cannot_reach_outside_their_territory(partner: User) -> None:
    response = signed_in(Client(), partner).get(f"{BASE}/reconcile/outreach", {"unit": "01"})
    assert response.status_code == 403
    hanoi = make_officer(RegistryRole.PARTNER_CLERK, unit("01", Level.PROVINCE), "Đối tác Hà Nội")
    assert Scope.of(hanoi).sources is None  # a partner clerk without a source reads every source

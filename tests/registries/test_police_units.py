"""Police units counted on their own (decision 0043): a tax-code body on the police's list of its units is
decided a police unit at the event, through the real request and issue services, and keeps it."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dinhdanh.applications import events as app_events
from dinhdanh.applications import services
from dinhdanh.applications.models import Application, ApplicationChannel, Capacity, Kind
from dinhdanh.campaigns.counting import recount
from dinhdanh.campaigns.models import DailyCount, Metric
from dinhdanh.core import events
from dinhdanh.core.models import DomainEvent
from dinhdanh.geo.models import Level
from dinhdanh.organizations import events as org_events
from dinhdanh.organizations.categories import Category
from dinhdanh.organizations.models import Organization
from dinhdanh.registries.models import Coverage, Exclusion, ExclusionReason, Record
from dinhdanh.registries.selectors.police import is_police_unit, police_units_listed
from dinhdanh.registries.statuses import RegistryStatus
from tests.applications.support import commune, officer, person, raw_data, tax_code
from tests.conftest import unit
from tests.organizations.factories import make_organization
from tests.registries.police_support import police_list

pytestmark = pytest.mark.django_db


def apply(category: str, code: str) -> Application:
    """A request submitted by its representative through the real services."""
    applicant, pid = person()
    draft = services.application_start(
        actor=applicant, kind=Kind.NEW, channel=ApplicationChannel.ONLINE, capacity=Capacity.REPRESENTATIVE,
        category=category, data=raw_data(pid, applicant.full_name, name=f"Đơn vị {code}", code=code),
    )  # fmt: skip
    return services.application_submit(actor=applicant, application=draft)


def issued(application: Application) -> Organization:
    done = services.application_approve(
        actor=officer(), application=application, note="Đã xem kết quả kiểm tra", acknowledge_failed_checks=True
    )
    assert done.organization is not None
    return done.organization


def categories(type_: str) -> list[str]:
    return list(DomainEvent.objects.filter(type=type_).order_by("pk").values_list("category", flat=True))


def test_a_tax_code_body_on_the_police_list_is_counted_as_police_from_its_request_on() -> None:
    police, school, firm = tax_code(), tax_code(), tax_code()
    police_list([(police, commune()), (firm, commune())])
    issued(apply(Category.TAX_AGENCY, police))
    issued(apply(Category.TAX_AGENCY, school))  # a school: a tax-code body, not a police unit
    issued(apply(Category.ENTERPRISE, firm))  # listed, but not a tax-code body: never refined
    assert categories(app_events.SUBMITTED) == ["police", "tax_agency", "enterprise"]
    assert categories(org_events.ISSUED) == ["police", "tax_agency", "enterprise"]
    # The legal category stays one of Decree 69's four: police units are a counting category only.
    assert set(Organization.objects.values_list("category", flat=True)) == {"tax_agency", "enterprise"}
    issued_counts = DailyCount.objects.filter(metric=Metric.ACCOUNTS_ISSUED)
    assert sorted(issued_counts.values_list("category", "count")) == [
        ("enterprise", 1), ("police", 1), ("tax_agency", 1),
    ]  # fmt: skip
    assert recount(write=False).differing == 0


def test_a_list_that_arrives_later_changes_no_earlier_event_and_the_counts_still_agree() -> None:
    code = tax_code()
    organization = issued(apply(Category.TAX_AGENCY, code))
    police_list([(code, commune())], imported_at=None)  # the list arrives after the account
    events.emit(org_events.ACTED_AS, actor=None, organization=organization)  # its first activation: after it
    assert categories(org_events.ISSUED) == ["tax_agency"]  # as was known when it was issued
    assert categories(org_events.ACTED_AS) == ["police"]
    assert set(DailyCount.objects.filter(metric=Metric.ACCOUNTS_ISSUED).values_list("category", flat=True)) == {
        "tax_agency"
    }
    check = recount(write=False)
    assert (check.differing, check.events) == (0, 3)  # received, issued, activated: each kept its own
    police_list([], imported_at=None)  # a new list without it: it is no police unit any more ...
    assert not is_police_unit(code)
    assert recount(write=False).differing == 0  # ... and nothing counted changes: events are not re-read


def test_gone_from_the_latest_list_is_no_longer_a_police_unit() -> None:
    code = tax_code()
    police_list([(code, commune())])
    assert is_police_unit(code)
    police_list([(tax_code(), commune())], territory=unit("91", Level.PROVINCE))  # a complete list without it
    assert not is_police_unit(code)
    assert not is_police_unit("")


def test_one_indexed_lookup_for_a_tax_code_body_and_none_for_anything_else() -> None:
    school = make_organization(category=Category.TAX_AGENCY, code=tax_code(), head_office=commune())
    company = make_organization(category=Category.ENTERPRISE, code=tax_code(), head_office=commune())

    def lookups(organization: Organization) -> list[str]:
        with CaptureQueriesContext(connection) as seen:
            events.emit(org_events.ISSUED, actor=None, organization=organization)
        return [q["sql"] for q in seen.captured_queries if "registries_record" in q["sql"]]

    assert lookups(company) == []
    (probe,) = lookups(school)
    assert "LIMIT 1" in probe
    if connection.vendor == "sqlite":  # the (source, key) unique index answers it: a probe, no scan
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN QUERY PLAN {probe}")
            plan = " ".join(str(row[-1]) for row in cursor.fetchall())
        assert "SEARCH registries_record USING INDEX" in plan, plan
        assert "(source=? AND key=?)" in plan, plan


def test_the_police_units_listed_in_a_territory_by_a_day() -> None:
    an_giang = unit("91", Level.PROVINCE)
    a, b, hanoi = commune("30292"), commune("30301"), commune("00004")
    codes = [tax_code() for _ in range(6)]
    police_list([(codes[0], a), (codes[1], a), (codes[2], b), (codes[3], b), (codes[4], hanoi)])
    Record.objects.filter(code=codes[3]).update(status=RegistryStatus.DISSOLVED)  # not a unit any more
    Exclusion.objects.create(
        record=Record.objects.get(code=codes[1]), reason=ExclusionReason.DUPLICATE,
        excluded_by=officer(),
    )  # fmt: skip
    partial = datetime(2025, 2, 1, tzinfo=UTC)
    police_list([(codes[5], a)], territory=an_giang, imported_at=partial, coverage=Coverage.PARTIAL)
    found = police_units_listed({a.pk, b.pk}, by=date(2025, 3, 1))
    assert found is not None
    # The complete list of 01/12/2024: a's two less the excluded one, b's one alive; not Hà Nội's; the
    # partial list after it says nothing of the whole and is not the one read.
    assert found.units == 2
    assert found.snapshot.coverage == Coverage.COMPLETE
    assert police_units_listed({a.pk}, by=date(2024, 11, 30)) is None  # before any list
    later = datetime(2025, 5, 1, tzinfo=UTC)
    police_list([(codes[0], a), (codes[2], b), (tax_code(), b)], territory=an_giang, imported_at=later)
    before, after = (
        police_units_listed({a.pk, b.pk}, by=date(2025, 4, 30)),
        police_units_listed({a.pk, b.pk}, by=date(2025, 5, 1)),
    )
    assert before is not None
    assert after is not None
    assert (before.units, after.units) == (2, 3)  # the list in force on each day, not the latest
    assert police_units_listed(set(), by=date(2025, 5, 1)) is None

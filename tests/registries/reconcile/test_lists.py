"""The three lists on the hand-counted world of ``support.build``: outreach, data cleansing, differences."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from dinhdanh.core.models import AuditEvent
from dinhdanh.core.text import name_key, name_similarity
from dinhdanh.geo.models import Level
from dinhdanh.organizations.categories import Category
from dinhdanh.registries.audit_actions import RegistryAction
from dinhdanh.registries.reconcile.cleansing import CleansingKind, key_similarity
from dinhdanh.registries.reconcile.cleansing_rows import cleansing_page, counts_by_kind
from dinhdanh.registries.reconcile.differences import differences, totals
from dinhdanh.registries.reconcile.outreach import outreach, outreach_page, outreach_xlsx
from dinhdanh.registries.reconcile.scope import Scope
from tests.conftest import unit
from tests.registries.reconcile.support import World, organization, record

pytestmark = pytest.mark.django_db


def names(world: World, qs: object) -> list[str]:
    by_pk = {r.pk: key for key, r in world.records.items()}
    return [by_pk[r.pk] for r in qs]  # type: ignore[attr-defined]


def an_giang() -> Scope:
    return Scope.everywhere(unit("91", Level.PROVINCE))


def test_outreach_lists_targets_without_an_account_by_commune_then_name(world: World) -> None:
    assert names(world, outreach(an_giang())) == ["r2", "r10", "r3", "r6"]


def test_outreach_counts_an_organization_two_sources_list_once(world: World) -> None:
    codes = [r.code for r in outreach(an_giang())]
    assert codes.count("0100000002") == 1  # r2 (business) and r5 (tax) are one organization
    assert world.records["r5"].pk not in [r.pk for r in outreach(an_giang())]


def test_outreach_filters_by_category_and_unit(world: World) -> None:
    assert names(world, outreach(an_giang(), Category.ENTERPRISE)) == ["r2", "r3"]
    assert names(world, outreach(an_giang(), Category.TAX_AGENCY)) == ["r6"]
    assert names(world, outreach(an_giang(), Category.OTHER)) == ["r10"]
    assert names(world, outreach(Scope.everywhere(world.b))) == ["r3", "r6"]


def test_outreach_leaves_out_terminated_gone_matched_and_excluded_unless_asked(world: World) -> None:
    listed = names(world, outreach(an_giang()))
    for gone in ("r1", "r4", "r8", "r9", "r13", "r14", "r15", "r12"):
        assert gone not in listed
    assert names(world, outreach(an_giang(), include_excluded=True)) == ["r12", "r2", "r10", "r3", "r6"]
    assert names(world, outreach(Scope.everywhere())) == ["r11", "r2", "r10", "r3", "r6"]


def test_outreach_page_marks_excluded_rows(world: World) -> None:
    page = outreach_page(an_giang(), include_excluded=True)
    assert (page.count, page.pages, page.number) == (5, 1, 1)
    flags = {r.code: r.is_excluded for r in page.rows}  # type: ignore[attr-defined]
    assert flags["0100000008"] is True
    assert flags["0100000002"] is False
    assert outreach_page(an_giang(), page=2).rows == []


def test_a_codeless_record_matches_an_account_by_name_and_commune(world: World) -> None:
    survey = record(world.records["r9"].source, "KS-30301-0009", "Chùa Phước Thiện", world.b)  # type: ignore[arg-type]
    # Same name, other commune: not the same organization.
    assert survey.pk in [r.pk for r in outreach(an_giang())]
    organization("", "CHÙA  PHƯỚC THIỆN", world.b, category=Category.OTHER)
    assert survey.pk not in [r.pk for r in outreach(an_giang())]


def test_the_outreach_workbook_has_contact_data_neutralized_and_is_audited(world: World) -> None:
    record(world.records["r2"].source, "0100000099", '=HYPERLINK("http://x")', world.a)  # type: ignore[arg-type]
    buffer = io.BytesIO()
    rows = outreach_xlsx(actor=None, scope=Scope.everywhere(world.a), dest=buffer)
    sheet = load_workbook(io.BytesIO(buffer.getvalue())).active
    assert sheet is not None
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows == 3 == len(values) - 1
    assert values[0][:3] == ["STT", "Mã số", "Tên tổ chức"]
    by_code = {v[1]: v for v in values[1:]}
    assert by_code["0100000099"][2] == '\'=HYPERLINK("http://x")'
    assert by_code["0100000002"][6].startswith("Số 1 đường")  # address
    event = AuditEvent.objects.get(action=RegistryAction.REGISTRY_EXPORTED)
    assert event.after == {
        "list": "outreach",
        "unit": "30292",
        "category": "",
        "include_excluded": False,
        "rows": 3,
    }


def test_the_workbook_streams_in_a_bounded_number_of_queries(world: World) -> None:
    for n in range(30):
        record(world.records["r2"].source, f"01000002{n:02d}", f"Công ty số {n}", world.a)  # type: ignore[arg-type]
    with CaptureQueriesContext(connection) as queries:
        rows = outreach_xlsx(actor=None, scope=Scope.everywhere(world.a), dest=io.BytesIO())
    assert rows == 32
    assert len(queries) < 12  # 10 before decision 0019; the first read audit of the month opens its chain


def test_cleansing_counts_each_kind_in_the_province(world: World) -> None:
    assert counts_by_kind(an_giang()) == {
        "name": 1, "commune": 1, "representative": 1, "terminated": 1, "unlisted": 1, "conflict": 1,
        "old_id_card": 0,
    }  # fmt: skip
    assert counts_by_kind(Scope.everywhere())["unlisted"] == 2
    assert counts_by_kind(an_giang(), Category.OTHER) == dict.fromkeys(CleansingKind.values, 0)


def test_cleansing_rows_say_which_field_both_values_and_which_source(world: World) -> None:
    scope = an_giang()
    (name,) = cleansing_page(scope, CleansingKind.NAME).rows
    assert (name.field, name.first_source, name.first_value) == (
        "name",
        "account",
        "Doanh nghiệp tư nhân Bình Minh",
    )
    assert (name.second_source, name.second_value) == ("business", "Công ty TNHH Thành Công")
    assert name.eid == world.orgs["o10"].eid
    (commune,) = cleansing_page(scope, CleansingKind.COMMUNE).rows
    assert (commune.first_value, commune.second_value) == (world.a.name, world.b.name)
    (rep,) = cleansing_page(scope, CleansingKind.REPRESENTATIVE).rows
    assert rep.first_value == "Trần Thị Bình (0910******34)"
    assert rep.second_value == "Nguyễn Văn An (0910******34)"
    assert "d-account" not in str(rep.as_json())
    (ended,) = cleansing_page(scope, CleansingKind.TERMINATED).rows
    assert (ended.field, ended.second_source, ended.second_value) == ("status", "business", "Đã giải thể")
    (unlisted,) = cleansing_page(scope, CleansingKind.UNLISTED).rows
    assert (unlisted.code, unlisted.second_source) == ("0100000009", "")
    (conflict,) = cleansing_page(scope, CleansingKind.CONFLICT).rows
    assert (conflict.field, conflict.first_source, conflict.second_source) == ("commune", "business", "tax")
    assert (conflict.first_value, conflict.second_value) == (world.b.name, world.a.name)


def test_an_abbreviated_name_is_not_a_mismatch(world: World) -> None:
    record(world.records["r2"].source, "0100000020", "Công ty Trách nhiệm hữu hạn Thương mại An Phú", world.a)  # type: ignore[arg-type]
    organization("0100000020", "Cty TNHH TM An Phú", world.a)
    assert counts_by_kind(an_giang())["name"] == 1


def test_terminated_in_the_registry_is_not_flagged_once_the_account_is_locked(world: World) -> None:
    world.orgs["o4"].status = "revoked"
    world.orgs["o4"].save()
    assert counts_by_kind(an_giang())["terminated"] == 0


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Công ty TNHH Sao Mai", "Cty TNHH Sao Mai"),
        ("Công ty CP Hà Tiên", "Hà Tiên, Công ty cổ phần"),
        ("Hợp tác xã Bình Minh", "Doanh nghiệp tư nhân Bình Minh"),
        ("", "Công ty"),
        ("!!!", "Công ty"),
        ("Sữa Việt Nam", "Sữa Việt Nam"),
    ],
)
def test_key_similarity_is_name_similarity_on_stored_keys(a: str, b: str) -> None:
    assert key_similarity(name_key(a), name_key(b)) == name_similarity(a, b)


def test_differences_per_commune_of_a_province(world: World) -> None:
    rows = {(r.unit_code, r.category): r for r in differences(an_giang())}
    a_ent = rows[("30292", "enterprise")]
    # r1, r13, r15 have an account; r2 and r12 not. Six accounts have their head office in A (o9 is on no
    # list, o11 is r14's, listed in B): shown, but not what the difference counts.
    assert (a_ent.by_source, a_ent.registered, a_ent.with_account, a_ent.difference) == ({"business": 5}, 5, 3, 2)
    assert a_ent.accounts == 6
    a_tax = rows[("30292", "tax_agency")]
    assert (a_tax.by_source, a_tax.registered, a_tax.with_account) == ({"tax": 2}, 0, 0)
    a_other = rows[("30292", "other")]
    assert (a_other.by_source, a_other.registered, a_other.with_account, a_other.difference) == (
        {"survey": 2},
        2,
        1,
        1,
    )
    b_ent = rows[("30301", "enterprise")]
    assert (b_ent.registered, b_ent.with_account, b_ent.accounts, b_ent.difference) == (2, 1, 0, 1)
    assert ("00004", "enterprise") not in rows
    total = {t.category: t for t in totals(rows.values(), unit("91", Level.PROVINCE))}
    assert (total["enterprise"].registered, total["enterprise"].with_account) == (7, 4)
    assert (total["enterprise"].accounts, total["enterprise"].difference) == (6, 3)


def test_the_difference_compares_listed_organizations_with_their_accounts(world: World) -> None:
    """Issue 10 (low): Hà Nội lists r11 (no account) and holds o13, an account no list names; the
    difference said 1 − 1 = 0, as if the list were done. It counts listed organizations without one."""
    hanoi = {r.category: r for r in differences(Scope.everywhere()) if r.unit_code == "01"}["enterprise"]
    assert (hanoi.registered, hanoi.accounts) == (1, 1)
    assert (hanoi.with_account, hanoi.difference) == (0, 1)
    assert hanoi.as_json()["difference"] == 1


def test_differences_nationwide_are_per_province(world: World) -> None:
    rows = {(r.unit_code, r.category): r for r in differences(Scope.everywhere())}
    assert rows[("91", "enterprise")].registered == 7
    assert (rows[("01", "enterprise")].registered, rows[("01", "enterprise")].accounts) == (1, 1)


def test_accounts_issued_later_do_not_count_in_an_earlier_baseline_window(world: World) -> None:
    from dinhdanh.registries.reconcile.baselines import baseline_counts

    world.orgs["o10"].issued_at = timezone.now() + timedelta(days=1)
    world.orgs["o10"].save()
    counts = baseline_counts(unit("91", Level.PROVINCE), timezone.localdate())
    assert counts["enterprise"] == {"registered": 6, "excluded": 1, "issued": 3}
    assert counts["other"] == {"registered": 2, "excluded": 0, "issued": 1}
    assert counts["tax_agency"] == {"registered": 1, "excluded": 0, "issued": 0}
    assert counts["cooperative"] == {"registered": 0, "excluded": 0, "issued": 0}

"""The weekly report pages (issue 14.6): a commune's manager reports with the platform's numbers and
two texts; refusals show beside the form with the text kept and nothing written; the page and the
service refuse a stranger alike; the province's roll-up page assembles the units' words."""

from __future__ import annotations

from datetime import date, time, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from dinhdanh.campaigns.models import DailyCount, Metric, Phase, Plan, PlanStatus, Segment, Target, WeeklyReport
from dinhdanh.campaigns.models.reports import ProvinceReport
from dinhdanh.campaigns.report_rollup import province_report_submit
from dinhdanh.campaigns.reports import report_due, report_submit, reporting_units, week_board
from dinhdanh.core.errors import DomainError
from dinhdanh.geo.models import AdministrativeUnit, Level
from dinhdanh.registries.permissions import RegistryRole
from tests.conftest import make_officer, make_user, signed_in, unit

pytestmark = pytest.mark.django_db


def past_week(plan: Plan) -> date:
    """The latest week whose units' due time has passed (a holiday may push a due day on)."""
    today = timezone.localdate()
    week = today - timedelta(days=today.weekday())
    while report_due(plan, week) >= timezone.now():
        week -= timedelta(days=7)
    return week


@pytest.fixture
def plan() -> Plan:
    """A plan of today's An Giang, running around today: its communes report on Thursday at 14:00."""
    today = timezone.localdate()
    plan = Plan.objects.create(
        slug="an-giang-bao-cao", reference="12/KH-UBND", title="Định danh tổ chức", issuing_body="UBND tỉnh An Giang",
        issued_on=today - timedelta(days=90), scope_unit=unit("91", Level.PROVINCE), status=PlanStatus.ACTIVE,
        unit_report_weekday=3, unit_report_time=time(14, 0), province_report_weekday=4,
    )  # fmt: skip
    phase = Phase.objects.create(plan=plan, number=1, name="Giai đoạn 1", starts_on=today - timedelta(days=60),
                                 ends_on=today + timedelta(days=60))  # fmt: skip
    Target.objects.create(plan=plan, phase=phase, metric=Metric.ACCOUNTS_ISSUED, segment=Segment.ENTERPRISE,
                          unit=plan.scope_unit, value=100)  # fmt: skip
    return plan


def communes(plan: Plan) -> list[AdministrativeUnit]:
    return reporting_units(plan, report_due(plan, past_week(plan)).date())


def commune_manager(place: AdministrativeUnit) -> Any:
    return make_officer(RegistryRole.CAMPAIGN_MANAGER, place, f"Cán bộ {place.name}")


def page_url(plan: Plan, **query: Any) -> str:
    extra = "&".join(f"{k}={v}" for k, v in query.items())
    return f"/campaigns/{plan.slug}/reports/" + (f"?{extra}" if extra else "")


def post(client: Client, plan: Plan, **data: Any) -> Any:
    return client.post(f"/campaigns/{plan.slug}/reports/submit/", data)


def test_a_commune_reports_with_the_counted_numbers_and_its_words(plan: Plan, client: Client) -> None:
    week = past_week(plan)
    first, second = communes(plan)[:2]
    DailyCount.objects.create(day=week + timedelta(days=1), metric=Metric.ACCOUNTS_ISSUED, unit_id=first.pk,
                              category="enterprise", count=7)  # fmt: skip
    DailyCount.objects.create(day=week - timedelta(days=3), metric=Metric.ACCOUNTS_ISSUED, unit_id=first.pk,
                              category="enterprise", count=5)  # fmt: skip
    signed_in(client, commune_manager(first))
    page = client.get(page_url(plan, week=week.isoformat()))
    assert page.status_code == 200
    html = page.content.decode()
    assert f"Báo cáo của {first.name}" in html  # the reader's only unit: its form at once
    assert 'data-testid="prefilled"' in html
    prefilled = html.split('data-testid="prefilled"')[1].split("</table>")[0]
    assert 'data-field="week">7<' in prefilled
    assert 'data-field="total">12<' in prefilled
    assert "<input" not in prefilled  # shown, never typed
    assert page["Cache-Control"].startswith("max-age=0") or "no-cache" in page["Cache-Control"]
    sent = post(client, plan, week=week.isoformat(), unit=first.pk, difficulties="Mạng chậm ở ấp xa",
                proposals="Thêm máy đọc CCCD", numbers="999")  # fmt: skip
    assert sent.status_code == 302
    report = WeeklyReport.objects.get()
    assert (report.unit, report.difficulties, report.proposals) == (
        first,
        "Mạng chậm ở ấp xa",
        "Thêm máy đọc CCCD",
    )
    assert report.numbers == {"accounts_issued/enterprise": {"week": 7, "total": 12}}  # not the POSTed 999
    after = client.get(sent["Location"]).content.decode()
    assert "Mạng chậm ở ấp xa" in after
    assert f'data-unit="{second.code}" data-status="missing"' in after  # the second commune is flagged
    assert 'data-testid="report-form"' not in after  # nothing left to report


def test_a_second_report_is_refused_beside_the_form_with_the_text_kept(plan: Plan, client: Client) -> None:
    week = past_week(plan)
    place = communes(plan)[0]
    signed_in(client, commune_manager(place))
    assert post(client, plan, week=week.isoformat(), unit=place.pk, difficulties="Lần đầu").status_code == 302
    again = post(client, plan, week=week.isoformat(), unit=place.pk, difficulties="Lần thứ hai")
    assert again.status_code == 409
    html = again.content.decode()
    assert "mỗi tuần chỉ gửi một lần" in html
    assert "Lần thứ hai" in html  # what was typed is kept
    assert WeeklyReport.objects.get().difficulties == "Lần đầu"


@pytest.mark.parametrize(
    ("field", "text", "message"),
    [
        ("difficulties", "x" * 4001, "dài quá 4000 ký tự"),
        ("proposals", "Đề xuất\x00ẩn", "chứa ký tự điều khiển"),
        ("proposals", "Đảo chiều \u202ecủa chữ", "chứa ký tự điều khiển"),
    ],
)
def test_bad_text_is_shown_on_its_field_and_nothing_is_written(
    plan: Plan, client: Client, field: str, text: str, message: str
) -> None:
    week = past_week(plan)
    place = communes(plan)[0]
    signed_in(client, commune_manager(place))
    other = "proposals" if field == "difficulties" else "difficulties"
    answer = post(client, plan, week=week.isoformat(), unit=place.pk, **{field: text, other: "Giữ lại chữ này"})
    assert answer.status_code == 400
    html = answer.content.decode()
    assert message in html
    assert "Giữ lại chữ này" in html
    # Beside its field: in the error its text area points to (GOV.UK pattern, issue 15.8).
    error = html.index(f'id="id_{field}_error"')
    assert message in html[error : error + 300]
    assert not WeeklyReport.objects.exists()


def test_bad_weeks_and_units_are_refused_with_a_message_and_nothing_written(plan: Plan, client: Client) -> None:
    week = past_week(plan)
    first, second = communes(plan)[:2]
    signed_in(client, commune_manager(first))
    future = week + timedelta(days=7 * 3)
    cases: list[tuple[dict[str, Any], int, str]] = [
        ({"week": (week + timedelta(days=1)).isoformat(), "unit": first.pk}, 400, "phải bắt đầu vào thứ Hai"),
        ({"week": future.isoformat(), "unit": first.pk}, 400, "Chưa đến tuần này"),
        ({"week": "2020-01-06", "unit": first.pk}, 400, "nằm ngoài thời gian của kế hoạch"),
        ({"week": "tuần này", "unit": first.pk}, 400, "Tuần không hợp lệ"),
        ({"week": week.isoformat(), "unit": "1 OR 1=1"}, 400, "không báo cáo cho kế hoạch"),
        ({"week": week.isoformat(), "unit": "99999999"}, 400, "không báo cáo cho kế hoạch"),
        ({"week": week.isoformat()}, 400, "không báo cáo cho kế hoạch"),
    ]
    for data, status, message in cases:
        answer = post(client, plan, difficulties="Chữ đã gõ", **data)
        assert answer.status_code == status, data
        html = answer.content.decode()
        assert message in html, data
        assert "Chữ đã gõ" in html, data
    # A commune of the plan the reader does not hold (a forged id): refused as out of jurisdiction.
    forged = post(client, plan, week=week.isoformat(), unit=second.pk, difficulties="Chữ đã gõ")
    assert forged.status_code == 403
    assert "ngoài địa bàn" in forged.content.decode()
    assert not WeeklyReport.objects.exists()


def test_a_unit_that_does_not_report_that_week_and_a_closed_plan(plan: Plan, client: Client) -> None:
    week = past_week(plan)
    place = communes(plan)[0]
    signed_in(client, commune_manager(place))
    # Merged away before the due day: no longer among the week's units, neither listed nor accepted.
    AdministrativeUnit.objects.filter(pk=place.pk).update(valid_to=week - timedelta(days=1))
    page = client.get(page_url(plan, week=week.isoformat()))
    assert f'data-unit="{place.code}"' not in page.content.decode()
    refused = post(client, plan, week=week.isoformat(), unit=place.pk, difficulties="Sau sáp nhập")
    assert refused.status_code == 400
    assert "không báo cáo cho kế hoạch" in refused.content.decode()
    AdministrativeUnit.objects.filter(pk=place.pk).update(valid_to=None)
    Plan.objects.filter(pk=plan.pk).update(status=PlanStatus.CLOSED)
    closed = post(client, plan, week=week.isoformat(), unit=place.pk, difficulties="Kế hoạch đã đóng")
    assert closed.status_code == 409
    assert "không nhận báo cáo" in closed.content.decode()
    assert not WeeklyReport.objects.exists()


def test_someone_without_the_permission_gets_the_services_answer(plan: Plan, client: Client) -> None:
    week = past_week(plan)
    place = communes(plan)[0]
    for person in (
        make_user("Người dân"),
        make_officer(RegistryRole.CAMPAIGN_MANAGER, unit("01", Level.PROVINCE)),
    ):
        with pytest.raises(DomainError) as board:
            week_board(actor=person, plan=plan, week_start=week)
        with pytest.raises(DomainError) as service:
            report_submit(actor=person, plan=plan, unit=place, week_start=week)
        client.logout()
        signed_in(client, person)
        page = client.get(page_url(plan, week=week.isoformat()))
        answer = post(client, plan, week=week.isoformat(), unit=place.pk, difficulties="x")
        assert page.status_code == board.value.status == 403
        assert answer.status_code == service.value.status == 403
        assert board.value.message() in page.content.decode()
        assert service.value.message() in answer.content.decode()
    assert not WeeklyReport.objects.exists()


def test_the_page_wants_a_sign_in_a_post_and_the_csrf_token(plan: Plan) -> None:
    week = past_week(plan)
    place = communes(plan)[0]
    anonymous = Client()
    assert anonymous.get(page_url(plan)).status_code == 302
    guarded = Client(enforce_csrf_checks=True)
    signed_in(guarded, commune_manager(place))
    assert guarded.get(f"/campaigns/{plan.slug}/reports/submit/").status_code == 405
    assert post(guarded, plan, week=week.isoformat(), unit=place.pk).status_code == 403
    assert not WeeklyReport.objects.exists()
    assert guarded.get(page_url(plan, week="2025-13-45")).status_code == 400
    assert guarded.get(page_url(plan, week=(week + timedelta(days=2)).isoformat())).status_code == 400
    assert guarded.get("/campaigns/no-such-plan/reports/").status_code == 404


def test_the_provincial_manager_sees_the_rate_and_submits_the_roll_up(plan: Plan, client: Client) -> None:
    week = past_week(plan)
    first, second = communes(plan)[:2]
    report_submit(actor=commune_manager(first), plan=plan, unit=first, week_start=week,
                  difficulties="Thiếu cán bộ", proposals="Tập huấn thêm")  # fmt: skip
    manager = make_officer(RegistryRole.CAMPAIGN_MANAGER, plan.scope_unit, "Cán bộ tỉnh")
    signed_in(client, manager)
    html = client.get(page_url(plan, week=week.isoformat())).content.decode()
    expected = len(communes(plan))
    assert f'data-field="rate">1/{expected}' in html
    assert f'data-unit="{second.code}" data-status="missing"' in html
    assert "Thiếu cán bộ" in html
    assert 'data-testid="report-form"' not in html  # a hundred communes: a link to each form, not a form each
    chosen = client.get(page_url(plan, week=week.isoformat(), unit=second.pk)).content.decode()
    assert f"Báo cáo của {second.name}" in chosen
    province = f"/campaigns/{plan.slug}/reports/province/"
    preview = client.get(province, {"week": week.isoformat()}).content.decode()
    assert "Thiếu cán bộ" in preview
    assert "Tập huấn thêm" in preview
    assert 'data-testid="province-form"' in preview
    sent = client.post(province + "submit/", {"week": week.isoformat(), "proposals": "Bộ hỗ trợ thiết bị"})
    assert sent.status_code == 302
    stored = ProvinceReport.objects.get()
    assert (stored.expected, stored.submitted) == (expected, 1)
    assert [u["difficulties"] for u in stored.units if u["unit"] == first.pk] == ["Thiếu cán bộ"]
    again = client.post(province + "submit/", {"week": week.isoformat(), "proposals": "Lần nữa"})
    assert again.status_code == 409
    assert "Lần nữa" in again.content.decode()
    shown = client.get(province, {"week": week.isoformat()}).content.decode()
    assert 'data-testid="province-sent"' in shown
    assert "Bộ hỗ trợ thiết bị" in shown


def test_a_communes_manager_may_not_read_or_send_the_province_roll_up(plan: Plan, client: Client) -> None:
    week = past_week(plan)
    place = communes(plan)[0]
    reporter = commune_manager(place)
    with pytest.raises(DomainError) as service:
        province_report_submit(actor=reporter, plan=plan, week_start=week)
    signed_in(client, reporter)
    province = f"/campaigns/{plan.slug}/reports/province/"
    assert client.get(province, {"week": week.isoformat()}).status_code == 403
    answer = client.post(province + "submit/", {"week": week.isoformat()})
    assert answer.status_code == service.value.status == 403
    assert not ProvinceReport.objects.exists()


def test_the_default_week_is_the_current_one_within_the_plan(plan: Plan, client: Client) -> None:
    place = communes(plan)[0]
    signed_in(client, commune_manager(place))
    today = timezone.localdate()
    html = client.get(page_url(plan)).content.decode()
    monday = today - timedelta(days=today.weekday())
    assert f"Tuần từ {monday:%d/%m/%Y}" in html
    assert 'rel="next"' not in html  # no week after the current one
    assert 'rel="prev"' in html
    Phase.objects.filter(plan=plan).update(starts_on=date(2025, 9, 1), ends_on=date(2025, 9, 30))
    old = client.get(page_url(plan)).content.decode()
    assert "Tuần từ 29/09/2025" in old  # a plan that has ended: its last week


def test_a_communes_reader_sees_every_status_but_only_its_own_words(plan: Plan) -> None:
    week = past_week(plan)
    first, second = communes(plan)[:2]
    mine, theirs = commune_manager(first), commune_manager(second)
    report_submit(actor=theirs, plan=plan, unit=second, week_start=week, difficulties="Chuyện của xã bên")
    board = week_board(actor=mine, plan=plan, week_start=week)
    by_unit = {line.unit.pk: line for line in board.lines}
    assert by_unit[second.pk].status == "late"
    assert by_unit[second.pk].report is None  # its words are not this reader's to read
    assert [line.unit for line in board.reportable] == [first]
    assert not board.whole_plan
    assert board.province_report is None
    assert not board.may_submit_province
    assert board.rate.submitted == 1


def test_the_kien_giang_plan_reports_by_district_then_by_the_communes_that_took_them(client: Client) -> None:
    from dinhdanh.campaigns.plan_services import plan_load
    from dinhdanh.campaigns.standings import territory
    from dinhdanh.demo.campaign import PLAN_FILE
    from dinhdanh.geo.models import Scheme
    from tests.applications.support import tax_code
    from tests.registries.police_support import police_list

    # Its police target divides by the police list of the time (decision 0043): one unit, in December 2024.
    kien_giang = territory(unit("91", Level.PROVINCE, Scheme.LEGACY), on=timezone.localdate())
    police_list([(tax_code(), AdministrativeUnit.objects.get(pk=min(kien_giang)))])
    plan = plan_load(actor=None, text=PLAN_FILE.read_text(encoding="utf-8"))
    signed_in(client, make_officer(RegistryRole.CAMPAIGN_MANAGER, unit("91", Level.PROVINCE), "Cán bộ An Giang"))
    first = client.get(page_url(plan, week="2024-12-30"))
    assert first.status_code == 200
    html = first.content.decode()
    assert 'data-unit="899"' in html  # Thành phố Rạch Giá, a district until 30/06/2025
    assert "14:00" in html
    last = client.get(page_url(plan)).content.decode()  # the plan has ended: its last week
    assert "Tuần từ 30/06/2025" in last
    assert 'data-unit="899"' not in last  # due on 03/07/2025: the communes of today report instead
    assert 'data-field="rate">0/' in last
    province = client.get(f"/campaigns/{plan.slug}/reports/province/", {"week": "2025-01-06"})
    assert province.status_code == 200
    assert "10/01/2025" in province.content.decode()  # Friday, the province's day

"""Editing a plan in the application (issue 14.1, 14.3): every form refuses bad input beside its field,
keeps what was typed and writes nothing; a success says what changed, before → after; the pages refuse
whom the services refuse, the same way."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dinhdanh.campaigns.audit_actions import CampaignAction
from dinhdanh.campaigns.models.plans import Phase, Plan, PlanStatus, Target, Task
from dinhdanh.campaigns.plan_services import plan_load
from dinhdanh.core.models import AuditEvent
from dinhdanh.geo.models import Level
from dinhdanh.people.models import User
from dinhdanh.registries.permissions import RegistryRole
from tests.campaigns.test_plan_format import GOOD
from tests.conftest import make_officer, make_user, signed_in, unit

pytestmark = pytest.mark.django_db
EDITS = (
    CampaignAction.PHASE_EDITED,
    CampaignAction.TARGET_EDITED,
    CampaignAction.TARGET_ALLOCATED,
    CampaignAction.TASK_EDITED,
    CampaignAction.PLAN_STATUS_SET,
)


@pytest.fixture
def plan() -> Plan:
    return plan_load(actor=None, text=GOOD)


@pytest.fixture
def manager() -> User:
    return make_officer(RegistryRole.CAMPAIGN_MANAGER, unit("91", Level.PROVINCE))  # An Giang, since 2025


@pytest.fixture
def browser(client: Client, manager: User) -> Client:
    return signed_in(client, manager)


def edits() -> int:
    return AuditEvent.objects.filter(action__in=EDITS).count()


def snapshot(plan: Plan) -> list[Any]:
    """Everything an edit could change in a plan."""
    return [
        Plan.objects.filter(pk=plan.pk).values_list("status", flat=True).get(),
        list(Phase.objects.filter(plan=plan).order_by("pk").values_list("name", "starts_on", "ends_on")),
        list(Target.objects.filter(plan=plan).order_by("pk").values_list("value", "edited", "baseline")),
        list(
            Task.objects.filter(plan=plan)
            .order_by("pk")
            .values_list("title", "lead_unit", "coordinating_units", "deadline", "regular", "timing")
        ),
    ]


def enterprises(plan: Plan) -> Target:
    return plan.targets.get(segment="enterprise", parent=None)


def url(plan: Plan, tail: str = "") -> str:
    return f"/campaigns/{plan.slug}/edit/{tail}"


def phase_form(**changes: str) -> dict[str, str]:
    return {"name": "Giai đoạn 2", "starts_on": "2025-02-01", "ends_on": "2025-06-30", **changes}


def test_the_editing_page_lists_phases_targets_shares_and_tasks_with_their_forms(
    plan: Plan, browser: Client
) -> None:
    html = browser.get(url(plan)).content.decode()
    second = plan.phases.get(number=2)
    parent = enterprises(plan)
    task = plan.tasks.get(number="2")
    for link in (
        url(plan, f"phases/{second.pk}/"),
        url(plan, f"targets/{parent.pk}/"),
        url(plan, f"targets/{parent.pk}/allocation/"),
        url(plan, f"tasks/{task.pk}/"),
        url(plan, "status/"),
    ):
        assert link in html
    assert "Thành phố Rạch Giá: 60 / 200" in html
    assert browser.get(url(plan, f"targets/{parent.pk}/allocation/")).status_code == 200


def test_a_phase_is_moved_and_the_notice_says_before_and_after(plan: Plan, browser: Client) -> None:
    second = plan.phases.get(number=2)
    page = browser.get(url(plan, f"phases/{second.pk}/"))
    assert 'value="2025-06-30"' in page.content.decode()
    done = browser.post(url(plan, f"phases/{second.pk}/"), phase_form(name="Nhân rộng", ends_on="31/07/2025"))
    assert done.status_code == 302
    html = browser.get(done["Location"]).content.decode()
    assert "Giai đoạn 2 → Nhân rộng" in html
    assert "30/06/2025 → 31/07/2025" in html
    assert Phase.objects.get(pk=second.pk).ends_on == date(2025, 7, 31)
    # The same form again: nothing changes, nothing is audited a second time.
    again = browser.post(url(plan, f"phases/{second.pk}/"), phase_form(name="Nhân rộng", ends_on="2025-07-31"))
    assert "không có gì thay đổi" in browser.get(again["Location"]).content.decode()
    assert AuditEvent.objects.filter(action=CampaignAction.PHASE_EDITED).count() == 1


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"ends_on": "31/02/2025"}, "ends_on", "Ngày không hợp lệ"),
        ({"starts_on": "2025-13-01"}, "starts_on", "Ngày không hợp lệ"),
        ({"starts_on": "hôm qua"}, "starts_on", "Ngày không hợp lệ"),
        ({"ends_on": "99999-01-01"}, "ends_on", "Ngày không hợp lệ"),
        ({"ends_on": ""}, "ends_on", "Hãy nhập ngày"),
        ({"ends_on": "2025-01-15"}, "ends_on", "kết thúc (2025-01-15) trước khi bắt đầu"),
        ({"starts_on": "2025-01-20"}, None, "chồng lên giai đoạn 1"),
        ({"name": "Giai\x07đoạn"}, "name", "Tên giai đoạn chứa ký tự điều khiển"),
        ({"name": "   "}, "name", ""),
        ({"name": "x" * 201}, "name", ""),
    ],
)
def test_a_bad_phase_is_refused_beside_its_field_keeping_what_was_typed(
    plan: Plan, browser: Client, changes: dict[str, str], field: str | None, words: str
) -> None:
    second = plan.phases.get(number=2)
    before = snapshot(plan)
    page = browser.post(url(plan, f"phases/{second.pk}/"), phase_form(**changes))
    assert page.status_code == 400
    html = page.content.decode()
    assert words in html
    if field is not None:
        (typed,) = changes.values()
        assert f'data-field="{field}"' in html
        block = html.split(f'data-field="{field}"')[1].split("</p>")[0]
        assert 'class="error-message"' in block
        if typed.strip() and "\x07" not in typed:
            assert f'value="{typed}"' in block or typed in block
    assert snapshot(plan) == before
    assert edits() == 0


def test_a_due_date_left_outside_the_phase_is_refused(plan: Plan, browser: Client) -> None:
    first = plan.phases.get(number=1)  # the police target falls due on 30/12/2024
    page = browser.post(
        url(plan, f"phases/{first.pk}/"),
        {"name": "Giai đoạn 1", "starts_on": "2025-01-02", "ends_on": "2025-01-31"},
    )
    assert page.status_code == 400
    assert "nằm ngoài giai đoạn 1" in page.content.decode()
    assert edits() == 0


def test_a_target_s_value_is_edited_and_its_shares_respread(plan: Plan, browser: Client) -> None:
    parent = enterprises(plan)
    done = browser.post(url(plan, f"targets/{parent.pk}/"), {"value": "120"})
    assert done.status_code == 302
    html = browser.get(done["Location"]).content.decode()
    assert "100 → 120" in html
    assert "Thành phố Rạch Giá: 60 → 73" in html  # 110 over 200:100, the edited 10 kept
    assert sum(parent.children.values_list("value", flat=True)) == 120


@pytest.mark.parametrize(
    ("segment", "typed", "words"),
    [
        ("enterprise", "401", "lớn hơn tổng số 400"),
        ("enterprise", "-5", "số nguyên không âm"),
        ("enterprise", "abc", "Hãy nhập một số nguyên"),
        ("enterprise", "1e3", "Hãy nhập một số nguyên"),
        ("enterprise", "12,5", "Hãy nhập một số nguyên"),
        ("enterprise", "", "Hãy nhập một số"),
        ("enterprise", "9" * 25, "quá lớn"),
        ("enterprise", "9" * 45, "Hãy nhập một số nguyên"),
        ("enterprise", "1.000", "lớn hơn tổng số 400"),
        ("police", "101", "vượt quá 100%"),
        ("police", "<b>5</b>", "Hãy nhập một số nguyên"),
    ],
)
def test_a_bad_value_is_refused_and_nothing_written(
    plan: Plan, browser: Client, segment: str, typed: str, words: str
) -> None:
    target = plan.targets.get(segment=segment, parent=None)
    before = snapshot(plan)
    page = browser.post(url(plan, f"targets/{target.pk}/"), {"value": typed})
    assert page.status_code == 400
    html = page.content.decode()
    assert words in html
    assert "<b>5</b>" not in html
    assert snapshot(plan) == before
    assert edits() == 0


def test_an_allocation_is_set_on_one_form_and_respread_by_baseline(plan: Plan, browser: Client) -> None:
    parent = enterprises(plan)
    shares = {s.unit.code: s for s in parent.children.select_related("unit")}
    form = {
        f"share_{shares['899'].pk}": "50",
        f"share_{shares['900'].pk}": "40",
        f"share_{shares['902'].pk}": "10",
    }
    done = browser.post(url(plan, f"targets/{parent.pk}/allocation/"), {**form, "action": "save"})
    assert done.status_code == 302
    html = browser.get(done["Location"]).content.decode()
    assert "Thành phố Rạch Giá: 60 → 50" in html
    assert "Thành phố Hà Tiên: 30 → 40" in html  # Hà Tiên went up by the ten Rạch Giá gave
    assert dict(parent.children.values_list("unit__code", "edited")) == {"899": True, "900": True, "902": True}
    # Sent twice: nothing more.
    browser.post(url(plan, f"targets/{parent.pk}/allocation/"), {**form, "action": "save"})
    assert AuditEvent.objects.filter(action=CampaignAction.TARGET_ALLOCATED).count() == 1
    # Re-spread by baseline: the hand edits are forgotten, 100 over 200:100:0 (902 has no baseline).
    back = browser.post(url(plan, f"targets/{parent.pk}/allocation/"), {**form, "action": "respread"})
    assert back.status_code == 302
    assert dict(parent.children.values_list("unit__code", "value")) == {"899": 67, "900": 33, "902": 0}
    assert not parent.children.filter(edited=True).exists()


@pytest.mark.parametrize(
    ("values", "words"),
    [
        ({"899": "60", "900": "30", "902": "11"}, "cộng lại 101, khác chỉ tiêu 100"),
        ({"899": "201", "900": "0", "902": "0"}, "lớn hơn tổng số của đơn vị này (200)"),
        ({"899": "-10", "900": "100", "902": "10"}, "số nguyên không âm"),
        ({"899": "x", "900": "30", "902": "10"}, "Hãy nhập một số nguyên"),
        ({"899": "60", "900": "30"}, "Hãy nhập một số"),
        ({"899": "10" + "0" * 20, "900": "0", "902": "0"}, "quá lớn"),
    ],
)
def test_an_allocation_that_does_not_sum_or_fit_is_refused(
    plan: Plan, browser: Client, values: dict[str, str], words: str
) -> None:
    parent = enterprises(plan)
    shares = {s.unit.code: s.pk for s in parent.children.select_related("unit")}
    before = snapshot(plan)
    form = {f"share_{shares[code]}": v for code, v in values.items()}
    page = browser.post(url(plan, f"targets/{parent.pk}/allocation/"), {**form, "action": "save"})
    assert page.status_code == 400
    html = page.content.decode()
    assert words in html
    for code, typed in values.items():
        assert f'value="{typed}"' in html, code  # what was typed is still there
    assert snapshot(plan) == before
    assert edits() == 0


def test_a_share_of_another_target_cannot_be_slipped_into_an_allocation(plan: Plan, browser: Client) -> None:
    other = plan_load(actor=None, text=GOOD.replace("slug: thu-nghiem", "slug: khac"))
    parent = enterprises(plan)
    foreign = enterprises(other).children.first()
    assert foreign is not None
    form = {f"share_{s.pk}": str(s.value) for s in parent.children.all()}
    form[f"share_{foreign.pk}"] = "0"
    before = snapshot(plan), snapshot(other)
    browser.post(url(plan, f"targets/{parent.pk}/allocation/"), {**form, "action": "save"})
    assert (snapshot(plan), snapshot(other)) == before
    assert edits() == 0


def test_a_task_is_edited_with_one_coordinating_unit_per_line(plan: Plan, browser: Client) -> None:
    task = plan.tasks.get(number="2")
    form = {
        "title": "Danh sách <script>alert(1)</script> doanh nghiệp",
        "lead_unit": "Sở Tài chính",
        "coordinating_units": "Cục Thuế tỉnh\r\n\r\n  Công an tỉnh  \n",
        "deadline": "30/06/2025",
        "timing": "Trước 30/6/2025",
    }
    done = browser.post(url(plan, f"tasks/{task.pk}/"), form)
    assert done.status_code == 302
    task.refresh_from_db()
    assert task.coordinating_units == ["Cục Thuế tỉnh", "Công an tỉnh"]
    assert (task.deadline, task.regular, task.lead_unit) == (date(2025, 6, 30), False, "Sở Tài chính")
    html = browser.get(done["Location"]).content.decode()
    assert "30/05/2025 → 30/06/2025" in html
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    # A regular task, then the same form again: one audit event each time something changed.
    regular = {**form, "deadline": "", "regular": "on"}
    browser.post(url(plan, f"tasks/{task.pk}/"), regular)
    browser.post(url(plan, f"tasks/{task.pk}/"), regular)
    task.refresh_from_db()
    assert (task.deadline, task.regular) == (None, True)
    assert AuditEvent.objects.filter(action=CampaignAction.TASK_EDITED).count() == 2


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"deadline": "", "regular": ""}, "Hãy nhập thời hạn, hoặc đánh dấu"),
        ({"deadline": "2025-06-30", "regular": "on"}, "không cả hai"),
        ({"deadline": "30.06"}, "Ngày không hợp lệ"),
        ({"title": ""}, "This field is required"),
        ({"lead_unit": "Sở\x1bTài chính"}, "Đơn vị chủ trì chứa ký tự điều khiển"),
        ({"coordinating_units": "Công an\u202etỉnh"}, "chứa ký tự điều khiển"),
        ({"coordinating_units": "\n".join(f"Đơn vị {i}" for i in range(51))}, "Nhiều nhất 50"),
        ({"timing": "t" * 301}, ""),
    ],
)
def test_a_bad_task_is_refused_and_nothing_written(
    plan: Plan, browser: Client, changes: dict[str, str], words: str
) -> None:
    task = plan.tasks.get(number="2")
    form = {"title": "Danh sách", "lead_unit": "Sở KH&ĐT", "deadline": "2025-05-30", **changes}
    before = snapshot(plan)
    with_language = browser.post(url(plan, f"tasks/{task.pk}/"), form, HTTP_ACCEPT_LANGUAGE="en")
    assert with_language.status_code == 400
    page = browser.post(url(plan, f"tasks/{task.pk}/"), form)
    assert page.status_code == 400
    assert words.replace("This field is required", "") in page.content.decode()
    assert snapshot(plan) == before
    assert edits() == 0


def test_the_plan_goes_from_draft_to_active_to_closed_and_a_closed_plan_takes_no_edit(
    plan: Plan, browser: Client
) -> None:
    assert browser.post(url(plan, "status/"), {"status": "active"}).status_code == 302
    refused = browser.post(url(plan, "status/"), {"status": "draft"})  # not offered, but sent
    assert refused.status_code == 409
    assert "Không chuyển được kế hoạch từ “Đang triển khai” sang “Dự thảo”" in refused.content.decode()
    assert browser.post(url(plan, "status/"), {"status": "bogus"}).status_code == 400
    done = browser.post(url(plan, "status/"), {"status": "closed"})
    assert "Đang triển khai → Đã kết thúc" in browser.get(done["Location"]).content.decode()
    assert Plan.objects.get(pk=plan.pk).status == PlanStatus.CLOSED
    assert AuditEvent.objects.filter(action=CampaignAction.PLAN_STATUS_SET).count() == 2
    before = snapshot(plan)
    page = browser.get(url(plan)).content.decode()
    assert "đã kết thúc" in page
    assert url(plan, "phases/") not in page
    second, parent, task = plan.phases.get(number=2), enterprises(plan), plan.tasks.get(number="2")
    for tail, form in (
        (f"phases/{second.pk}/", phase_form(name="Sau khi đóng")),
        (f"targets/{parent.pk}/", {"value": "90"}),
        (f"targets/{parent.pk}/allocation/", {"action": "respread"}),
        (f"tasks/{task.pk}/", {"title": "x", "lead_unit": "y", "regular": "on"}),
        ("status/", {"status": "active"}),
    ):
        if not tail.startswith("status"):
            assert browser.get(url(plan, tail)).status_code == 409
        answer = browser.post(url(plan, tail), form)
        assert answer.status_code == 409, tail
        assert "đã kết thúc" in answer.content.decode()
    assert snapshot(plan) == before


def test_an_id_of_another_plan_is_not_found_and_nothing_written(plan: Plan, browser: Client) -> None:
    other = plan_load(actor=None, text=GOOD.replace("slug: thu-nghiem", "slug: khac"))
    before = snapshot(other)
    for tail, form in (
        (f"phases/{other.phases.get(number=2).pk}/", phase_form(name="Giả")),
        (f"targets/{enterprises(other).pk}/", {"value": "90"}),
        (f"targets/{enterprises(other).pk}/allocation/", {"action": "respread"}),
        (f"tasks/{other.tasks.get(number='2').pk}/", {"title": "x", "lead_unit": "y", "regular": "on"}),
        ("phases/999999/", phase_form()),
    ):
        assert browser.get(url(plan, tail)).status_code == 404
        assert browser.post(url(plan, tail), form).status_code == 404
    assert browser.get("/campaigns/khong-co/edit/").status_code == 404
    assert snapshot(other) == before
    assert edits() == 0


@pytest.mark.parametrize("who", ["citizen", "elsewhere"])
def test_someone_without_the_permission_is_refused_by_page_and_service_alike(
    plan: Plan, client: Client, who: str
) -> None:
    if who == "citizen":
        person, words = make_user(), "Bạn không có quyền thực hiện thao tác này."
    else:
        person = make_officer(RegistryRole.CAMPAIGN_MANAGER, unit("01", Level.PROVINCE), "Cán bộ Hà Nội")
        words = "Đối tượng này nằm ngoài địa bàn bạn phụ trách."
    signed_in(client, person)
    before = snapshot(plan)
    second, parent, task = plan.phases.get(number=2), enterprises(plan), plan.tasks.get(number="2")
    for tail, form in (
        ("", None),
        (f"phases/{second.pk}/", phase_form(name="Giả")),
        (f"targets/{parent.pk}/", {"value": "90"}),
        (f"targets/{parent.pk}/allocation/", {"action": "respread"}),
        (f"tasks/{task.pk}/", {"title": "x", "lead_unit": "y", "regular": "on"}),
        ("status/", {"status": "active"}),
        ("phases/999999/", phase_form()),  # no telling what exists
    ):
        if form is None or not tail.startswith("status"):
            page = client.get(url(plan, tail))
            assert (page.status_code, words in page.content.decode()) == (403, True), tail
        if form is not None:
            assert client.post(url(plan, tail), form).status_code == 403
    assert snapshot(plan) == before
    assert edits() == 0
    assert AuditEvent.objects.filter(action="access.denied", actor=person).exists()


def test_a_form_without_its_csrf_token_is_refused(plan: Plan, manager: User) -> None:
    strict = signed_in(Client(enforce_csrf_checks=True), manager)
    second = plan.phases.get(number=2)
    assert strict.post(url(plan, f"phases/{second.pk}/"), phase_form(name="Giả")).status_code == 403
    assert Phase.objects.get(pk=second.pk).name == "Giai đoạn 2"


def test_signed_out_people_are_sent_to_sign_in(plan: Plan, client: Client) -> None:
    assert client.get(url(plan)).status_code == 302
    assert client.post(url(plan, "status/"), {"status": "active"}).status_code == 302
    assert Plan.objects.get(pk=plan.pk).status == PlanStatus.DRAFT


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.integers(min_value=-3, max_value=230), min_size=3, max_size=3), st.booleans())
def test_an_allocation_sent_through_the_form_always_sums_or_changes_nothing(
    plan: Plan, browser: Client, values: list[int], grouped: bool
) -> None:
    parent = enterprises(plan)
    shares = list(parent.children.order_by("pk"))
    before = list(parent.children.order_by("pk").values_list("value", "edited"))
    form = {
        f"share_{s.pk}": f"{v:,}".replace(",", ".") if grouped else str(v)
        for s, v in zip(shares, values, strict=True)
    }
    page = browser.post(url(plan, f"targets/{parent.pk}/allocation/"), {**form, "action": "save"})
    rows = list(parent.children.order_by("pk").values_list("value", "edited"))
    if page.status_code == 302:
        assert [v for v, _ in rows] == values
    else:
        assert page.status_code == 400
        assert rows == before
    assert sum(v for v, _ in rows) == parent.value

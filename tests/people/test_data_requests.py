"""Requests about one's personal data (issue 16.2, Law 91/2025): the periods, one open request of a kind,
bad input refused with nothing written, the officer's steps (nationwide only, a fresh second factor,
one extension, closed is final) with the same answers on the page and the API, and the overdue figure."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from dinhdanh.core.errors import CoreError, DomainError
from dinhdanh.core.models import AuditEvent
from dinhdanh.core.workdays import WorkCalendar
from dinhdanh.geo.models import Level
from dinhdanh.people import selectors
from dinhdanh.people.errors import PeopleError
from dinhdanh.people.models import DataRequest, DataRequestState, User
from dinhdanh.people.permissions import PeopleRole
from dinhdanh.people.services import data_requests
from tests.conftest import make_officer, make_user, signed_in, unit

VN = ZoneInfo("Asia/Ho_Chi_Minh")
AN_GIANG = "91"


def test_the_periods_two_working_days_then_fifteen_or_twenty_days() -> None:
    calendar = WorkCalendar()
    friday = datetime(2026, 1, 9, 10, 0, tzinfo=VN)
    ack, due = data_requests.deadlines(friday, processor_involved=False, calendar=calendar)
    assert ack.astimezone(VN) == datetime(2026, 1, 13, 17, 0, tzinfo=VN)  # Monday, Tuesday
    assert due.astimezone(VN) == datetime(2026, 1, 26, 17, 0, tzinfo=VN)  # 24th is a Saturday: Monday
    _ack, due = data_requests.deadlines(friday, processor_involved=True, calendar=calendar)
    assert due.astimezone(VN) == datetime(2026, 1, 29, 17, 0, tzinfo=VN)


@pytest.fixture
def dpo(db: None) -> User:
    return make_officer(
        PeopleRole.DATA_PROTECTION_OFFICER, None, "Cán bộ Bảo vệ Dữ liệu", personal_id="001085007001"
    )


@pytest.mark.django_db
def test_a_request_is_filed_audited_and_a_second_open_one_of_its_kind_is_refused(citizen: User) -> None:
    row = data_requests.file_request(user=citizen, kind="access", detail="  Cho tôi bản sao  ")
    assert row.detail == "Cho tôi bản sao"
    assert row.state == DataRequestState.RECEIVED
    assert row.received_at < row.acknowledge_by < row.due_at
    assert AuditEvent.objects.filter(action="people.data_request_filed", object_id=str(row.pk)).count() == 1
    with pytest.raises(DomainError) as refused:
        data_requests.file_request(user=citizen, kind="access")
    assert refused.value.error is PeopleError.DATA_REQUEST_OPEN
    assert f"DR-{row.pk}" in refused.value.message()
    assert DataRequest.objects.filter(user=citizen).count() == 1
    other = data_requests.file_request(user=citizen, kind="erasure")
    assert other.pk != row.pk


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kind", "detail", "error"),
    [
        ("delete-everything", "", CoreError.INVALID_INPUT),
        ("", "", CoreError.INVALID_INPUT),
        (["access"], "", CoreError.INVALID_INPUT),
        ("correction", "   ", CoreError.EMPTY_VALUE),
        ("access", "x" * 2001, CoreError.TOO_LONG),
        ("access", "tên\x00<script>", CoreError.CONTROL_CHARACTERS),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(citizen: User, kind: Any, detail: str, error: Any) -> None:
    events = AuditEvent.objects.count()
    with pytest.raises(DomainError) as refused:
        data_requests.file_request(user=citizen, kind=kind, detail=detail)
    assert refused.value.error is error
    assert DataRequest.objects.count() == 0
    assert AuditEvent.objects.count() == events


@pytest.mark.django_db
def test_the_officer_acknowledges_extends_once_and_answers(citizen: User, dpo: User) -> None:
    row = data_requests.file_request(user=citizen, kind="erasure", detail="Xóa số điện thoại cũ")
    assert data_requests.acknowledge(actor=dpo, pk=row.pk).state == DataRequestState.ACKNOWLEDGED
    again = data_requests.acknowledge(actor=dpo, pk=row.pk)  # a second click records nothing
    assert AuditEvent.objects.filter(action="people.data_request_acknowledged").count() == 1
    extended = data_requests.extend(actor=dpo, pk=row.pk, reason="Cần xác minh với nhà mạng")
    assert extended.due_at.astimezone(VN).date() >= (again.due_at + timedelta(days=15)).astimezone(VN).date()
    with pytest.raises(DomainError) as twice:
        data_requests.extend(actor=dpo, pk=row.pk, reason="Lần nữa")
    assert twice.value.error is PeopleError.DATA_REQUEST_EXTENDED
    with pytest.raises(DomainError) as blank:
        data_requests.close(actor=dpo, pk=row.pk, done=False, outcome="  ")
    assert blank.value.error is CoreError.EMPTY_VALUE
    closed = data_requests.close(
        actor=dpo, pk=row.pk, done=False, outcome="Lịch sử đăng nhập phải lưu 5 năm; số điện thoại cũ đã được xóa."
    )
    assert closed.state == DataRequestState.REFUSED
    with pytest.raises(DomainError) as final:
        data_requests.acknowledge(actor=dpo, pk=row.pk)
    assert final.value.error is PeopleError.DATA_REQUEST_STATE
    # Closed, the same kind can be asked again.
    assert data_requests.file_request(user=citizen, kind="erasure").pk != row.pk


@pytest.mark.django_db
def test_only_a_nationwide_officer_handles_them_and_refusals_are_audited(citizen: User, dpo: User) -> None:
    row = data_requests.file_request(user=citizen, kind="access")
    provincial = make_officer(
        PeopleRole.DATA_PROTECTION_OFFICER,
        unit(AN_GIANG, Level.PROVINCE),
        "Cán bộ Tỉnh",
        personal_id="001085007002",
    )
    reviewer = make_officer(PeopleRole.REVIEWING_OFFICER, None, "Cán bộ Thẩm định", personal_id="001085007003")
    for actor, error in ((citizen, CoreError.PERMISSION_DENIED), (reviewer, CoreError.PERMISSION_DENIED),
                         (provincial, CoreError.OUT_OF_JURISDICTION)):  # fmt: skip
        with pytest.raises(DomainError) as refused:
            data_requests.acknowledge(actor=actor, pk=row.pk)
        assert refused.value.error is error
        with pytest.raises(DomainError):
            selectors.data_request_queue(actor=actor)
    assert AuditEvent.objects.filter(action="access.denied").count() >= 6
    assert DataRequest.objects.get(pk=row.pk).state == DataRequestState.RECEIVED
    assert [r.pk for r in selectors.data_request_queue(actor=dpo)] == [row.pk]


@pytest.mark.django_db
def test_page_and_api_give_the_same_answers(citizen: User, dpo: User) -> None:
    person = signed_in(Client(), citizen)
    filed = person.post(
        "/api/v1/me/data-requests", {"kind": "access", "detail": ""}, content_type="application/json"
    )
    assert filed.status_code == 201, filed.content
    number = filed.json()["number"]
    pk = int(number.removeprefix("DR-"))
    duplicate = person.post("/api/v1/me/data-requests", {"kind": "access"}, content_type="application/json")
    assert (duplicate.status_code, duplicate.json()["code"]) == (409, "people.data_request_open")
    page = person.post("/me/data-requests/", {"kind": "access"}, follow=True)
    assert "DR-" in page.content.decode()
    assert DataRequest.objects.filter(user=citizen).count() == 1
    listing = person.get("/me/data-requests/")
    assert listing.status_code == 200
    assert number in listing.content.decode()
    assert "no-store" in listing["Cache-Control"]
    assert [r["number"] for r in person.get("/api/v1/me/data-requests").json()] == [number]

    # The citizen is refused the officer's side on both faces.
    assert person.get("/api/v1/data-requests").status_code == 403
    assert person.get("/people/data-requests/").status_code == 403
    refused = person.post(
        f"/api/v1/data-requests/{pk}", {"action": "acknowledge"}, content_type="application/json"
    )
    assert (refused.status_code, refused.json()["code"]) == (403, "core.permission_denied")

    officer = signed_in(Client(), dpo)
    queue = officer.get("/api/v1/data-requests").json()
    assert [(r["number"], r["state"]) for r in queue] == [(number, "received")]
    assert "DR-" in officer.get("/people/data-requests/").content.decode()
    answer = officer.post(
        f"/api/v1/data-requests/{pk}", {"action": "extend", "text": ""}, content_type="application/json"
    )
    assert (answer.status_code, answer.json()["code"]) == (400, "core.empty_value")
    done = officer.post(
        f"/api/v1/data-requests/{pk}", {"action": "done", "text": "Đã gửi bản sao qua thư điện tử."},
        content_type="application/json",
    )  # fmt: skip
    assert (done.status_code, done.json()["state"]) == (200, "done")
    page = officer.post(f"/people/data-requests/{pk}/", {"action": "acknowledge"}, follow=True)
    assert "nên không thể xác nhận" in page.content.decode()  # closed is final, said on the page too
    assert person.get("/api/v1/me/data-requests").json()[0]["outcome"] == "Đã gửi bản sao qua thư điện tử."


@pytest.mark.django_db
def test_without_a_fresh_second_factor_the_officer_is_refused_on_the_api(citizen: User, dpo: User) -> None:
    row = data_requests.file_request(user=citizen, kind="objection", detail="Không đồng ý gửi tin quảng cáo")
    stale = signed_in(Client(), dpo, stepped_up=False)
    answer = stale.post(
        f"/api/v1/data-requests/{row.pk}", {"action": "acknowledge"}, content_type="application/json"
    )
    assert answer.status_code == 403
    assert json.loads(answer.content)["code"] == "people.step_up_required"
    assert DataRequest.objects.get(pk=row.pk).state == DataRequestState.RECEIVED


@pytest.mark.django_db
def test_late_requests_are_counted(citizen: User, dpo: User) -> None:
    late = data_requests.file_request(user=citizen, kind="access")
    on_time = data_requests.file_request(user=citizen, kind="correction", detail="Sai ngày sinh")
    assert selectors.data_requests_overdue() == 0
    past = timezone.now() - timedelta(hours=1)
    DataRequest.objects.filter(pk=late.pk).update(acknowledge_by=past)
    assert selectors.data_requests_overdue() == 1
    assert selectors.timers(DataRequest.objects.get(pk=late.pk)).acknowledgement_late
    DataRequest.objects.filter(pk=on_time.pk).update(due_at=past, acknowledge_by=past - timedelta(days=1))
    assert selectors.data_requests_overdue() == 2
    data_requests.close(actor=dpo, pk=on_time.pk, done=True, outcome="Đã sửa ngày sinh.")
    assert selectors.data_requests_overdue() == 1


ACTIONS = st.lists(st.sampled_from(["acknowledge", "extend", "done", "refuse"]), max_size=6)


@pytest.mark.django_db
@settings(max_examples=25, deadline=None, derandomize=True)
@given(ACTIONS)
def test_any_sequence_keeps_the_rules(steps: list[str]) -> None:
    """Closed is final, one extension at most, the answer date never moves back, one audit event per
    step that changed something."""
    DataRequest.objects.all().delete()
    citizen = User.objects.filter(full_name="Người Thử").first() or make_user("Người Thử")
    dpo = User.objects.filter(full_name="Cán bộ Máy").first() or make_officer(
        PeopleRole.DATA_PROTECTION_OFFICER, None, "Cán bộ Máy"
    )
    row = data_requests.file_request(user=citizen, kind="restriction", detail="Hạn chế")
    events, due, closed, extended = AuditEvent.objects.count(), row.due_at, False, False
    for step in steps:
        state_before = DataRequest.objects.get(pk=row.pk).state
        try:
            if step == "acknowledge":
                data_requests.acknowledge(actor=dpo, pk=row.pk)
            elif step == "extend":
                data_requests.extend(actor=dpo, pk=row.pk, reason="Cần thêm thời gian")
            else:
                data_requests.close(actor=dpo, pk=row.pk, done=step == "done", outcome="Trả lời")
        except DomainError as refused:
            assert closed or (step == "extend" and extended)
            assert refused.error in (PeopleError.DATA_REQUEST_STATE, PeopleError.DATA_REQUEST_EXTENDED)  # noqa: PT017
            assert AuditEvent.objects.count() == events
            continue
        assert not closed
        now_row = DataRequest.objects.get(pk=row.pk)
        assert now_row.due_at >= due
        due = now_row.due_at
        changed = not (step == "acknowledge" and state_before == DataRequestState.ACKNOWLEDGED)
        events += 1 if changed else 0
        assert AuditEvent.objects.count() == events
        extended = extended or step == "extend"
        closed = step in ("done", "refuse")


@pytest.mark.django_db
def test_the_person_downloads_their_copy_at_once_without_secrets(citizen: User) -> None:
    from tests.people.support import enrol_totp

    enrol_totp(citizen)
    data_requests.file_request(user=citizen, kind="access")
    stale = signed_in(Client(), citizen, stepped_up=False)
    assert stale.get("/api/v1/me/data-copy").json()["code"] == "people.step_up_required"
    assert stale.get("/me/data-requests/copy.json").status_code == 302  # to the step-up page
    fresh = signed_in(Client(), citizen)
    page = fresh.get("/me/data-requests/copy.json")
    assert page.status_code == 200
    assert "attachment" in page["Content-Disposition"]
    assert "no-store" in page["Cache-Control"]
    copy = json.loads(page.content)
    assert {"people.account", "people.signins", "people.factors", "people.data_requests",
            "federation.consents", "organizations.memberships"} <= set(copy["sections"])  # fmt: skip
    account = copy["sections"]["people.account"]["data"]
    assert account["full_name"] == citizen.full_name
    assert account["personal_id"] == citizen.personal_id_masked
    assert copy["sections"]["people.factors"]["data"]["authenticator_app_since"]
    assert [r["kind"] for r in copy["sections"]["people.data_requests"]["data"]] == ["access"]
    text = page.content.decode()
    for secret in ('"password"', "secret", "pbkdf2", "argon2", "sealed", "login_digest", citizen.password):
        assert secret not in text
    assert fresh.get("/api/v1/me/data-copy").json()["sections"].keys() == copy["sections"].keys()
    assert AuditEvent.objects.filter(action="people.data_copied", object_id=str(citizen.pk)).count() == 2

"""Reminders of units' weekly reports (issue 14.6): on the due day to whoever holds exactly the unit,
again once overdue, each at most once however often (and by however many workers) the job runs, in
office hours, audited without a phone number."""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta
from typing import Any

import pytest
from django.utils import timezone

from dinhdanh.campaigns.models import Metric, Phase, Plan, PlanStatus, Segment, Target
from dinhdanh.campaigns.models.reports import ReminderKind, ReportReminder
from dinhdanh.campaigns.reminders import recipients, remind, reminders_due
from dinhdanh.campaigns.reports import report_due, report_submit, reporting_units
from dinhdanh.core.models import AuditEvent
from dinhdanh.geo.models import AdministrativeUnit, Level
from dinhdanh.notifications.models import Message
from dinhdanh.notifications.rendering import render
from dinhdanh.registries.permissions import RegistryRole
from tests.conftest import make_officer, unit

pytestmark = pytest.mark.django_db
WEEK = date(2026, 10, 5)  # a Monday; its communes are due Thursday 08/10/2026 at 14:00
DUE_DAY = date(2026, 10, 8)


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)), timezone.get_default_timezone())


@pytest.fixture
def plan() -> Plan:
    plan = Plan.objects.create(
        slug="an-giang-nhac", reference="15/KH-UBND", title="Định danh tổ chức", issuing_body="UBND tỉnh An Giang",
        issued_on=date(2026, 9, 20), scope_unit=unit("91", Level.PROVINCE), status=PlanStatus.ACTIVE,
        unit_report_weekday=3, unit_report_time=time(14, 0), province_report_weekday=4,
    )  # fmt: skip
    phase = Phase.objects.create(plan=plan, number=1, name="Giai đoạn 1", starts_on=date(2026, 10, 5),
                                 ends_on=date(2026, 12, 31))  # fmt: skip
    Target.objects.create(plan=plan, phase=phase, metric=Metric.ACCOUNTS_ISSUED, segment=Segment.ENTERPRISE,
                          unit=plan.scope_unit, value=100)  # fmt: skip
    return plan


def holder(place: AdministrativeUnit, name: str, *, phone: str = "", email: str = "") -> Any:
    person = make_officer(RegistryRole.CAMPAIGN_MANAGER, place, name)
    person.phone, person.email = phone, email
    person.save(update_fields=["phone", "email"])
    return person


@pytest.fixture
def people(plan: Plan) -> dict[str, Any]:
    a, b, c = reporting_units(plan, DUE_DAY)[:3]
    return {
        "a": a, "b": b, "c": c,
        "alice": holder(a, "Cán bộ xã A", phone="0912345678", email="a@xa.gov.vn"),
        "bao": holder(b, "Cán bộ xã B", phone="0987654321"),
        "chi": holder(c, "Cán bộ xã C", phone="0911111111"),
        "province": holder(plan.scope_unit, "Cán bộ tỉnh", phone="0900000000", email="tinh@angiang.gov.vn"),
    }  # fmt: skip


def test_due_then_missing_each_once_to_the_units_own_people(plan: Plan, people: dict[str, Any]) -> None:
    assert report_due(plan, WEEK) == local(DUE_DAY, 14)
    report_submit(actor=people["chi"], plan=plan, unit=people["c"], week_start=WEEK, now=local(DUE_DAY, 8))
    assert reminders_due(local(DUE_DAY, 9)) == {"due": 2, "missing": 0, "messages": 3}
    sent = Message.objects.filter(template="campaign_report_reminder")
    assert {m.user for m in sent} == {people["alice"], people["bao"]}  # not C (reported), not the province
    first = sent.filter(user=people["alice"], channel="sms").get()
    assert first.params == {"kind": "due", "plan": "15/KH-UBND", "unit": people["a"].name,
                            "week": "05/10–11/10/2026", "due": "14:00 08/10/2026"}  # fmt: skip
    _subject, body = render(first)
    assert people["a"].name in body
    assert "hạn 14:00 08/10/2026" in body
    # Every few minutes, the same day: nothing more.
    assert reminders_due(local(DUE_DAY, 9, 5)) == {"due": 0, "missing": 0, "messages": 0}
    assert reminders_due(local(DUE_DAY, 13, 59)) == {"due": 0, "missing": 0, "messages": 0}
    # Past the due time: the "missing" reminder, once; B reported in the meantime and is left alone.
    report_submit(actor=people["bao"], plan=plan, unit=people["b"], week_start=WEEK, now=local(DUE_DAY, 14, 30))
    assert reminders_due(local(DUE_DAY, 15)) == {"due": 0, "missing": 1, "messages": 2}
    missing = Message.objects.filter(template="campaign_report_reminder", params__kind="missing")
    assert {m.user for m in missing} == {people["alice"]}
    subject, email = render(missing.get(channel="email"))
    assert subject == f"Chưa nhận được báo cáo tuần 05/10–11/10/2026 của {people['a'].name}"
    assert "chưa nhận được báo cáo" in email
    assert reminders_due(local(DUE_DAY + timedelta(days=1), 10)) == {"due": 0, "missing": 0, "messages": 0}
    assert ReportReminder.objects.count() == 3


def test_the_audit_names_people_by_id_never_by_number(plan: Plan, people: dict[str, Any]) -> None:
    reminders_due(local(DUE_DAY, 9))
    events = AuditEvent.objects.filter(action="campaign.report_reminded")
    assert events.count() == 3  # A, B and C: C's manager too, as C has not reported
    dumped = json.dumps([e.after for e in events])
    for person in ("alice", "bao", "chi", "province"):
        assert people[person].phone not in dumped
    assert "@" not in dumped
    alice = events.get(object_id=str(ReportReminder.objects.get(unit=people["a"]).pk))
    assert alice.after == {"plan": plan.slug, "week": "2026-10-05", "kind": "due", "users": [people["alice"].pk],
                           "messages": 2}  # fmt: skip


def test_two_workers_send_a_reminder_once(plan: Plan, people: dict[str, Any]) -> None:
    args = {"plan": plan, "unit": people["a"], "week_start": WEEK, "kind": ReminderKind.DUE,
            "due": local(DUE_DAY, 14), "now": local(DUE_DAY, 9)}  # fmt: skip
    assert remind(**args) == 2
    assert remind(**args) is None  # the second worker's insert fails on the unique key: nothing sent
    assert Message.objects.filter(user=people["alice"]).count() == 2
    assert ReportReminder.objects.count() == 1


@pytest.mark.parametrize(
    "moment",
    [
        (DUE_DAY, 3, 0),  # the due day, at night: no one is woken
        (DUE_DAY - timedelta(days=1), 10, 0),  # the day before
        (DUE_DAY, 21, 30),  # overdue, but after office hours
        (date(2026, 9, 24), 10, 0),  # before the plan's first week
    ],
)
def test_nothing_is_sent_outside_the_windows(
    plan: Plan, people: dict[str, Any], moment: tuple[date, int, int]
) -> None:
    assert reminders_due(local(*moment)) == {"due": 0, "missing": 0, "messages": 0}
    assert not ReportReminder.objects.exists()
    assert not Message.objects.exists()


def test_a_week_later_only_the_new_weeks_units_are_chased(plan: Plan, people: dict[str, Any]) -> None:
    counts = reminders_due(local(DUE_DAY + timedelta(days=7), 15))  # past both weeks' due times
    assert counts["missing"] == 3
    assert set(ReportReminder.objects.values_list("week_start", flat=True)) == {WEEK + timedelta(days=7)}


def test_closed_plans_and_units_nobody_holds_get_nothing(plan: Plan, people: dict[str, Any]) -> None:
    nobody = reporting_units(plan, DUE_DAY)[5]
    assert recipients(nobody, local(DUE_DAY, 9)) == []
    reminders_due(local(DUE_DAY, 9))
    assert not ReportReminder.objects.filter(unit=nobody).exists()  # no row: one assigned later is reminded
    Plan.objects.filter(pk=plan.pk).update(status=PlanStatus.CLOSED)
    assert reminders_due(local(DUE_DAY, 15)) == {"due": 0, "missing": 0, "messages": 0}


def test_a_revoked_or_inactive_holder_is_not_reminded(plan: Plan, people: dict[str, Any]) -> None:
    people["alice"].is_active = False
    people["alice"].save(update_fields=["is_active"])
    assert recipients(people["a"], local(DUE_DAY, 9)) == []
    assert recipients(people["b"], local(DUE_DAY, 9)) == [people["bao"]]


@pytest.mark.parametrize("kind", ["due", "missing"])
def test_the_templates_fit_an_sms_and_a_mail_whatever_the_names(kind: str) -> None:
    params = {"kind": kind, "plan": "374/KH-UBND-" + "Đ" * 48, "unit": "Phường " + "Ư" * 193,
              "week": "29/12–04/01/2026", "due": "14:00 01/01/2026"}  # fmt: skip
    sms_subject, sms = render(Message(channel="sms", to="0912345678", template="campaign_report_reminder",
                                      params=params))  # fmt: skip
    assert sms_subject == ""
    assert "\n" not in sms
    assert len(sms) <= 200
    assert "14:00 01/01/2026" in sms
    assert "{" not in sms
    subject, body = render(Message(channel="email", to="a@xa.gov.vn", template="campaign_report_reminder",
                                   params=params))  # fmt: skip
    assert subject
    assert "\n" not in subject
    assert body.splitlines()[0] == "Xin chào,"
    assert "Trân trọng," in body
    assert params["unit"] in body
    assert params["plan"] in body
    assert "{" not in body

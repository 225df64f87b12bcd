"""The working-day calendar's exceptions (issue 11.8): a page for system administrators and
`dinhdanh calendar`, with the same rules (the services'), and the deadlines count with them."""

from __future__ import annotations

import io
from contextlib import redirect_stderr
from datetime import date

import pytest
from django.core.management import call_command
from django.test import Client

from dinhdanh import cli
from dinhdanh.core.access import AdministratorRole
from dinhdanh.core.audit_actions import KernelAction
from dinhdanh.core.calendar import current_calendar
from dinhdanh.core.errors import DomainError
from dinhdanh.core.models import AuditEvent, DayOverride
from dinhdanh.geo.models import Level
from dinhdanh.people import assurance
from dinhdanh.people.permissions import PeopleRole
from dinhdanh.people.services.operators import calendar_remove, calendar_set
from tests.conftest import make_officer, make_user, signed_in, unit
from tests.web.support import html

pytestmark = pytest.mark.django_db
MONDAY = date(2026, 6, 8)  # an ordinary Monday


@pytest.fixture
def admin_client() -> Client:
    return signed_in(Client(), make_officer(AdministratorRole.SYSTEM_ADMIN, None, "Quản Trị Lịch"))


def test_an_administrator_declares_a_day_off_and_deadlines_skip_it(admin_client: Client) -> None:
    assert current_calendar().is_working_day(MONDAY)
    response = admin_client.post(
        "/calendar/", {"action": "set", "day": "2026-06-08", "kind": "off", "reason": "Nghỉ bù"}
    )
    assert response.status_code == 302
    assert not current_calendar().is_working_day(MONDAY)
    page = html(admin_client.get("/calendar/?year=2026"))
    assert "08/06/2026" in page
    assert "Nghỉ bù" in page
    assert AuditEvent.objects.filter(action=KernelAction.DAY_OVERRIDE_SET).count() == 1
    admin_client.post("/calendar/", {"action": "remove", "day": "2026-06-08"})
    assert not DayOverride.objects.exists()
    assert current_calendar().is_working_day(MONDAY)
    assert AuditEvent.objects.filter(action=KernelAction.DAY_OVERRIDE_SET).count() == 2


@pytest.mark.parametrize(
    "data",
    [
        {"action": "set", "day": "2026-13-01", "kind": "off", "reason": "x"},
        {"action": "set", "day": "2026-02-30", "kind": "off", "reason": "x"},
        {"action": "set", "day": "2026-06-08", "kind": "holiday", "reason": "x"},
        {"action": "set", "day": "2026-06-08", "kind": "off", "reason": ""},
        {"action": "set", "day": "2026-06-08", "kind": "off", "reason": "a\x00b"},
        {"action": "set", "day": "2026-06-08", "kind": "off", "reason": "x" * 301},
    ],
)
def test_bad_input_is_explained_and_writes_nothing(admin_client: Client, data: dict[str, str]) -> None:
    response = admin_client.post("/calendar/", data)
    assert response.status_code == 400
    assert 'role="alert"' in html(response)
    assert not DayOverride.objects.exists()


def test_others_are_refused(admin_client: Client) -> None:
    officer = signed_in(Client(), make_officer(PeopleRole.REVIEWING_OFFICER, unit("91", Level.PROVINCE)))
    assert officer.get("/calendar/").status_code == 403
    assert (
        officer.post(
            "/calendar/", {"action": "set", "day": "2026-06-08", "kind": "off", "reason": "x"}
        ).status_code
        == 403
    )
    assert signed_in(Client(), make_user()).get("/calendar/").status_code == 403
    assert not DayOverride.objects.exists()


def test_the_command_sets_lists_and_removes(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("calendar", "set", "--date", "2026-06-13", "--working", "--reason", "Làm bù cho ngày 8/6")
    assert current_calendar().is_working_day(date(2026, 6, 13))  # a Saturday made a working day
    call_command("calendar", "list", "--year", "2026")
    assert "2026-06-13" in capsys.readouterr().out
    call_command("calendar", "remove", "--date", "2026-06-13")
    assert not DayOverride.objects.exists()


@pytest.mark.parametrize(
    "args",
    [
        ["calendar", "set", "--date", "13/06/2026", "--working", "--reason", "x"],
        ["calendar", "set", "--date", "2026-06-13", "--working", "--reason", ""],
        ["calendar", "list", "--year", "99"],
    ],
)
@pytest.mark.usefixtures("keep_test_connection")
def test_bad_input_to_the_command_is_one_bilingual_line(args: list[str]) -> None:
    err = io.StringIO()
    with redirect_stderr(err):
        assert cli.main(args) == cli.EXIT_BAD_INPUT
    assert " / " in err.getvalue()
    assert not DayOverride.objects.exists()


def test_the_calendar_services_ask_for_a_fresh_factor_whatever_the_face() -> None:
    admin = make_officer(AdministratorRole.SYSTEM_ADMIN, None, "Quản Trị Lịch")
    stale = assurance.Assurance("http", second_factor_at=None)
    with assurance.bound(stale), pytest.raises(DomainError) as caught:
        calendar_set(actor=admin, day=MONDAY, is_working_day=False, reason="Nghỉ bù")
    assert caught.value.code == "people.step_up_required"
    with assurance.bound(stale), pytest.raises(DomainError):
        calendar_remove(actor=admin, day=MONDAY)
    assert not DayOverride.objects.exists()


def test_a_stale_session_on_the_page_is_sent_to_step_up() -> None:
    stale = signed_in(
        Client(), make_officer(AdministratorRole.SYSTEM_ADMIN, None, "Quản Trị Cũ"), stepped_up=False
    )
    response = stale.post("/calendar/", {"action": "set", "day": "2026-06-08", "kind": "off", "reason": "x"})
    assert response["Location"].startswith("/step-up/")
    assert not DayOverride.objects.exists()

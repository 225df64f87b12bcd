"""Operators can operate (issue 11.8): system administrators appoint and remove staff on a page and
through `dinhdanh staff`, with the services' rules, so that both give the same answers; the very first
administrator is appointed from the command line on a fresh database."""

from __future__ import annotations

import io
from contextlib import redirect_stderr

import pytest
from django.core.management import call_command
from django.test import Client

from dinhdanh import cli
from dinhdanh.core.access import AdministratorRole, KernelPermission, has_permission
from dinhdanh.core.audit_actions import KernelAction
from dinhdanh.core.errors import AccessError, DomainError
from dinhdanh.core.models import AuditEvent, RoleAssignment
from dinhdanh.core.services import role_grant, role_revoke
from dinhdanh.geo.models import Level
from dinhdanh.people import assurance
from dinhdanh.people.models import User
from dinhdanh.people.permissions import PeopleRole
from dinhdanh.people.services.operators import staff_appoint, staff_remove
from dinhdanh.registries.permissions import RegistryRole
from tests.conftest import make_officer, make_user, signed_in, unit
from tests.web.support import html

pytestmark = pytest.mark.django_db
PID = "091085000777"


@pytest.fixture
def admin() -> User:
    return make_officer(AdministratorRole.SYSTEM_ADMIN, None, "Quản Trị Viên")


def staff_page(user: User, *, stepped_up: bool = True) -> Client:
    return signed_in(Client(), user, stepped_up=stepped_up)


def appoint(client: Client, **data: str) -> object:
    return client.post("/people/staff/", {"unit": "*", "partner_source": "", **data})


def counts() -> tuple[int, int]:
    return RoleAssignment.objects.count(), AuditEvent.objects.filter(action=KernelAction.ROLE_GRANTED).count()


# --- the rules, the same for every face ------------------------------------------------------------


def test_the_first_administrator_is_appointed_from_the_command_line() -> None:
    person = make_user("Người Vận Hành", personal_id=PID)
    call_command("staff", "appoint", "--personal-id", PID, "--role", "system_admin")
    assert has_permission(person, KernelPermission.ADMINISTER_SYSTEM)
    event = AuditEvent.objects.get(action=KernelAction.ROLE_GRANTED)
    assert event.actor_id is None
    assert PID not in str(event.after)


def test_a_person_without_the_administrators_permission_appoints_nobody() -> None:
    officer = make_officer(PeopleRole.REVIEWING_OFFICER, unit("91", Level.PROVINCE))
    target = make_user("Người Khác")
    before = counts()
    with pytest.raises(DomainError) as caught:
        role_grant(actor=officer, user=target, role=PeopleRole.REVIEWING_OFFICER, unit=unit("91", Level.PROVINCE))
    assert caught.value.code == "core.permission_denied"
    assert counts() == before
    assert AuditEvent.objects.filter(action=KernelAction.ACCESS_DENIED, actor=officer).exists()


def test_nobody_appoints_or_removes_themselves(admin: User) -> None:
    with pytest.raises(DomainError) as caught:
        role_grant(actor=admin, user=admin, role=PeopleRole.REVIEWING_OFFICER, unit=unit("91", Level.PROVINCE))
    assert caught.value.error is AccessError.SELF_APPOINTMENT
    with pytest.raises(DomainError) as caught:
        role_revoke(actor=admin, assignment=admin.role_assignments.get())
    assert caught.value.error is AccessError.SELF_APPOINTMENT


def test_a_source_only_for_a_partner_clerk(admin: User) -> None:
    target = make_user("Người Khác")
    with pytest.raises(DomainError) as caught:
        role_grant(
            actor=admin,
            user=target,
            role=PeopleRole.REVIEWING_OFFICER,
            unit=unit("91", Level.PROVINCE),
            partner_source="tax",
        )
    assert caught.value.error is AccessError.SOURCE_NOT_FOR_ROLE
    clerk = role_grant(
        actor=admin,
        user=target,
        role=RegistryRole.PARTNER_CLERK,
        unit=unit("91", Level.PROVINCE),
        partner_source="tax",
    )
    assert clerk.partner_source == "tax"


def test_the_last_administrator_is_not_removed(admin: User) -> None:
    with pytest.raises(DomainError) as caught:
        role_revoke(actor=None, assignment=admin.role_assignments.get())
    assert caught.value.error is AccessError.LAST_ADMINISTRATOR
    second = make_officer(AdministratorRole.SYSTEM_ADMIN, None, "Quản Trị Hai")
    role_revoke(actor=second, assignment=admin.role_assignments.get())
    assert not has_permission(admin, KernelPermission.ADMINISTER_SYSTEM)


# --- the page -----------------------------------------------------------------------------------------


def test_an_administrator_appoints_and_removes_on_the_page(admin: User) -> None:
    person = make_user("Cán Bộ Mới", personal_id=PID)
    client = staff_page(admin)
    assert "Cán bộ và vai trò" in html(client.get("/people/staff/"))
    response = appoint(client, personal_id=PID, role="reviewing_officer", unit="91")
    assert response.status_code == 302  # type: ignore[attr-defined]
    assignment = RoleAssignment.objects.get(user=person)
    page = html(client.get("/people/staff/"))
    assert "Cán Bộ Mới" in page
    assert PID not in page
    assert client.post(f"/people/staff/{assignment.pk}/remove/").status_code == 302
    assignment.refresh_from_db()
    assert assignment.revoked_at is not None


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"personal_id": "12345", "role": "reviewing_officer"}, "12"),  # a malformed number
        ({"personal_id": "091085000999", "role": "reviewing_officer"}, "Không tìm thấy tài khoản"),
        ({"personal_id": PID, "role": "citizen"}, "reviewing_officer"),  # not a choice
        ({"personal_id": PID, "role": "reviewing_officer", "unit": "99999"}, "Không tìm thấy"),
        ({"personal_id": PID, "role": "reviewing_officer", "partner_source": "tax"}, "cơ quan phối hợp"),
        ({"personal_id": "<script>alert(1)</script>", "role": "reviewing_officer"}, "20"),
    ],
)
def test_bad_input_on_the_page_is_explained_and_writes_nothing(
    admin: User, data: dict[str, str], message: str
) -> None:
    make_user("Cán Bộ Mới", personal_id=PID)
    before = counts()
    response = appoint(staff_page(admin), **data)
    page = html(response)
    assert response.status_code == 400  # type: ignore[attr-defined]
    assert message in page
    assert "<script>alert(1)</script>" not in page
    assert counts() == before


def test_a_duplicate_is_refused_on_the_page_and_by_the_command(admin: User) -> None:
    make_user("Cán Bộ Mới", personal_id=PID)
    client = staff_page(admin)
    appoint(client, personal_id=PID, role="intake_officer", unit="91")
    again = appoint(client, personal_id=PID, role="intake_officer", unit="91")
    assert again.status_code == 400  # type: ignore[attr-defined]
    assert "đã có vai trò này" in html(again)
    with pytest.raises(DomainError) as caught:
        call_command("staff", "appoint", "--personal-id", PID, "--role", "intake_officer", "--unit", "91")
    assert caught.value.error is AccessError.DUPLICATE_ROLE


def test_others_are_refused_the_page_and_a_stale_session_must_step_up(admin: User) -> None:
    officer = make_officer(PeopleRole.REVIEWING_OFFICER, unit("91", Level.PROVINCE))
    assert staff_page(officer).get("/people/staff/").status_code == 403
    assert staff_page(make_user("Công Dân")).get("/people/staff/").status_code == 403
    make_user("Cán Bộ Mới", personal_id=PID)
    stale = appoint(staff_page(admin, stepped_up=False), personal_id=PID, role="intake_officer", unit="91")
    assert stale["Location"].startswith("/step-up/")  # type: ignore[index]
    assert not RoleAssignment.objects.filter(role="intake_officer").exists()


def test_the_page_needs_the_csrf_token(admin: User) -> None:
    make_user("Cán Bộ Mới", personal_id=PID)
    client = signed_in(Client(enforce_csrf_checks=True), admin)
    assert appoint(client, personal_id=PID, role="intake_officer").status_code == 403  # type: ignore[attr-defined]


# --- the command ----------------------------------------------------------------------------------------


def test_the_command_lists_and_removes(admin: User, capsys: pytest.CaptureFixture[str]) -> None:
    officer = make_officer(PeopleRole.INTAKE_OFFICER, unit("91", Level.PROVINCE), "Cán Bộ Tiếp Nhận")
    call_command("staff", "list", "--role", "intake_officer")
    out = capsys.readouterr().out
    assert "Cán Bộ Tiếp Nhận" in out
    assert "Quản Trị Viên" not in out
    call_command("staff", "remove", "--id", str(officer.role_assignments.get().pk))
    assert officer.role_assignments.get().revoked_at is not None


@pytest.mark.parametrize(
    "args",
    [
        ["staff", "appoint", "--personal-id", "abc", "--role", "intake_officer"],
        ["staff", "appoint", "--personal-id", PID, "--role", "intake_officer", "--unit", "99999"],
        ["staff", "appoint", "--personal-id", PID, "--role", "intake_officer", "--until", "31/12/2030"],
        ["staff", "remove", "--id", "999999"],
        ["staff", "list", "--role", "king"],
    ],
)
@pytest.mark.usefixtures("keep_test_connection")
def test_bad_input_to_the_command_is_one_bilingual_line(args: list[str]) -> None:
    make_user("Cán Bộ Mới", personal_id=PID)
    before = counts()
    err = io.StringIO()
    with redirect_stderr(err):
        assert cli.main(args) == cli.EXIT_BAD_INPUT
    assert err.getvalue().startswith("dinhdanh: ")
    assert " / " in err.getvalue()
    assert "Traceback" not in err.getvalue()
    assert counts() == before


def test_on_a_fresh_database_the_first_administrator_gets_an_account_too() -> None:
    call_command(
        "staff", "appoint", "--personal-id", PID, "--role", "system_admin", "--name", "Người Vận Hành",
        "--phone", "0912345678",
    )  # fmt: skip
    person = User.objects.get(full_name="Người Vận Hành")
    assert has_permission(person, KernelPermission.ADMINISTER_SYSTEM)
    assert not person.has_usable_password()  # set with "forgot password", by a code texted to the phone
    assert person.phone


@pytest.mark.parametrize(
    ("extra", "code"),
    [
        (["--phone", "12"], "core.invalid_input"),  # the password is set by SMS: a mobile number
        (["--phone", "0912345678", "--unit", "99999"], "geo.unknown_unit"),
        (["--phone", "0912345678", "--source", "tax"], "access.source_not_for_role"),
    ],
)
def test_a_refused_first_appointment_leaves_no_account(extra: list[str], code: str) -> None:
    before = User.objects.count()
    with pytest.raises(DomainError) as caught:
        call_command(
            "staff", "appoint", "--personal-id", PID, "--role", "intake_officer", "--name", "Ai Đó", *extra
        )
    assert caught.value.code == code
    assert User.objects.count() == before


def test_the_service_asks_for_a_fresh_factor_whatever_the_face(admin: User) -> None:
    """Step-up lives in the service (decision 0010): a face that forgot it would still be refused."""
    target = make_user("Cán Bộ Mới", personal_id=PID)
    stale = assurance.Assurance("http", second_factor_at=None)
    with assurance.bound(stale), pytest.raises(DomainError) as caught:
        staff_appoint(actor=admin, user=target, role=PeopleRole.INTAKE_OFFICER, unit=unit("91", Level.PROVINCE))
    assert caught.value.code == "people.step_up_required"
    assert not RoleAssignment.objects.filter(user=target).exists()
    with assurance.bound(stale), pytest.raises(DomainError):
        staff_remove(actor=admin, assignment=make_officer(PeopleRole.INTAKE_OFFICER, None).role_assignments.get())

"""Issue 10.2: separation of duties on a request, and four-eyes on a registry mismatch.

An officer who is the applicant, the representative or a co-representative named in the request, or
a representative or member of the organization, never assigns, verifies or decides it; a request
whose representative does not match the registry needs two different officers to approve.
"""

from __future__ import annotations

import pytest
from django.test import Client

from dinhdanh.applications import services
from dinhdanh.applications.audit_actions import ApplicationAction
from dinhdanh.applications.models import Application, Kind, SignOff, Status
from dinhdanh.applications.services.duties import valid_sign_offs
from dinhdanh.core.audit_actions import KernelAction
from dinhdanh.core.errors import DomainError
from dinhdanh.core.services import role_grant
from dinhdanh.organizations.models import Membership
from dinhdanh.people.logins import login_digest
from dinhdanh.people.models import User
from dinhdanh.registries.models import Record
from dinhdanh.registries.permissions import RegistryRole
from dinhdanh.registries.sources import Source
from tests.applications.support import (
    events,
    officer,
    person,
    personal_id,
    raw_data,
    record,
    start,
    submitted,
    tax_code,
)
from tests.conftest import make_user, signed_in
from tests.organizations.factories import make_organization
from tests.people.support import post_json, problem

pytestmark = pytest.mark.django_db


def _officer_with_pid() -> tuple[User, str]:
    pid = personal_id()
    return officer(personal_id=pid), pid


def _status(app: Application) -> str:
    return str(Application.objects.get(pk=app.pk).status)


def _refused(call: object, code: str) -> None:
    with pytest.raises(DomainError) as refused:
        call()  # type: ignore[operator]
    assert refused.value.error.code == code


def test_an_officer_who_names_herself_representative_cannot_decide_her_own_request() -> None:
    """The review's finding: an officer filed for a company whose registry lists someone else and
    approved it herself."""
    reviewer, reviewer_pid = _officer_with_pid()
    code = tax_code()
    record(code, representative_id="091093999999", representative_name="Người Khác")
    draft = services.application_start(
        actor=reviewer,
        kind=Kind.NEW,
        channel="online",
        capacity="representative",
        category="enterprise",
        data=raw_data(reviewer_pid, reviewer.full_name, code=code),
    )
    application = services.application_submit(actor=reviewer, application=draft)
    denied_before = len(events(KernelAction.ACCESS_DENIED))
    for call in (
        lambda: services.application_approve(
            actor=reviewer, application=application, note="Đã xem kết quả kiểm tra", acknowledge_failed_checks=True
        ),
        lambda: services.application_reject(actor=reviewer, application=application, reason="x"),
        lambda: services.application_assign(actor=reviewer, application=application, officer=reviewer),
        lambda: services.application_recheck(actor=reviewer, application=application),
        lambda: services.application_ask_supplement(actor=reviewer, application=application, reason="x"),
        lambda: services.verification_ask(
            actor=reviewer, application=application, question="?", partner_source=Source.TAX, unit=None
        ),
    ):
        _refused(call, "applications.conflict_of_interest")
    assert _status(application) == Status.CHECKING
    assert len(events(KernelAction.ACCESS_DENIED)) == denied_before + 6


def test_co_representatives_and_members_of_the_organization_are_conflicted_too() -> None:
    applicant, pid = person()
    co_officer, co_pid = _officer_with_pid()
    draft = start(applicant, pid, co_representative_names=[co_officer.full_name], co_representative_ids=[co_pid])
    application = services.application_submit(actor=applicant, application=draft)
    services.application_consent(actor=co_officer, application=application, given=True)
    _refused(
        lambda: services.application_approve(
            actor=co_officer,
            application=application,
            note="Đã xem kết quả kiểm tra",
            acknowledge_failed_checks=True,
        ),
        "applications.conflict_of_interest",
    )
    # A member of an issued organization, asked to decide its update request.
    rep, _rep_pid = person("Đỗ Thị Đại Diện")
    organization = make_organization(representative=rep)
    member_officer = officer()
    Membership.objects.create(organization=organization, user=member_officer, role="member", granted_by=rep)
    update = services.application_start(
        actor=rep,
        kind=Kind.UPDATE,
        channel="online",
        capacity="representative",
        category=organization.category,
        data={"street": "Số 9 đường Mới"},
        organization=organization,
    )
    update = services.application_submit(actor=rep, application=update)
    _refused(
        lambda: services.application_reject(actor=member_officer, application=update, reason="x"),
        "applications.conflict_of_interest",
    )
    # Nor may a colleague hand the request to a conflicted officer.
    colleague = officer()
    _refused(
        lambda: services.application_assign(actor=colleague, application=update, officer=member_officer),
        "applications.assignee_conflicted",
    )
    assert Application.objects.get(pk=update.pk).assigned_to_id is None


def test_a_partner_clerk_does_not_answer_about_their_own_organization() -> None:
    application, applicant = submitted()
    reviewer = officer()
    asked = services.verification_ask(
        actor=reviewer, application=application, question="?", partner_source=Source.TAX, unit=None
    )
    role_grant(actor=None, user=applicant, role=RegistryRole.PARTNER_CLERK, unit=None, partner_source=Source.TAX)
    _refused(
        lambda: services.verification_answer(actor=applicant, verification=asked, answer="Tốt", uploads=[]),
        "applications.conflict_of_interest",
    )


def _mismatched() -> Application:
    application, _applicant = submitted()
    record(application.code, representative_id="091093888888", representative_name="Người Trong Đăng Ký")
    services.application_recheck(actor=officer(), application=application)
    return application


def test_a_representative_mismatch_needs_two_different_officers() -> None:
    application = _mismatched()
    first, second = officer(), officer()
    services.application_approve(
        actor=first, application=application, note="Đã xem giấy tờ", acknowledge_failed_checks=True
    )
    assert _status(application) == Status.CHECKING
    assert [s.officer_id for s in valid_sign_offs(application)] == [first.pk]
    assert len(events(ApplicationAction.APP_FIRST_APPROVAL)) == 1
    _refused(
        lambda: services.application_approve(
            actor=first, application=application, note="Đã xem kết quả kiểm tra", acknowledge_failed_checks=True
        ),
        "applications.second_approval_by_another",
    )
    assert SignOff.objects.filter(application=application).count() == 1
    done = services.application_approve(
        actor=second, application=application, note="Đã xem kết quả kiểm tra", acknowledge_failed_checks=True
    )
    assert done.status == Status.APPROVED
    assert done.decided_by_id == second.pk
    approved = events(ApplicationAction.APP_APPROVED)[-1]
    assert isinstance(approved.after, dict)
    assert approved.after["four_eyes"]["first_officer"] == first.pk


def test_new_evidence_voids_the_first_approval() -> None:
    application = _mismatched()
    first, second = officer(), officer()
    services.application_approve(
        actor=first, application=application, note="Đã xem kết quả kiểm tra", acknowledge_failed_checks=True
    )
    # The registry changes and the checks run again: what the first officer saw no longer holds.
    Record.objects.filter(code=application.code).update(
        representative_digest=login_digest("091093777777"), representative_name="Người Mới Hơn"
    )
    services.application_recheck(actor=second, application=application)
    assert valid_sign_offs(application) == []
    services.application_approve(
        actor=second, application=application, note="Đã xem kết quả kiểm tra", acknowledge_failed_checks=True
    )
    assert _status(application) == Status.CHECKING  # second's is now the first approval


def test_four_eyes_is_configurable_per_kind_and_per_check(settings: object) -> None:
    settings.FOUR_EYES_CHECKS = frozenset()  # type: ignore[attr-defined]
    application = _mismatched()
    services.application_approve(
        actor=officer(), application=application, note="Đã xem kết quả kiểm tra", acknowledge_failed_checks=True
    )
    assert _status(application) == Status.APPROVED
    settings.FOUR_EYES_KINDS = frozenset({"new"})  # type: ignore[attr-defined]
    other, _ = submitted()
    services.application_approve(
        actor=officer(), application=other, note="Đã xem kết quả kiểm tra", acknowledge_failed_checks=True
    )
    assert _status(other) == Status.CHECKING


# The request differs from the registry: approving it is an acknowledged override (issue 15.3).
ACK = {"note": "Đã đối chiếu giấy tờ gốc", "acknowledge_failed_checks": True}
ACK_FORM = {"note": "Đã đối chiếu giấy tờ gốc", "acknowledge_failed_checks": "on"}


def test_the_api_and_the_page_give_the_same_answers() -> None:
    application = _mismatched()
    first, second = officer(), officer()
    api = signed_in(Client(), first)
    body = post_json(api, f"/api/v1/applications/{application.pk}/approve", ACK)
    assert body.status_code == 200, body.content
    assert body.json()["status"] == "checking"
    assert body.json()["first_approval"]["officer_id"] == first.pk
    problem(
        post_json(api, f"/api/v1/applications/{application.pk}/approve", ACK),
        409,
        "applications.second_approval_by_another",
    )
    page = signed_in(Client(), first)
    refused = page.post(f"/applications/queue/{application.pk}/approve/", ACK_FORM)
    assert refused.status_code == 302
    assert _status(application) == Status.CHECKING
    web = signed_in(Client(), second)
    shown = web.get(f"/applications/queue/{application.pk}/")
    assert "bốn mắt" in shown.content.decode()
    web.post(f"/applications/queue/{application.pk}/approve/", ACK_FORM)
    assert _status(application) == Status.APPROVED


def test_a_partners_answer_file_is_for_officers_and_the_partner_only() -> None:
    """Issue 10 (low): the applicant could download the partner's verification answer."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from dinhdanh.applications.models import Document
    from tests.applications.support import PDF

    application, applicant = submitted()
    reviewer = officer()
    asked = services.verification_ask(
        actor=reviewer, application=application, question="?", partner_source=Source.TAX, unit=None
    )
    clerk = make_user("Cán bộ Thuế")
    role_grant(actor=None, user=clerk, role=RegistryRole.PARTNER_CLERK, unit=None, partner_source=Source.TAX)
    services.verification_answer(
        actor=clerk, verification=asked, answer="Đang hoạt động", uploads=[SimpleUploadedFile("kq.pdf", PDF)]
    )
    answer_file = Document.objects.get(verification=asked)
    url = f"/api/v1/applications/documents/{answer_file.pk}"
    problem(signed_in(Client(), applicant).get(url), 403, "core.permission_denied")
    page = signed_in(Client(), applicant).get(f"/organizations/requests/{application.pk}/")
    assert page.status_code == 200
    assert "kq.pdf" not in page.content.decode()
    mine = signed_in(Client(), applicant).get(f"/api/v1/applications/{application.pk}").json()
    assert answer_file.pk not in [d["id"] for d in mine["documents"]]
    assert signed_in(Client(), reviewer).get(url).status_code == 200
    assert signed_in(Client(), clerk).get(url).status_code == 200

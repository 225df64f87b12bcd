"""Issue 10.1: every API write that needs a fresh second factor on the web needs it on the API too.

The rule lives in the services (``people.assurance.require_fresh_factor``); this test walks every
write operation the API declares, so a new endpoint fails here until it is put in one of the two
tables. For each step-up endpoint a real scenario is played twice: with a session older than the
step-up window (refused with ``people.step_up_required``, nothing written) and with a fresh one
(carried out), so a refusal for any other reason cannot pass for the right one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from ninja import Router

from dinhdanh.api.urls import api
from dinhdanh.applications import services as app_services
from dinhdanh.applications.models import Application, Check, Consent, StatusChange, VerificationRequest
from dinhdanh.core.services import role_grant
from dinhdanh.organizations.models import LockGround, Membership, Organization, OrganizationLock
from dinhdanh.organizations.services import grant_token
from dinhdanh.people.models import DataRequest, User
from dinhdanh.registries.permissions import RegistryRole
from dinhdanh.registries.sources import Source
from tests.applications.support import PDF, officer, person, start, submitted
from tests.conftest import make_user, signed_in
from tests.organizations.factories import make_organization, make_service
from tests.people.support import post_json, problem

pytestmark = pytest.mark.django_db

# Writes that need no fresh factor, and why (the web asks none for them either).
EXEMPT: dict[str, str] = {
    "auth_signin": "signing in is how the factor is proved",
    "auth_second_factor": "signing in",
    "auth_step_up": "the step-up itself",
    "auth_signout": "leaving is always allowed",
    "passkey_signin_options": "signing in",
    "passkey_signin_verify": "signing in",
    "passkey_second_factor_options": "signing in",
    "passkey_second_factor_verify": "signing in",
    "passkey_step_up_options": "the step-up itself",
    "passkey_step_up_verify": "the step-up itself",
    "passkey_register_verify": "the options call before it demands the fresh factor and binds the challenge",
    "registries_push_records": "a partner system's upload, as the upload page (no second-factor ceremony)",
    "reconcile_exclusion_set": "a working-list annotation, as on the reconciliation page",
    "reconcile_exclusion_lift": "a working-list annotation, as on the reconciliation page",
    "baselines_take": "a count kept for campaigns; changes no one's rights",
    "applications_start": "a draft; sending it (submit) needs the factor",
    "applications_update_draft": "a draft",
    "applications_add_document": "a draft's or a supplement's attachment; submit/decide need the factor",
    "applications_withdraw": "giving up one's own request removes power, never grants it",
    "applications_supplement": "answering the officer's question; the decision needs the factor",
    "organizations_switch": "acting as an organization uses grants already given",
    "data_requests_file": "asking about one's own data grants nothing; the officer's steps need the factor",
    "verify_organization": "a relying party's question with its own client token: no person, nothing changed",
    "verify_person": "a relying party's question with its own client token: no person, nothing changed",
    "verify_batch": "a relying party's questions with its own client token: no person, nothing changed",
    "request_attestation": "a relying party asks with its own client token: no person signed in",
    "notices_receiver_set": "a relying party's own delivery settings, with its own client token",
    "notices_subscribe": "a relying party's own subscription, with its own client token",
    "notices_unsubscribe": "a relying party's own subscription, with its own client token",
    "notices_poll": "a relying party acknowledges its own notices, with its own client token",
}


def _operations(router: Router, prefix: str = "") -> Iterator[tuple[str, str, str]]:
    for path, path_view in router.path_operations.items():
        for operation in path_view.operations:
            for method in operation.methods:
                if method != "GET":
                    yield method, prefix + path, str(operation.url_name)
    for sub_prefix, child, _tags in router._routers:
        yield from _operations(child, prefix + sub_prefix)


def write_operations() -> set[str]:
    return {name for prefix, router in api._routers for _method, _path, name in _operations(router, prefix)}


# --- scenarios ---------------------------------------------------------------------------------------


@dataclass
class Call:
    user: User
    url: str
    body: dict[str, Any]
    multipart: bool = False


BASE = "/api/v1/applications"
ORGS = "/api/v1/organizations"


def _submitted_with_reviewer() -> tuple[Application, User]:
    application, _applicant = submitted()
    return application, officer()


def _submit() -> Call:
    applicant, pid = person()
    draft = start(applicant, pid)
    return Call(applicant, f"{BASE}/{draft.pk}/submit", {})


def _consent() -> Call:
    applicant, pid = person()
    other, other_pid = person("Lê Văn Cường")
    draft = start(applicant, pid, co_representative_names=["Lê Văn Cường"], co_representative_ids=[other_pid])
    app_services.application_submit(actor=applicant, application=draft)
    return Call(other, f"{BASE}/{draft.pk}/consent", {"given": True})


def _review(action: str, body: dict[str, Any]) -> Callable[[], Call]:
    def scenario() -> Call:
        application, reviewer = _submitted_with_reviewer()
        if action == "assign":
            body["officer_id"] = officer().pk
        return Call(reviewer, f"{BASE}/{application.pk}/{action}", body)

    return scenario


def _asked() -> tuple[VerificationRequest, User]:
    application, reviewer = _submitted_with_reviewer()
    asked = app_services.verification_ask(
        actor=reviewer, application=application, question="Còn hoạt động?", partner_source=Source.TAX, unit=None
    )
    return asked, reviewer


def _verification_cancel() -> Call:
    asked, reviewer = _asked()
    return Call(reviewer, f"{BASE}/verifications/{asked.pk}/cancel", {"reason": "Không cần"})


def _verification_answer() -> Call:
    asked, _reviewer = _asked()
    clerk = make_user("Cán bộ Thuế")
    role_grant(actor=None, user=clerk, role=RegistryRole.PARTNER_CLERK, unit=None, partner_source=Source.TAX)
    return Call(clerk, f"{BASE}/verifications/{asked.pk}/answer", {"answer": "Đang hoạt động"}, multipart=True)


def _representative_and_org() -> tuple[User, Any]:
    rep = make_user("Trần Thị Đại Diện")
    return rep, make_organization(representative=rep)


def _grant() -> Call:
    rep, org = _representative_and_org()
    _grantee, grantee_pid = person("Phạm Văn Kế Toán")
    make_service("thue")
    return Call(rep, f"{ORGS}/{org.eid}/members", {"personal_id": grantee_pid, "services": ["thue"]})


def _grant_confirm() -> Call:
    """A token from step one (a fresh factor then), brought back in the session under test."""
    rep, org = _representative_and_org()
    grantee, _pid = person("Phạm Văn Kế Toán")
    pending = grant_token.Pending(org.pk, rep.pk, grantee.pk, "member", [], True, None)
    return Call(rep, f"{ORGS}/{org.eid}/members/confirm", {"token": grant_token.issue(pending)})


def _revoke() -> Call:
    rep, org = _representative_and_org()
    grantee, _pid = person("Phạm Văn Kế Toán")
    membership = Membership.objects.create(organization=org, user=grantee, role="member", granted_by=rep)
    return Call(rep, f"{ORGS}/{org.eid}/members/{membership.pk}/revoke", {"reason": "Nghỉ việc"})


def _lock() -> Call:
    rep, org = _representative_and_org()
    return Call(rep, f"{ORGS}/{org.eid}/lock", {"ground": "organization_request", "reason": "Mất điện thoại"})


def _unlock() -> Call:
    rep, org = _representative_and_org()
    reviewer = officer()
    from dinhdanh.organizations import services as org_services

    org_services.organization_lock(
        actor=rep, organization=org, ground=LockGround.ORGANIZATION_REQUEST, reason="Mất máy"
    )
    return Call(reviewer, f"{ORGS}/{org.eid}/unlock", {"reason": "Đã kiểm tra"})


def _passkey_register_options() -> Call:
    user = make_user("Người Có Mã")
    from dinhdanh.people import totp

    secret, _uri = totp.totp_begin(user=user)
    import pyotp

    totp.totp_confirm(user=user, code=pyotp.TOTP(secret).now())
    return Call(user, "/api/v1/passkeys/register/options", {})


def _orphan() -> tuple[Any, str]:
    _person, pid = person("Võ Thị Đại Diện")
    from dinhdanh.people.logins import login_digest

    return make_organization(representative_digest=login_digest(pid)), pid


def _claim() -> Call:
    org, _pid = _orphan()
    claimant = User.objects.get(login_digest=org.representative_digest)
    return Call(claimant, f"{ORGS}/control/{org.eid}/claim", {})


def _attach() -> Call:
    org, _pid = _orphan()
    return Call(officer(), f"{ORGS}/control/{org.eid}/attach-representative", {})


def _data_request() -> Call:
    from dinhdanh.people.permissions import PeopleRole
    from dinhdanh.people.services import data_requests
    from tests.conftest import make_officer

    row = data_requests.file_request(user=make_user("Người Hỏi Dữ Liệu"), kind="access")
    dpo = make_officer(PeopleRole.DATA_PROTECTION_OFFICER, None, "Cán bộ Dữ liệu")
    return Call(dpo, f"/api/v1/data-requests/{row.pk}", {"action": "acknowledge"})


STEP_UP: dict[str, Callable[[], Call]] = {
    "data_requests_decide": _data_request,
    "applications_submit": _submit,
    "applications_consent": _consent,
    "applications_assign": _review("assign", {}),
    "applications_recheck": _review("recheck", {}),
    "applications_ask_supplement": _review("ask-supplement", {"reason": "Thiếu giấy tờ"}),
    "applications_approve": _review("approve", {"note": "Đủ", "acknowledge_failed_checks": True}),
    "applications_reject": _review("reject", {"reason": "Không đủ điều kiện"}),
    "applications_verification_ask": _review("verifications", {"question": "?", "partner_source": "tax"}),
    "applications_verification_cancel": _verification_cancel,
    "applications_verification_answer": _verification_answer,
    "organization_member_grant": _grant,
    "organization_member_grant_preview": _grant,  # its URL is made from the same scenario below
    "organization_member_grant_confirm": _grant_confirm,
    "organization_member_revoke": _revoke,
    "organization_lock": _lock,
    "organization_unlock": _unlock,
    "organization_claim": _claim,
    "organization_attach": _attach,
    "passkey_register_options": _passkey_register_options,
}


def test_every_write_operation_is_classified() -> None:
    declared = write_operations()
    assert declared, "the walk found no operations"
    assert not set(STEP_UP) & set(EXEMPT)
    unclassified = declared - set(STEP_UP) - set(EXEMPT)
    assert not unclassified, f"decide step-up or exempt (with a reason) for: {sorted(unclassified)}"
    assert not (set(STEP_UP) | set(EXEMPT)) - declared, "a table names an operation that no longer exists"


def _world() -> tuple[object, ...]:
    return (
        sorted(Application.objects.values_list("pk", "status", "assigned_to_id")),
        StatusChange.objects.count(),
        sorted(Check.objects.values_list("pk", "checked_at")),
        sorted(VerificationRequest.objects.values_list("pk", "status")),
        sorted(Consent.objects.values_list("pk", "status")),
        sorted(Membership.objects.values_list("pk", "revoked_at")),
        sorted(OrganizationLock.objects.values_list("pk", "unlocked_at")),
        sorted(Organization.objects.values_list("pk", "representative_id")),
        sorted(DataRequest.objects.values_list("pk", "state")),
    )


def _send(call: Call, *, stepped_up: bool) -> Any:
    client = signed_in(Client(enforce_csrf_checks=True), call.user, stepped_up=stepped_up)
    token = client.get("/api/v1/auth/csrf").json()["csrf_token"]
    if call.multipart:
        body = {**call.body, "files": [SimpleUploadedFile("kq.pdf", PDF)]}
        return client.post(call.url, body, headers={"X-CSRFToken": token})
    return post_json(client, call.url, call.body, token)


@pytest.mark.parametrize("name", sorted(STEP_UP))
def test_a_stale_session_is_refused_and_a_fresh_one_is_served(name: str) -> None:
    call = STEP_UP[name]()
    if name == "organization_member_grant_preview":
        call = Call(call.user, call.url + "/preview", call.body)
    before = _world()
    problem(_send(call, stepped_up=False), 403, "people.step_up_required")
    assert _world() == before, "a refused call wrote something"
    done = _send(call, stepped_up=True)
    assert 200 <= done.status_code < 300, done.content
    if name not in ("passkey_register_options", "organization_member_grant_preview"):  # write nothing by design
        assert _world() != before

"""The requests API: every transition reachable over HTTP, CSRF on every POST, step-up for submit and
consent, problem+json refusals, 404 for other people's requests, 403 + audit outside a jurisdiction."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from dinhdanh.applications.models import Application, Status, VerificationRequest
from dinhdanh.core.audit_actions import KernelAction
from dinhdanh.core.services import role_grant
from dinhdanh.people.permissions import PeopleRole
from dinhdanh.registries.permissions import RegistryRole
from dinhdanh.registries.sources import Source
from tests.applications.support import FAR_COMMUNE, PDF, commune, events, officer, person, raw_data
from tests.conftest import make_user, signed_in
from tests.people.support import PROBLEM, post_json, problem

pytestmark = pytest.mark.django_db
BASE = "/api/v1/applications/"


def client_for(user: Any, *, stepped_up: bool = True) -> tuple[Client, str]:
    client = signed_in(Client(enforce_csrf_checks=True), user, stepped_up=stepped_up)
    token = client.get("/api/v1/auth/csrf").json()["csrf_token"]
    return client, token


def new_body(pid: str, name: str, **changes: Any) -> dict[str, Any]:
    return {
        "kind": "new",
        "channel": "online",
        "capacity": "representative",
        "category": "enterprise",
        "data": raw_data(pid, name, **changes),
    }


def filed() -> tuple[dict[str, Any], Client, str, Any]:
    applicant, pid = person()
    client, token = client_for(applicant)
    created = post_json(client, BASE, new_body(pid, applicant.full_name), token)
    assert created.status_code == 201, created.content
    app = created.json()
    submitted = post_json(client, f"{BASE}{app['id']}/submit", {}, token)
    assert submitted.status_code == 200, submitted.content
    return submitted.json(), client, token, applicant


def test_the_applicant_drafts_uploads_and_submits() -> None:
    applicant, pid = person()
    client, token = client_for(applicant)
    created = post_json(client, BASE, new_body(pid, applicant.full_name), token)
    assert created.status_code == 201
    body = created.json()
    assert body["status"] == "draft"
    assert body["number"].startswith("HS-")
    assert pid not in created.content.decode()
    assert "digest" not in created.content.decode()
    assert body["data"]["representative"]["masked"].startswith("0910")
    app_id = body["id"]
    changed = client.put(
        f"{BASE}{app_id}/draft",
        json.dumps({"data": raw_data(pid, applicant.full_name, name="Công ty TNHH Hoa Sen Mới")}),
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )
    assert changed.status_code == 200
    assert changed.json()["name"] == "Công ty TNHH Hoa Sen Mới"
    from django.core.files.uploadedfile import SimpleUploadedFile

    uploaded = client.post(
        f"{BASE}{app_id}/documents",
        {"kind": "request_form", "file": SimpleUploadedFile("to-khai.pdf", PDF)},
        headers={"X-CSRFToken": token},
    )
    assert uploaded.status_code == 201, uploaded.content
    doc = uploaded.json()
    assert doc["content_type"] == "application/pdf"
    download = client.get(f"{BASE}documents/{doc['id']}")
    assert download.status_code == 200
    assert download.content == PDF
    assert download["Content-Disposition"].startswith("attachment")
    bad = client.post(
        f"{BASE}{app_id}/documents",
        {"kind": "request_form", "file": SimpleUploadedFile("x.pdf", b"MZ\x90\x00 not a pdf")},
        headers={"X-CSRFToken": token},
    )
    problem(bad, 400, "applications.document_type")
    submitted = post_json(client, f"{BASE}{app_id}/submit", {}, token)
    assert submitted.json()["status"] == "checking"
    assert submitted.json()["due_at"]
    listed = client.get(BASE).json()
    assert [a["id"] for a in listed] == [app_id]


def test_posts_need_the_csrf_token_and_submit_needs_step_up() -> None:
    applicant, pid = person()
    client, token = client_for(applicant, stepped_up=False)
    problem(post_json(client, BASE, new_body(pid, applicant.full_name)), 403, "core.csrf_failed")
    assert not Application.objects.exists()
    app_id = post_json(client, BASE, new_body(pid, applicant.full_name), token).json()["id"]
    problem(post_json(client, f"{BASE}{app_id}/submit", {}, token), 403, "people.step_up_required")
    assert Application.objects.get(pk=app_id).status == Status.DRAFT


def test_bad_input_is_problem_json_and_writes_nothing() -> None:
    applicant, pid = person()
    client, token = client_for(applicant)
    wrong = post_json(client, BASE, new_body(pid, applicant.full_name, code="HTX0012345"), token)
    body = problem(wrong, 400, "applications.code_wrong_category")
    assert body["field"] == "code"
    problem(
        post_json(client, BASE, new_body(pid, applicant.full_name, head_office_code="99999"), token),
        400,
        "applications.head_office_unknown",
    )
    problem(
        post_json(client, BASE, new_body(pid, applicant.full_name, code="0100109107"), token),
        400,
        "codes.tax_checksum",
    )
    problem(post_json(client, BASE, "{not json", token), 400, "core.http_error")
    problem(post_json(client, BASE, {"kind": "new"}, token), 422, "core.validation")
    assert not Application.objects.exists()
    low, low_pid = person(level=1)
    low_client, low_token = client_for(low)
    problem(
        post_json(low_client, BASE, new_body(low_pid, low.full_name), low_token),
        403,
        "applications.level_2_required",
    )


def test_someone_elses_request_is_404_for_a_citizen() -> None:
    app, _, _, _ = filed()
    stranger, _ = person()
    client, token = client_for(stranger)
    problem(client.get(f"{BASE}{app['id']}"), 404, "core.not_found")
    problem(post_json(client, f"{BASE}{app['id']}/withdraw", {"reason": "x"}, token), 404, "core.not_found")
    assert Application.objects.get(pk=app["id"]).status == Status.CHECKING


def test_officer_queue_detail_and_decisions() -> None:
    app, _, _, applicant = filed()
    reviewer = officer()
    client, token = client_for(reviewer)
    queue = client.get(f"{BASE}queue").json()
    assert [a["id"] for a in queue] == [app["id"]]
    assert client.get(f"{BASE}queue?overdue=true").json() == []
    assert client.get(f"{BASE}queue?status=approved").json() == []
    detail = client.get(f"{BASE}officer/{app['id']}").json()
    assert len(detail["checks"]) == 8
    assert detail["history"][0]["to_status"] == "submitted"
    colleague = officer()
    assigned = post_json(client, f"{BASE}{app['id']}/assign", {"officer_id": colleague.pk}, token)
    assert assigned.json()["assigned_to_id"] == colleague.pk
    assert len(post_json(client, f"{BASE}{app['id']}/recheck", {}, token).json()) == 8
    asked = post_json(client, f"{BASE}{app['id']}/ask-supplement", {"reason": "Thiếu tờ khai"}, token)
    assert asked.json()["status"] == "needs_supplement"
    applicant_client, applicant_token = client_for(applicant)
    back = post_json(applicant_client, f"{BASE}{app['id']}/supplement", {"note": "Đã bổ sung"}, applicant_token)
    assert back.json()["status"] == "checking"
    problem(
        post_json(client, f"{BASE}{app['id']}/reject", {"reason": ""}, token), 400, "applications.reason_required"
    )
    approved = post_json(
        client, f"{BASE}{app['id']}/approve", {"note": "Đủ", "acknowledge_failed_checks": True}, token
    )
    assert approved.status_code == 200, approved.content
    assert approved.json()["status"] == "approved"
    assert approved.json()["organization_eid"]
    problem(post_json(client, f"{BASE}{app['id']}/approve", {}, token), 409, "applications.illegal_transition")


def test_an_officer_elsewhere_gets_403_and_an_audit_event() -> None:
    app, _, _, _ = filed()
    far = officer(where=commune(FAR_COMMUNE))
    client, token = client_for(far)
    before = len(events(KernelAction.ACCESS_DENIED))
    problem(client.get(f"{BASE}officer/{app['id']}"), 403, "core.out_of_jurisdiction")
    problem(
        post_json(client, f"{BASE}{app['id']}/reject", {"reason": "x"}, token), 403, "core.out_of_jurisdiction"
    )
    assert client.get(f"{BASE}queue").json() == []
    assert len(events(KernelAction.ACCESS_DENIED)) == before + 2
    assert Application.objects.get(pk=app["id"]).status == Status.CHECKING


def test_verification_over_http_and_reject() -> None:
    app, _, _, _ = filed()
    reviewer = officer()
    client, token = client_for(reviewer)
    asked = post_json(
        client, f"{BASE}{app['id']}/verifications", {"question": "Còn hoạt động?", "partner_source": "tax"}, token
    )
    assert asked.status_code == 201, asked.content
    clerk = make_user("Cán bộ Thuế")
    role_grant(actor=None, user=clerk, role=RegistryRole.PARTNER_CLERK, unit=None, partner_source=Source.TAX)
    clerk_client, clerk_token = client_for(clerk)
    listed = clerk_client.get(f"{BASE}verifications?status=open").json()
    assert [v["id"] for v in listed] == [asked.json()["id"]]
    from django.core.files.uploadedfile import SimpleUploadedFile

    answered = clerk_client.post(
        f"{BASE}verifications/{asked.json()['id']}/answer",
        {"answer": "Đang hoạt động", "files": [SimpleUploadedFile("kq.pdf", PDF)]},
        headers={"X-CSRFToken": clerk_token},
    )
    assert answered.status_code == 200, answered.content
    assert Application.objects.get(pk=app["id"]).status == Status.CHECKING
    again = post_json(
        client, f"{BASE}{app['id']}/verifications", {"question": "?", "partner_source": "business"}, token
    )
    cancelled = post_json(
        client, f"{BASE}verifications/{again.json()['id']}/cancel", {"reason": "Không cần"}, token
    )
    assert cancelled.json()["status"] == "cancelled"
    assert VerificationRequest.objects.filter(status="open").count() == 0
    rejected = post_json(client, f"{BASE}{app['id']}/reject", {"reason": "Không đủ điều kiện"}, token)
    assert rejected.json()["status"] == "rejected"
    assert rejected.json()["decision_reason"] == "Không đủ điều kiện"


def test_consent_and_withdraw_over_http() -> None:
    applicant, pid = person()
    other, other_pid = person("Lê Văn Cường")
    client, token = client_for(applicant)
    body = new_body(
        pid, applicant.full_name, co_representative_names=["Lê Văn Cường"], co_representative_ids=[other_pid]
    )
    app_id = post_json(client, BASE, body, token).json()["id"]
    assert post_json(client, f"{BASE}{app_id}/submit", {}, token).json()["status"] == "awaiting_consent"
    other_client, other_token = client_for(other)
    waiting = other_client.get(f"{BASE}consents").json()
    assert [c["application_id"] for c in waiting] == [app_id]
    assert other_client.get(f"{BASE}{app_id}").status_code == 200  # they may read what they consent to
    done = post_json(other_client, f"{BASE}{app_id}/consent", {"given": True}, other_token)
    assert done.json()["status"] == "checking"
    withdrawn = post_json(client, f"{BASE}{app_id}/withdraw", {"reason": "Nộp lại sau"}, token)
    assert withdrawn.json()["status"] == "withdrawn"


def test_in_person_intake_over_http() -> None:
    intake = officer(PeopleRole.INTAKE_OFFICER)
    applicant, pid = person()
    client, token = client_for(intake)
    body = {**new_body(pid, applicant.full_name), "channel": "in_person", "applicant_personal_id": pid}
    body["id_card_checked"] = True
    created = post_json(client, BASE, body, token)
    assert created.status_code == 201, created.content
    assert pid not in created.content.decode()
    submitted = post_json(client, f"{BASE}{created.json()['id']}/submit", {}, token)
    assert submitted.json()["status"] == "checking"
    unknown = {**body, "applicant_personal_id": "091099999999"}
    problem(post_json(client, BASE, unknown, token), 404, "applications.applicant_unknown")


def test_never_a_500_for_odd_ids_and_bodies() -> None:
    applicant, _ = person()
    client, token = client_for(applicant)
    for url in (f"{BASE}999999999", f"{BASE}documents/999999999", f"{BASE}officer/1"):
        response = client.get(url)
        assert response.status_code in {403, 404}
        assert response["Content-Type"] == PROBLEM
    assert client.get(f"{BASE}abc").status_code == 404
    weird = post_json(
        client,
        BASE,
        {"kind": "new", "capacity": "representative", "category": "enterprise", "data": {"name": ["a", "b"]}},
        token,
    )
    assert weird.status_code == 400
    assert weird["Content-Type"] == PROBLEM


def test_idempotency_key_replays_instead_of_writing_twice() -> None:
    applicant, pid = person()
    client, token = client_for(applicant)
    body = new_body(pid, applicant.full_name)
    keyed = {"X-CSRFToken": token, "Idempotency-Key": "k-1"}
    first = client.post(BASE, json.dumps(body), content_type="application/json", headers=keyed)
    again = client.post(BASE, json.dumps(body), content_type="application/json", headers=keyed)
    assert first.status_code == again.status_code == 201
    assert again["Idempotency-Replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    assert Application.objects.count() == 1
    url = f"{BASE}{first.json()['id']}/submit"
    one = client.post(
        url, "{}", content_type="application/json", headers={"X-CSRFToken": token, "Idempotency-Key": "s"}
    )
    two = client.post(
        url, "{}", content_type="application/json", headers={"X-CSRFToken": token, "Idempotency-Key": "s"}
    )
    assert one.json()["status"] == two.json()["status"] == "checking"
    assert two["Idempotency-Replayed"] == "true"

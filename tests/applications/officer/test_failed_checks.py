"""Approving despite a failed check (issue 15.3): an explicit acknowledgement and a note, in the service, so the
page and the API give the same answer; refused attempts change nothing; the override is in the audit."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from dinhdanh.applications import services
from dinhdanh.applications.audit_actions import ApplicationAction
from dinhdanh.applications.models import Application, Status
from dinhdanh.core.errors import DomainError
from dinhdanh.core.models import AuditEvent
from dinhdanh.organizations.models import Organization
from tests.applications.officer.support import client_for, filed, reviewer
from tests.conftest import signed_in
from tests.people.support import post_json, problem
from tests.web.support import html

pytestmark = pytest.mark.django_db

NOTE = "Đã đối chiếu giấy đăng ký gốc; cơ sở dữ liệu chưa cập nhật."


def status(app: Application) -> str:
    return str(Application.objects.get(pk=app.pk).status)


def api(officer: Any) -> tuple[Client, str]:
    client = signed_in(Client(enforce_csrf_checks=True), officer, stepped_up=True)
    return client, client.get("/api/v1/auth/csrf").json()["csrf_token"]


def test_a_request_not_in_any_registry_has_failed_checks() -> None:
    kinds = {check.kind for check in services.failed_checks(filed())}
    assert "code_known" in kinds


@pytest.mark.parametrize(
    ("acknowledged", "note", "code"),
    [
        (False, NOTE, "applications.failed_checks_unacknowledged"),  # a note alone is not an acknowledgement
        (True, "", "applications.failed_checks_note_required"),
        (True, "   \n\t ", "applications.failed_checks_note_required"),
        ("true", NOTE, "applications.failed_checks_unacknowledged"),  # only True itself
        (1, NOTE, "applications.failed_checks_unacknowledged"),
    ],
)
def test_the_service_refuses_without_both_and_changes_nothing(acknowledged: object, note: str, code: str) -> None:
    app, officer = filed(), reviewer()
    before = AuditEvent.objects.count()
    with pytest.raises(DomainError) as refused:
        services.application_approve(
            actor=officer, application=app, note=note, acknowledge_failed_checks=acknowledged
        )
    assert refused.value.code == code
    assert status(app) == Status.CHECKING
    assert not Organization.objects.filter(code=app.code).exists()
    assert AuditEvent.objects.count() == before


def test_the_message_names_the_failed_checks_by_label() -> None:
    with pytest.raises(DomainError) as refused:
        services.application_approve(actor=reviewer(), application=filed())
    assert "Có trong cơ sở dữ liệu đăng ký" in refused.value.message()
    assert "code_known" not in refused.value.message()


def test_a_note_too_long_is_refused() -> None:
    app = filed()
    with pytest.raises(DomainError):
        services.application_approve(
            actor=reviewer(), application=app, note="x" * 1001, acknowledge_failed_checks=True
        )
    assert status(app) == Status.CHECKING


def test_acknowledged_with_a_note_approves_and_the_audit_keeps_both() -> None:
    app = filed()
    hostile = NOTE + " <script>alert(1)</script>"
    done = services.application_approve(
        actor=reviewer(), application=app, note=hostile, acknowledge_failed_checks=True
    )
    assert done.status == Status.APPROVED
    after = AuditEvent.objects.filter(action=ApplicationAction.APP_APPROVED).get().after or {}
    assert after["note"] == hostile  # kept as text; templates escape it
    assert "code_known" in after["failed_checks_acknowledged"]


def test_the_page_and_the_api_give_the_same_answer() -> None:
    first, second = filed(name="Công ty TNHH Trang Web"), filed(name="Công ty TNHH Giao Diện")
    page = client_for(reviewer())
    refused_page = page.post(f"/applications/queue/{first.pk}/approve/", {"note": NOTE}, follow=True)
    assert "Để vẫn duyệt" in html(refused_page)
    client, token = api(reviewer())
    url = f"/api/v1/applications/{second.pk}/approve"
    problem(post_json(client, url, {"note": NOTE}, token), 409, "applications.failed_checks_unacknowledged")
    problem(
        post_json(client, url, {"note": "", "acknowledge_failed_checks": True}, token),
        400,
        "applications.failed_checks_note_required",
    )
    assert post_json(client, url, {"note": NOTE, "acknowledge_failed_checks": "yes"}, token).status_code in {
        400,
        422,
    }
    assert (status(first), status(second)) == (Status.CHECKING, Status.CHECKING)

    page.post(f"/applications/queue/{first.pk}/approve/", {"note": NOTE, "acknowledge_failed_checks": "on"})
    answer = post_json(client, url, {"note": NOTE, "acknowledge_failed_checks": True}, token)
    assert answer.status_code == 200, answer.content
    assert (status(first), status(second)) == (Status.APPROVED, Status.APPROVED)


def test_a_second_approval_is_refused_as_a_transition_not_approved_twice() -> None:
    app, officer = filed(), reviewer()
    services.application_approve(actor=officer, application=app, note=NOTE, acknowledge_failed_checks=True)
    with pytest.raises(DomainError) as again:
        services.application_approve(actor=officer, application=app, note=NOTE, acknowledge_failed_checks=True)
    assert again.value.code == "applications.illegal_transition"
    assert Organization.objects.filter(code=app.code).count() == 1


# --- decide and open the next; the queue's order ---------------------------------------------------------


def test_decide_and_next_with_nothing_left_returns_to_the_queue() -> None:
    app, officer = filed(), reviewer()
    page = client_for(officer)
    response = page.post(
        f"/applications/queue/{app.pk}/approve/", {"note": NOTE, "acknowledge_failed_checks": "on", "then": "next"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/applications/queue/"
    assert status(app) == Status.APPROVED


def test_decide_and_next_after_a_refusal_stays_on_the_request() -> None:
    app, other = filed(), filed()
    response = client_for(reviewer()).post(
        f"/applications/queue/{app.pk}/approve/", {"note": NOTE, "then": "next"}
    )
    assert response["Location"] == f"/applications/queue/{app.pk}/"  # refused: not carried on to {other}
    assert (status(app), status(other)) == (Status.CHECKING, Status.CHECKING)


@pytest.mark.parametrize("sort", ["evil", "-pk", "name_key; DROP", "", "number"])
def test_an_unknown_queue_order_falls_back_to_the_default(sort: str) -> None:
    first, second = filed(name="Công ty TNHH Zeta"), filed(name="Công ty TNHH An")
    page = client_for(reviewer()).get("/applications/queue/", {"sort": sort})
    assert page.status_code == 200
    text = html(page)
    assert first.number in text
    assert second.number in text

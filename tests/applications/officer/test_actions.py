"""The officer's decisions: each happy path, and each refusal that changes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from dinhdanh.applications.audit_actions import ApplicationAction
from dinhdanh.applications.models import Application, Status, StatusChange, VerificationRequest, VerificationStatus
from dinhdanh.organizations.models import Organization
from tests.applications.officer.support import (
    OTHER_COMMUNE,
    client_for,
    denials,
    events,
    filed,
    intake_officer,
    messages_of,
    reviewer,
)
from tests.conftest import signed_in
from tests.web.support import assert_friendly, html

pytestmark = pytest.mark.django_db


def act(client: Client, app: Application, action: str, data: dict[str, Any] | None = None) -> Any:
    return client.post(f"/applications/queue/{app.pk}/{action}/", data or {})


def after(client: Client, response: Any, app: Application) -> str:
    """The page the action redirects to, with its message."""
    assert response.status_code == 302, html(response)
    assert response["Location"] == f"/applications/queue/{app.pk}/"
    return messages_of(html(client.get(response["Location"])))


def fresh(app: Application) -> Application:
    return Application.objects.get(pk=app.pk)


def history(app: Application) -> int:
    return StatusChange.objects.filter(application=app).count()


# --- approve ----------------------------------------------------------------------------------------------


# Every request filed here is not in a registry, so its checks failed: approving is an acknowledged override.
ACK = {"note": "Đã đối chiếu giấy tờ gốc.", "acknowledge_failed_checks": "on"}


def test_approve_issues_the_organization() -> None:
    app, client = filed(name="Công ty TNHH Được Duyệt"), client_for(reviewer())
    message = after(
        client, act(client, app, "approve", {"note": "Hồ sơ đầy đủ.", "acknowledge_failed_checks": "on"}), app
    )
    assert "Đã duyệt" in message
    assert fresh(app).status == Status.APPROVED
    organization = Organization.objects.get(code=app.code)
    assert organization.name == "Công ty TNHH Được Duyệt"
    assert events(ApplicationAction.APP_APPROVED) == 1


def test_approving_twice_issues_one_organization() -> None:
    app, client = filed(), client_for(reviewer())
    after(client, act(client, app, "approve", ACK), app)
    changes = history(app)
    message = after(client, act(client, app, "approve", ACK), app)
    assert "success" not in message
    assert message  # the refusal is explained
    assert Organization.objects.filter(code=app.code).count() == 1
    assert history(app) == changes


def test_an_intake_officer_cannot_approve() -> None:
    app = filed()
    before = denials()
    assert_friendly(act(client_for(intake_officer()), app, "approve"), 403)
    assert fresh(app).status == Status.CHECKING
    assert denials() == before + 1
    assert not Organization.objects.filter(code=app.code).exists()


def test_an_officer_of_another_commune_cannot_decide() -> None:
    app = filed()
    before = denials()
    for action, data in (("approve", {}), ("reject", {"reason": "Không"})):
        assert_friendly(act(client_for(reviewer(OTHER_COMMUNE)), app, action, data), 403)
    assert fresh(app).status == Status.CHECKING
    assert denials() >= before + 2


def test_a_stale_second_factor_sends_the_officer_to_step_up_and_changes_nothing() -> None:
    app = filed()
    client = signed_in(Client(), reviewer(), stepped_up=False)
    response = act(client, app, "approve")
    assert response.status_code == 302
    assert response["Location"].startswith("/step-up/")
    assert fresh(app).status == Status.CHECKING


def test_a_post_without_csrf_token_is_refused() -> None:
    app = filed()
    client = client_for(reviewer(), enforce_csrf_checks=True)
    assert act(client, app, "reject", {"reason": "Giả mạo"}).status_code == 403
    assert fresh(app).status == Status.CHECKING


def test_unknown_actions_and_get_requests_are_refused() -> None:
    app, client = filed(), client_for(reviewer())
    assert act(client, app, "explode").status_code == 404
    assert client.get(f"/applications/queue/{app.pk}/approve/").status_code == 405
    assert fresh(app).status == Status.CHECKING


# --- reject / supplement ----------------------------------------------------------------------------------


@pytest.mark.parametrize("reason", ["", "   ", "\n"])
def test_reject_needs_a_reason(reason: str) -> None:
    app, client = filed(), client_for(reviewer())
    changes = history(app)
    message = after(client, act(client, app, "reject", {"reason": reason}), app)
    assert "lý do" in message.lower()
    assert fresh(app).status == Status.CHECKING
    assert history(app) == changes


def test_reject_with_a_reason_the_applicant_reads() -> None:
    app, client = filed(), client_for(reviewer())
    reason = "Mã số thuế không khớp với cơ sở dữ liệu đăng ký doanh nghiệp."
    after(client, act(client, app, "reject", {"reason": reason}), app)
    app = fresh(app)
    assert app.status == Status.REJECTED
    assert app.decision_reason == reason


def test_a_too_long_reason_is_refused() -> None:
    app, client = filed(), client_for(reviewer())
    after(client, act(client, app, "reject", {"reason": "x" * 5000}), app)
    assert fresh(app).status == Status.CHECKING


def test_ask_for_a_supplement() -> None:
    app, client = filed(), client_for(reviewer())
    message = after(client, act(client, app, "supplement", {"reason": ""}), app)
    assert "lý do" in message.lower()
    assert fresh(app).status == Status.CHECKING
    after(client, act(client, app, "supplement", {"reason": "Bổ sung văn bản ủy quyền có chữ ký."}), app)
    app = fresh(app)
    assert app.status == Status.NEEDS_SUPPLEMENT
    assert "ủy quyền" in app.decision_reason


# --- verification -----------------------------------------------------------------------------------------


def test_send_a_verification_request_to_a_partner_and_cancel_it() -> None:
    app, client = filed(), client_for(reviewer())
    question = "Đề nghị xác nhận tình trạng hoạt động của doanh nghiệp."
    after(client, act(client, app, "verify", {"target": "source:tax", "question": question}), app)
    verification = VerificationRequest.objects.get(application=app)
    assert verification.partner_source == "tax"
    assert verification.question == question
    assert fresh(app).status == Status.AWAITING_VERIFICATION
    page = html(client.get(f"/applications/queue/{app.pk}/"))
    assert question in page

    cancel = f"/applications/queue/{app.pk}/verifications/{verification.pk}/cancel/"
    after(client, client.post(cancel, {"reason": ""}), app)
    assert VerificationRequest.objects.get(pk=verification.pk).status == VerificationStatus.OPEN
    after(client, client.post(cancel, {"reason": "Đã có kết quả từ cơ sở dữ liệu."}), app)
    assert VerificationRequest.objects.get(pk=verification.pk).status == VerificationStatus.CANCELLED


@pytest.mark.parametrize(
    "data",
    [
        {"target": "source:tax", "question": ""},
        {"target": "", "question": "Câu hỏi"},
        {"target": "source:nowhere", "question": "Câu hỏi"},
        {"target": "unit:1", "question": "Câu hỏi"},  # not a unit under this one
    ],
)
def test_a_verification_request_with_bad_input_is_not_sent(data: dict[str, str]) -> None:
    app, client = filed(), client_for(reviewer())
    message = after(client, act(client, app, "verify", data), app)
    assert message
    assert not VerificationRequest.objects.filter(application=app).exists()
    assert fresh(app).status == Status.CHECKING


def test_cancelling_another_requests_verification_is_not_found() -> None:
    app, other, client = filed(), filed(name="Công ty Khác"), client_for(reviewer())
    act(client, other, "verify", {"target": "source:tax", "question": "Câu hỏi"})
    verification = VerificationRequest.objects.get(application=other)
    response = client.post(
        f"/applications/queue/{app.pk}/verifications/{verification.pk}/cancel/", {"reason": "x"}
    )
    assert response.status_code == 404
    assert VerificationRequest.objects.get(pk=verification.pk).status == VerificationStatus.OPEN


# --- recheck / assign -------------------------------------------------------------------------------------


def test_recheck_runs_the_checks_again() -> None:
    app, client = filed(), client_for(reviewer())
    before = events(ApplicationAction.APP_CHECKED)
    message = after(client, act(client, app, "recheck"), app)
    assert "đối chiếu" in message.lower()
    assert events(ApplicationAction.APP_CHECKED) == before + 1


def test_reassign_to_another_officer_of_the_unit() -> None:
    app, me, colleague = filed(), reviewer(), reviewer(name="Cán bộ Đồng Nghiệp")
    client = client_for(me)
    page = html(client.get(f"/applications/queue/{app.pk}/"))
    assert "Cán bộ Đồng Nghiệp" in page
    after(client, act(client, app, "assign", {"officer": str(colleague.pk)}), app)
    assert fresh(app).assigned_to_id == colleague.pk
    assert events(ApplicationAction.APP_ASSIGNED) == 1


@pytest.mark.parametrize("value", ["", "abc", "999999"])
def test_reassign_refuses_anyone_but_an_officer_of_the_unit(value: str) -> None:
    app, client = filed(), client_for(reviewer())
    outsider = reviewer(OTHER_COMMUNE, name="Cán bộ Xã Khác")
    for candidate in (value, str(outsider.pk)):
        after(client, act(client, app, "assign", {"officer": candidate}), app)
    assert fresh(app).assigned_to_id is None

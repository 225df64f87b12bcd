"""Verification requests as the partner clerk sees and answers them."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from dinhdanh.applications import services
from dinhdanh.applications.models import Application, VerificationRequest, VerificationStatus
from dinhdanh.geo.models import Level
from dinhdanh.people.permissions import PeopleRole
from tests.applications.officer.support import (
    PDF,
    client_for,
    filed,
    partner_clerk,
    reviewer,
    upload,
)
from tests.conftest import make_officer, make_user, signed_in, unit
from tests.web.support import assert_friendly, html

pytestmark = pytest.mark.django_db

LIST = "/applications/verifications/"
QUESTION = "Đề nghị xác nhận doanh nghiệp còn hoạt động và người đại diện hiện tại."


def asked(source: str = "tax") -> tuple[Application, VerificationRequest]:
    app = filed(name="Công ty TNHH Cần Xác Minh", phone="0912345678", email="lienhe@example.vn")
    verification = services.verification_ask(
        actor=reviewer(name="Cán bộ Hỏi"), application=app, question=QUESTION, partner_source=source
    )
    return app, verification


def answer_url(verification: VerificationRequest) -> str:
    return f"/applications/verifications/{verification.pk}/"


def test_the_clerk_of_the_source_sees_the_question_and_only_the_data_needed() -> None:
    app, verification = asked("tax")
    client = client_for(partner_clerk("tax"))
    listing = html(client.get(LIST))
    assert app.number in listing
    page = html(client.get(answer_url(verification)))
    assert QUESTION in page
    assert "Công ty TNHH Cần Xác Minh" in page
    assert app.code in page
    # No contact data, no personal ID numbers, nothing about the applicant.
    assert "0912345678" not in page
    assert "lienhe@example.vn" not in page
    assert app.applicant.personal_id_masked not in page
    assert app.applicant.full_name not in page


def test_a_clerk_of_another_source_sees_nothing() -> None:
    app, verification = asked("tax")
    client = client_for(partner_clerk("business"))
    assert app.number not in html(client.get(LIST))
    response = client.get(answer_url(verification))
    assert response.status_code in (403, 404)
    assert QUESTION not in html(response)
    response = client.post(answer_url(verification), {"answer": "Xác nhận."})
    assert response.status_code in (403, 404)
    assert VerificationRequest.objects.get(pk=verification.pk).status == VerificationStatus.OPEN


def test_a_citizen_is_refused() -> None:
    assert_friendly(client_for(make_user("Người Thường")).get(LIST), 403)


def test_answer_with_text_and_attachments() -> None:
    app, verification = asked("tax")
    client = client_for(partner_clerk("tax"))
    response = client.post(
        answer_url(verification),
        {"answer": "Doanh nghiệp đang hoạt động.", "attachments": [upload("xac-nhan.pdf"), upload("phu-luc.pdf")]},
    )
    assert response.status_code == 302, html(response)
    assert response["Location"] == LIST
    verification = VerificationRequest.objects.get(pk=verification.pk)
    assert verification.status == VerificationStatus.ANSWERED
    assert verification.answer == "Doanh nghiệp đang hoạt động."
    assert verification.documents.count() == 2
    # The officer reads the answer and opens the attachment.
    officer_client = client_for(reviewer())
    page = html(officer_client.get(f"/applications/queue/{app.pk}/"))
    assert "Doanh nghiệp đang hoạt động." in page
    doc = verification.documents.first()
    assert doc is not None
    assert officer_client.get(f"/applications/documents/{doc.pk}/").content == PDF
    # The clerk may open what they sent; answering again is refused.
    assert client.get(f"/applications/documents/{doc.pk}/").status_code == 200
    again = client.post(answer_url(verification), {"answer": "Lần hai."})
    assert again.status_code in (200, 302, 409)
    assert VerificationRequest.objects.get(pk=verification.pk).answer == "Doanh nghiệp đang hoạt động."


@pytest.mark.parametrize(
    "data",
    [
        {"answer": ""},
        {"answer": "   "},
        {"answer": "x" * 5000},
    ],
)
def test_bad_answers_change_nothing(data: dict[str, Any]) -> None:
    _app, verification = asked("tax")
    client = client_for(partner_clerk("tax"))
    response = client.post(answer_url(verification), data)
    assert response.status_code == 200
    assert "data-error-summary" in html(response)
    assert VerificationRequest.objects.get(pk=verification.pk).status == VerificationStatus.OPEN


def test_a_bad_attachment_changes_nothing() -> None:
    _app, verification = asked("tax")
    client = client_for(partner_clerk("tax"))
    response = client.post(
        answer_url(verification), {"answer": "Xác nhận.", "attachments": [upload("virus.pdf", b"MZ\x90\x00")]}
    )
    assert response.status_code == 200
    assert VerificationRequest.objects.get(pk=verification.pk).status == VerificationStatus.OPEN
    assert not verification.documents.exists()


def test_answering_needs_a_fresh_second_factor_and_the_csrf_token() -> None:
    _app, verification = asked("tax")
    clerk = partner_clerk("tax")
    stale = signed_in(Client(), clerk, stepped_up=False)
    response = stale.post(answer_url(verification), {"answer": "Xác nhận."})
    assert response.status_code == 302
    assert response["Location"].startswith("/step-up/")
    forged = client_for(clerk, enforce_csrf_checks=True)
    assert forged.post(answer_url(verification), {"answer": "Xác nhận."}).status_code == 403
    assert VerificationRequest.objects.get(pk=verification.pk).status == VerificationStatus.OPEN


def test_a_lower_police_unit_answers_questions_sent_to_it(settings: Any) -> None:
    # Routed to the provincial police, a question may go down to the commune police of the head office.
    settings.ORG_ROUTING_LEVEL = "province"
    settings.ORG_APPROVING_LEVEL = "province"
    app = filed(name="Công ty Hỏi Xã")
    province_officer = make_officer(PeopleRole.REVIEWING_OFFICER, unit("91", Level.PROVINCE), name="Cán bộ Tỉnh")
    client = client_for(province_officer)
    page = html(client.get(f"/applications/queue/{app.pk}/"))
    commune = unit("30292")
    assert f'value="unit:{commune.pk}"' in page
    client.post(f"/applications/queue/{app.pk}/verify/", {"target": f"unit:{commune.pk}", "question": QUESTION})
    verification = VerificationRequest.objects.get(application=app)
    assert verification.unit_id == commune.pk
    commune_client = client_for(reviewer(name="Cán bộ Xã"))
    assert app.number in html(commune_client.get(LIST))
    response = commune_client.post(answer_url(verification), {"answer": "Đã xác minh tại trụ sở."})
    assert response.status_code == 302, html(response)
    assert VerificationRequest.objects.get(pk=verification.pk).status == VerificationStatus.ANSWERED

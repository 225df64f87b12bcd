"""The page of one request for the officer: data, checks, documents, history, deadline; who may see it."""

from __future__ import annotations

import pytest
from django.test import Client

from dinhdanh.applications.audit_actions import ApplicationAction
from dinhdanh.applications.models import CheckKind
from tests.applications.officer.support import (
    OTHER_COMMUNE,
    PDF,
    client_for,
    denials,
    events,
    filed,
    intake_officer,
    partner_clerk,
    reviewer,
)
from tests.conftest import make_user
from tests.web.support import assert_friendly, html

pytestmark = pytest.mark.django_db


def review_url(pk: int) -> str:
    return f"/applications/queue/{pk}/"


def test_the_officer_sees_data_checks_documents_history_and_deadline() -> None:
    app = filed(name="Công ty TNHH Hoa Sen")
    page = html(client_for(reviewer()).get(review_url(app.pk)))
    assert app.number in page
    assert "Công ty TNHH Hoa Sen" in page
    assert app.code in page
    assert "Giám đốc" in page  # the representative's position
    assert app.applicant.personal_id_masked in page
    # Each check as a row with its outcome, the submitted value beside the registry's.
    assert 'data-testid="checks"' in page
    for check in app.checks.all():
        assert str(CheckKind(check.kind).label) in page
        assert f'data-outcome="{check.outcome}"' in page
    assert app.checks.filter(kind=CheckKind.CODE_VALID).exists()
    assert "giay-phep.pdf" in page
    assert "ngày làm việc" in page or "đến hạn hôm nay" in page
    assert "Đã nộp" in page  # status history
    assert "Đang thẩm định" in page
    for action in ("approve", "reject", "supplement", "verify", "recheck", "assign"):
        assert f"/applications/queue/{app.pk}/{action}/" in page


def test_no_personal_id_number_in_clear_on_the_page() -> None:
    app = filed()
    page = html(client_for(reviewer()).get(review_url(app.pk)))
    digest = app.data["representative"]["digest"]
    assert digest not in page
    assert app.data["representative"]["masked"] in page


def test_an_officer_of_another_commune_is_refused_and_audited() -> None:
    app = filed()
    before = denials()
    assert_friendly(client_for(reviewer(OTHER_COMMUNE)).get(review_url(app.pk)), 403)
    assert denials() == before + 1


def test_a_citizen_is_refused_even_the_applicant() -> None:
    app = filed()
    assert_friendly(client_for(make_user("Người Lạ")).get(review_url(app.pk)), 403)
    assert_friendly(client_for(app.applicant).get(review_url(app.pk)), 403)


def test_an_unknown_request_is_not_found() -> None:
    assert_friendly(client_for(reviewer()).get(review_url(999_999)), 404)


def test_an_intake_officer_sees_the_request_without_the_decision_forms() -> None:
    """The rule (issue 11.9): an intake officer over the head office reads the request — they take
    supplements and answer the applicant at the counter — but decides nothing."""
    app = filed()
    response = client_for(intake_officer()).get(review_url(app.pk))
    assert response.status_code == 200
    page = html(response)
    assert app.number in page
    for action in ("approve", "reject", "supplement", "verify", "recheck", "assign"):
        assert f"/applications/queue/{app.pk}/{action}/" not in page
    elsewhere = client_for(intake_officer(OTHER_COMMUNE)).get(review_url(app.pk))
    assert_friendly(elsewhere, 403)


def test_a_document_download_is_audited_and_kept_to_the_jurisdiction() -> None:
    app = filed()
    doc = app.documents.get()
    before = events(ApplicationAction.APP_DOCUMENT_VIEWED)
    response = client_for(reviewer()).get(f"/applications/documents/{doc.pk}/")
    assert response.status_code == 200
    assert response.content == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "no-store" in response["Cache-Control"]
    assert events(ApplicationAction.APP_DOCUMENT_VIEWED) == before + 1
    refused = client_for(reviewer(OTHER_COMMUNE)).get(f"/applications/documents/{doc.pk}/")
    assert refused.status_code in (403, 404)
    assert refused.content != PDF
    assert client_for(partner_clerk("tax")).get(f"/applications/documents/{doc.pk}/").status_code in (403, 404)


def test_review_pages_are_refused_to_the_anonymous(client: Client) -> None:
    app = filed()
    response = client.get(review_url(app.pk))
    assert response.status_code == 302
    assert response["Location"].startswith("/signin/")

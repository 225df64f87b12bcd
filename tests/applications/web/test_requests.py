"""The applicant follows a request: detail, documents, supplement, withdrawal; co-representatives consent."""

from __future__ import annotations

import pytest
from django.test import Client

from dinhdanh.applications import services
from dinhdanh.applications.models import Check, ConsentStatus, DocumentKind, Status
from tests.conftest import signed_in
from tests.web.support import html

from .support import draft, fresh, pdf, person, reviewer, submitted

pytestmark = pytest.mark.django_db


def url(application: object, suffix: str = "") -> str:
    return f"/organizations/requests/{application.pk}/{suffix}"  # type: ignore[attr-defined]


def test_anonymous_is_sent_to_sign_in(client: Client) -> None:
    user, pid = person()
    application = submitted(user, pid)
    for suffix in ("", "withdraw/", "consent/", "confirm/", "created/"):
        response = client.get(url(application, suffix))
        assert response.status_code == 302
        assert response["Location"].startswith("/signin/?next=")


def test_the_applicant_sees_status_history_and_due_date_but_not_the_checks(client: Client) -> None:
    user, pid = person()
    application = submitted(user, pid)
    assert Check.objects.filter(application=application).exists()
    signed_in(client, user)
    page = html(client.get(url(application)))
    assert application.number in page
    assert application.get_status_display() in page
    assert "Quá trình xử lý" in page
    assert "Đã nộp" in page
    for check in Check.objects.filter(application=application):
        assert check.get_kind_display() not in page
    assert "Có trong cơ sở dữ liệu đăng ký" not in page


def test_another_persons_request_is_not_found(client: Client) -> None:
    owner, pid = person()
    application = submitted(owner, pid)
    stranger, _ = person("Người Lạ")
    signed_in(client, stranger)
    assert client.get(url(application)).status_code == 404
    assert client.post(url(application, "withdraw/"), {"confirm": "on"}).status_code == 404
    assert client.post(url(application, "supplement/"), {"note": "x"}).status_code == 404
    assert client.get("/organizations/requests/999999/").status_code == 404
    assert fresh(application).status == Status.CHECKING


def test_the_rejection_reason_is_shown(client: Client) -> None:
    user, pid = person()
    application = submitted(user, pid)
    services.application_reject(actor=reviewer(), application=application, reason="Mã số thuế không khớp đăng ký.")
    signed_in(client, user)
    page = html(client.get(url(application)))
    assert "Lý do từ chối" in page
    assert "Mã số thuế không khớp đăng ký." in page
    assert "Rút hồ sơ" not in page  # closed


def test_withdraw_needs_confirmation(client: Client) -> None:
    user, pid = person()
    application = submitted(user, pid)
    signed_in(client, user)
    assert "Tôi muốn rút hồ sơ này" in html(client.get(url(application, "withdraw/")))
    response = client.post(url(application, "withdraw/"), {"reason": "Nộp nhầm"})
    assert response.status_code == 400
    assert "Hãy đánh dấu xác nhận để rút hồ sơ." in html(response)
    assert fresh(application).status == Status.CHECKING
    response = client.post(url(application, "withdraw/"), {"reason": "Nộp nhầm", "confirm": "on"})
    assert response["Location"] == url(application)
    assert fresh(application).status == Status.WITHDRAWN
    # Twice: nothing more happens, and the page says why.
    response = client.post(url(application, "withdraw/"), {"confirm": "on"}, follow=True)
    assert "không thể rút" in html(response)


def test_a_supplement_is_sent_with_a_document(client: Client) -> None:
    user, pid = person()
    application = submitted(user, pid)
    signed_in(client, user)
    assert "Bổ sung hồ sơ" not in html(client.get(url(application)))
    response = client.post(url(application, "supplement/"), {"note": "Gửi thêm giấy phép"})
    assert response.status_code == 400  # not asked for: the service refuses and says so
    assert fresh(application).status == Status.CHECKING
    services.application_ask_supplement(
        actor=reviewer(), application=application, reason="Thiếu quyết định thành lập."
    )
    page = html(client.get(url(application)))
    assert "Thiếu quyết định thành lập." in page
    assert "Gửi bổ sung" in page
    response = client.post(url(application, "supplement/"), {"note": ""})
    assert response.status_code == 400
    assert "Hãy ghi nội dung bổ sung hoặc đính kèm tài liệu." in html(response)
    bad = client.post(url(application, "supplement/"), {"note": "x", "document": pdf("a.pdf", b"not a pdf")})
    assert bad.status_code == 400
    assert fresh(application).status == Status.NEEDS_SUPPLEMENT
    assert not application.documents.exists()
    response = client.post(
        url(application, "supplement/"), {"note": "Đã gửi quyết định", "document": pdf("qd.pdf")}
    )
    assert response["Location"] == url(application)
    assert fresh(application).status == Status.CHECKING
    assert application.documents.get().kind == DocumentKind.SUPPLEMENT


def test_documents_download_only_through_their_own_request(client: Client) -> None:
    user, pid = person()
    application = draft(user, pid)
    document = services.application_add_document(
        actor=user, application=application, kind=DocumentKind.FOUNDING_DOCUMENT, upload=pdf("quyet-dinh.pdf")
    )
    other_user, other_pid = person("Người Khác")
    other = draft(other_user, other_pid)
    signed_in(client, user)
    response = client.get(url(application, f"documents/{document.pk}/"))
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
    assert response["Content-Disposition"] == 'attachment; filename="quyet-dinh.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    # My document through someone else's request number, or someone else's request: not found.
    assert client.get(url(other, f"documents/{document.pk}/")).status_code == 404
    signed_in(client, other_user)
    assert client.get(url(application, f"documents/{document.pk}/")).status_code == 404
    assert client.get(url(other, f"documents/{document.pk}/")).status_code == 404


def test_a_co_representative_gives_consent(client: Client) -> None:
    user, pid = person()
    co, co_pid = person("Lê Thị Đồng Ý")
    application = submitted(user, pid, co_representative_names="Lê Thị Đồng Ý", co_representative_ids=co_pid)
    assert application.status == Status.AWAITING_CONSENT
    signed_in(client, co, stepped_up=False)
    hub = html(client.get("/organizations/"))
    assert "Hồ sơ chờ bạn đồng ý" in hub
    assert url(application, "consent/") in hub
    detail = html(client.get(url(application)))  # the person asked may read the request, not act on it
    assert application.number in detail
    assert "Rút hồ sơ" not in detail
    page = html(client.get(url(application, "consent/")))
    assert "Công ty TNHH Hoa Sen" in page
    assert "Xác thực lại để trả lời" in page
    response = client.post(url(application, "consent/"), {"answer": "give"})
    assert response["Location"].startswith("/step-up/")
    assert application.consents.get().status == ConsentStatus.PENDING
    signed_in(client, co)
    response = client.post(url(application, "consent/"), {"answer": "maybe"})
    assert response.status_code == 400
    assert "Hãy chọn đồng ý hoặc không đồng ý." in html(response)
    response = client.post(url(application, "consent/"), {"answer": "give"})
    assert response["Location"] == "/organizations/"
    assert application.consents.get().status == ConsentStatus.GIVEN
    assert fresh(application).status not in (Status.AWAITING_CONSENT, Status.REJECTED)
    assert client.get(url(application, "consent/")).status_code == 404  # answered


def test_a_refusal_ends_the_request_and_strangers_cannot_answer(client: Client) -> None:
    user, pid = person()
    co, co_pid = person("Lê Thị Không")
    application = submitted(user, pid, co_representative_names="Lê Thị Không", co_representative_ids=co_pid)
    stranger, _ = person("Người Lạ")
    signed_in(client, stranger)
    assert client.get(url(application, "consent/")).status_code == 404
    assert client.post(url(application, "consent/"), {"answer": "refuse"}).status_code == 404
    signed_in(client, user)  # the applicant is not the one asked
    assert client.post(url(application, "consent/"), {"answer": "give"}).status_code == 404
    assert application.consents.get().status == ConsentStatus.PENDING
    signed_in(client, co)
    client.post(url(application, "consent/"), {"answer": "refuse"})
    assert fresh(application).status == Status.REJECTED

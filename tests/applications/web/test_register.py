"""Online registration, steps 2 to 7 of the Đắk Lắk guide, through the pages."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from django.test import Client

from dinhdanh.applications.models import Application, Document, DocumentKind, Status
from dinhdanh.applications.views.applicant_common import TICKET
from dinhdanh.people.authflow import STEPPED_UP_AT
from dinhdanh.people.models import AccountLevel
from tests.conftest import signed_in
from tests.pages import shown_errors
from tests.people.support import totp_code
from tests.web.support import csrf_token, html

from .support import commune, draft, form_data, fresh, pdf, person, saved_earlier, tax_code, ticketed, with_totp

pytestmark = pytest.mark.django_db

DATA_URL = "/organizations/register/data/?category=enterprise"


def test_anonymous_is_sent_to_sign_in(client: Client) -> None:
    for url in ("/organizations/register/", "/organizations/register/category/", DATA_URL):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/signin/?next=")


def test_a_level_1_account_gets_an_explanation_not_a_form(client: Client) -> None:
    user, _pid = person(level=AccountLevel.LEVEL_1)
    signed_in(client, user)
    response = client.get("/organizations/register/")
    page = html(response)
    assert response.status_code == 403
    assert "Cần tài khoản định danh điện tử mức độ 2" in page
    assert "Công an cấp xã" in page
    assert '<form method="post"' not in page.split("<main", 1)[1]
    # The later steps refuse the same way, ticket or not.
    ticketed(client, user)
    assert client.get("/organizations/register/category/").status_code == 403
    assert client.post(DATA_URL, form_data("091095999999", "X")).status_code == 403
    assert Application.objects.count() == 0


def test_register_opens_a_ticket_and_asks_for_the_second_factor(client: Client) -> None:
    user, _pid = person()
    signed_in(client, user)  # a fresh step-up from signing in does not count: step 3 comes after step 2
    assert client.get("/organizations/register/category/")["Location"] == "/organizations/register/"
    page = client.get("/organizations/register/")
    assert "Bắt đầu đăng ký" in html(page)
    response = client.post("/organizations/register/")
    assert response.status_code == 302
    assert response["Location"] == "/step-up/?next=%2Forganizations%2Fregister%2Fcategory%2F"
    assert client.get("/organizations/register/category/")["Location"].startswith("/step-up/")


def test_step_up_after_register_unlocks_the_category_step(client: Client) -> None:
    user, _pid = person()
    totp = with_totp(user)
    signed_in(client, user, stepped_up=False)
    client.post("/organizations/register/")
    response = client.post(
        "/step-up/", {"code": totp_code(user, totp), "next": "/organizations/register/category/"}
    )
    assert response["Location"] == "/organizations/register/category/"
    page = html(client.get("/organizations/register/category/"))
    for label in ("Doanh nghiệp", "Hợp tác xã", "không đăng ký kinh doanh", "Tổ chức khác"):
        assert label in page
    assert "tổ chức tôn giáo" in page  # each category is explained


def test_an_expired_ticket_starts_again(client: Client) -> None:
    user, _pid = person()
    ticketed(client, user)
    session = client.session
    session[TICKET] = time.time() - 7200
    session.save()
    assert client.get("/organizations/register/category/")["Location"] == "/organizations/register/"


def test_category_must_be_one_of_four(client: Client) -> None:
    user, _pid = person()
    ticketed(client, user)
    for bad in ({}, {"category": "bank"}, {"category": "<script>"}):
        response = client.post("/organizations/register/category/", bad)
        assert response.status_code == 400
        assert "Hãy chọn một loại tổ chức." in html(response)
    response = client.post("/organizations/register/category/", {"category": "cooperative"})
    assert response["Location"] == "/organizations/register/data/?category=cooperative"
    assert (
        client.get("/organizations/register/data/?category=bank")["Location"]
        == "/organizations/register/category/"
    )


def test_the_data_page_fits_the_category(client: Client) -> None:
    user, _pid = person()
    ticketed(client, user)
    enterprise = html(client.get(DATA_URL))
    assert "Mã số doanh nghiệp / mã số thuế" in enterprise
    assert "Số văn bản thành lập" not in enterprise
    other = html(client.get("/organizations/register/data/?category=other"))
    assert "Số văn bản thành lập" in other
    assert 'src="/static/applications/org-form.js"' in enterprise
    assert "<script>" not in enterprise  # CSP: no inline script


def test_valid_data_creates_a_draft_and_goes_to_confirmation(client: Client) -> None:
    user, pid = person("Nguyễn Thị Hoa")
    ticketed(client, user)
    response = client.post(DATA_URL, form_data(pid, user.full_name, name="  Công ty  TNHH Hoa Sen "))
    application = Application.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/organizations/requests/{application.pk}/confirm/"
    assert application.status == Status.DRAFT
    assert application.applicant == user
    assert application.name == "Công ty TNHH Hoa Sen"
    assert application.head_office == commune()
    assert application.data["representative"]["masked"] != pid
    assert pid not in json.dumps(application.data)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"code": "0101234567"}, "sai số kiểm tra"),
        ({"code": ""}, "Nhập mã số của tổ chức"),
        ({"name": "x" * 401}, "Nhập tối đa 400 ký tự."),
        ({"name": ""}, "Nhập tên tổ chức."),
        ({"representative_name": ""}, "Nhập họ và tên người đại diện theo pháp luật."),
        ({"representative_id": ""}, "Nhập số định danh cá nhân của người đại diện"),
        ({"established_on": "01/01/2999"}, "Ngày thành lập không được sau hôm nay."),
        ({"head_office_code": ""}, "Hãy chọn xã, phường nơi đặt trụ sở."),
        ({"head_office_code": "99999"}, "Không có xã, phường mã 99999"),
        ({"phone": "12345"}, "Số điện thoại không hợp lệ"),
        ({"email": "khong-phai-thu"}, "Địa chỉ thư điện tử không hợp lệ."),
        ({"established_on": "31/02/2020"}, "Nhập ngày thành lập dạng ngày/tháng/năm"),
        ({"representative_id": "123"}, ""),
        ({"co_name_1": "Lê Văn Cùng"}, "không bằng nhau"),
        ({"capacity": "boss"}, "Hãy chọn tư cách người đăng ký."),
    ],
)
def test_bad_data_is_shown_in_vietnamese_and_nothing_is_written(
    client: Client, changes: dict[str, Any], message: str
) -> None:
    user, pid = person()
    ticketed(client, user)
    response = client.post(DATA_URL, form_data(pid, user.full_name, **changes))
    page = html(response)
    assert response.status_code == 400
    assert "Chưa có gì được lưu." in page
    assert message in page
    assert "Traceback" not in page
    assert Application.objects.count() == 0


def test_someone_else_as_representative_needs_the_authorized_capacity(client: Client) -> None:
    user, _pid = person()
    other, other_pid = person("Lê Thị Khác")
    ticketed(client, user)
    response = client.post(DATA_URL, form_data(other_pid, other.full_name))
    assert response.status_code == 400
    assert "không phải của bạn" in html(response)
    assert Application.objects.count() == 0


def test_an_authorized_person_attaches_the_letter(client: Client) -> None:
    user, _pid = person()
    boss, boss_pid = person("Lê Văn Giám Đốc")
    ticketed(client, user)
    data = form_data(boss_pid, boss.full_name, capacity="authorized", authorization_letter=pdf())
    response = client.post(DATA_URL, data)
    assert response.status_code == 302
    document = Document.objects.get()
    assert document.kind == DocumentKind.AUTHORIZATION_LETTER
    assert document.application.capacity == "authorized"


def test_a_bad_letter_rolls_back_the_draft(client: Client) -> None:
    user, _pid = person()
    boss, boss_pid = person("Lê Văn Giám Đốc")
    ticketed(client, user)
    fake = pdf("uy-quyen.pdf", b"MZ\x90\x00 not a pdf at all", "application/pdf")
    response = client.post(
        DATA_URL, form_data(boss_pid, boss.full_name, capacity="authorized", authorization_letter=fake)
    )
    assert response.status_code == 400
    assert "không phải PDF, JPEG hay PNG" in html(response)
    assert Application.objects.count() == 0
    assert Document.objects.count() == 0


def _held_token(page: str) -> str:
    marker = 'name="authorization_letter_held" value="'
    start = page.index(marker) + len(marker)
    return page[start : page.index('"', start)]


def test_the_letter_is_held_across_an_error_and_filed_on_success(client: Client) -> None:
    """Nothing attached is lost on an error (issue 15.1); another session cannot use the token."""
    user, _pid = person()
    boss, boss_pid = person("Lê Văn Giám Đốc")
    ticketed(client, user)
    first = client.post(
        DATA_URL, form_data(boss_pid, boss.full_name, capacity="authorized", authorization_letter=pdf(), name="")
    )
    page = html(first)
    assert first.status_code == 400
    assert "Đã đính kèm: uy-quyen.pdf" in page
    assert 'value="Số 1 đường Mạc Cửu"' in page  # what was typed stays
    token = _held_token(page)
    stranger, _ = person("Phạm Văn Lạ")
    other = Client()
    ticketed(other, stranger)
    refused = other.post(
        DATA_URL,
        form_data(boss_pid, boss.full_name, capacity="authorized", authorization_letter_held=token),
    )
    assert refused.status_code == 302  # the draft is made, but without anyone else's file
    assert Document.objects.count() == 0
    Application.objects.all().delete()
    second = client.post(
        DATA_URL, form_data(boss_pid, boss.full_name, capacity="authorized", authorization_letter_held=token)
    )
    assert second.status_code == 302
    document = Document.objects.get()
    assert document.kind == DocumentKind.AUTHORIZATION_LETTER


def test_without_javascript_the_province_button_lists_its_communes(client: Client) -> None:
    user, pid = person()
    ticketed(client, user)
    response = client.post(DATA_URL, form_data(pid, user.full_name, pick_province="1", head_office_code=""))
    page = html(response)
    assert response.status_code == 200
    assert f'value="{commune().code}"' in page
    assert "Chưa có gì được lưu." not in page
    assert Application.objects.count() == 0


def test_csrf_is_enforced(client: Client) -> None:
    user, pid = person()
    strict = Client(enforce_csrf_checks=True)
    ticketed(strict, user)
    response = strict.post(DATA_URL, form_data(pid, user.full_name))
    assert response.status_code == 403
    assert Application.objects.count() == 0
    page = html(strict.get(DATA_URL))
    response = strict.post(DATA_URL, {**form_data(pid, user.full_name), "csrfmiddlewaretoken": csrf_token(page)})
    assert response.status_code == 302


# --- step 6 and 7 --------------------------------------------------------------------------------


def test_confirm_needs_a_second_factor_after_the_data(client: Client) -> None:
    user, pid = person()
    totp = with_totp(user)
    signed_in(client, user)  # stepped up before the draft was saved: not enough for step 6
    application = draft(user, pid)
    url = f"/organizations/requests/{application.pk}/confirm/"
    page = html(client.get(url))
    assert "Mã xác thực" in page
    assert application.name in page
    response = client.post(url, {"action": "submit"})
    assert response.status_code == 400
    application = fresh(application)
    assert application.status == Status.DRAFT
    response = client.post(url, {"action": "submit", "code": "000000"})
    assert response.status_code == 400
    assert application.status == Status.DRAFT
    response = client.post(url, {"action": "submit", "code": totp_code(user, totp)})
    assert response["Location"] == f"/organizations/requests/{application.pk}/created/"
    application = fresh(application)
    assert application.status not in (Status.DRAFT, Status.WITHDRAWN)
    created = html(client.get(response["Location"]))
    assert application.number in created
    assert application.get_status_display() in created
    assert application.due_at is not None
    assert application.due_at.astimezone().strftime("%d/%m/%Y") in created or "Hạn giải quyết" in created
    # Step 7 sends a submitted request's confirmation page back to its detail.
    assert client.get(url)["Location"] == f"/organizations/requests/{application.pk}/"


def test_a_fresh_step_up_after_saving_needs_no_code(client: Client) -> None:
    user, pid = person()
    with_totp(user)
    signed_in(client, user, stepped_up=False)
    application = draft(user, pid)
    saved_earlier(application)
    session = client.session
    session[STEPPED_UP_AT] = time.time()
    session.save()
    page = html(client.get(f"/organizations/requests/{application.pk}/confirm/"))
    assert "Bạn đã xác thực" in page
    response = client.post(f"/organizations/requests/{application.pk}/confirm/", {"action": "submit"})
    assert response.status_code == 302


def test_an_authorized_draft_cannot_be_sent_without_the_letter(client: Client) -> None:
    user, _pid = person()
    boss, boss_pid = person("Lê Văn Giám Đốc")
    ticketed(client, user)
    client.post(DATA_URL, form_data(boss_pid, boss.full_name, capacity="authorized"))
    application = Application.objects.get()
    url = f"/organizations/requests/{application.pk}/confirm/"
    assert "hãy đính kèm văn bản ủy quyền" in html(client.get(url))
    saved_earlier(application)
    session = client.session
    session[STEPPED_UP_AT] = time.time()
    session.save()
    response = client.post(url, {"action": "submit"})
    application = fresh(application)
    assert application.status == Status.DRAFT
    assert response.status_code == 302
    response = client.post(url, {"action": "letter", "document": pdf()})
    assert response["Location"] == url
    assert Document.objects.filter(application=application, kind=DocumentKind.AUTHORIZATION_LETTER).count() == 1


def test_someone_elses_draft_is_not_found(client: Client) -> None:
    owner, pid = person()
    application = draft(owner, pid)
    stranger, _ = person("Người Lạ")
    signed_in(client, stranger)
    for suffix in ("confirm/", "edit/", "created/", "", "withdraw/"):
        assert client.get(f"/organizations/requests/{application.pk}/{suffix}").status_code == 404
    assert (
        client.post(f"/organizations/requests/{application.pk}/confirm/", {"action": "submit"}).status_code == 404
    )
    application = fresh(application)
    assert application.status == Status.DRAFT


def test_a_draft_can_be_corrected(client: Client) -> None:
    user, pid = person()
    signed_in(client, user)
    application = draft(user, pid)
    url = f"/organizations/requests/{application.pk}/edit/"
    page = html(client.get(url))
    assert "Công ty TNHH Hoa Sen" in page
    assert pid not in page
    data = form_data(pid, user.full_name, name="Công ty TNHH Hoa Sen Vàng", code=application.code)
    data.pop("capacity")
    response = client.post(url, data)
    assert response["Location"] == f"/organizations/requests/{application.pk}/confirm/"
    application = fresh(application)
    assert application.name == "Công ty TNHH Hoa Sen Vàng"
    response = client.post(url, {**data, "code": "12"})
    assert response.status_code == 400
    application = fresh(application)
    assert application.name == "Công ty TNHH Hoa Sen Vàng"


# --- live validation -----------------------------------------------------------------------------


def _check(client: Client, field: str, value: str, category: str = "enterprise", **extra: Any) -> Any:
    body = json.dumps({"category": category, "field": field, "value": value})
    return client.post("/organizations/register/validate/", body, content_type="application/json", **extra)


def test_live_validation_uses_the_service_rules(client: Client) -> None:
    user, pid = person()
    signed_in(client, user)
    good = _check(client, "code", tax_code())
    assert good.json() == {"field": "code", "ok": True}
    bad = _check(client, "code", "0101234567").json()
    assert bad["ok"] is False
    assert "sai số kiểm tra" in bad["message"]
    assert _check(client, "representative_id", pid).json()["ok"] is True
    assert _check(client, "co_id_2", "12").json()["ok"] is False
    assert "Không có xã, phường" in _check(client, "head_office_code", "99999").json()["message"]
    assert _check(client, "head_office_code", commune().code).json()["ok"] is True
    empty = _check(client, "name", "   ").json()
    assert empty["message"] == "Nhập tên tổ chức."
    # A cooperative registration code is refused for an enterprise, with its own message.
    assert "không phải loại mã" in _check(client, "code", "ABC12345").json()["message"]
    assert Application.objects.count() == 0


def test_live_validation_refuses_bad_requests(client: Client) -> None:
    assert _check(client, "code", "1").status_code == 401
    user, _pid = person()
    signed_in(client, user)
    assert _check(client, "password", "x").status_code == 400
    assert _check(client, "code", "x", category="bank").status_code == 400
    url = "/organizations/register/validate/"
    assert client.post(url, "{not json", content_type="application/json").status_code == 400
    assert client.post(url, "[1, 2]", content_type="application/json").status_code == 400
    assert client.post(url, "x" * 5000, content_type="application/json").status_code == 413
    assert client.get(url).status_code == 405
    strict = Client(enforce_csrf_checks=True)
    signed_in(strict, user)
    assert _check(strict, "code", tax_code()).status_code == 403


def test_every_error_is_shown_at_once_even_with_a_form_refusal(client: Client) -> None:
    """A refused choice (capacity) does not hide the service's refusals of the other fields (issue 15.1)."""
    user, _pid = person()
    ticketed(client, user)
    response = client.post(
        DATA_URL, {"category": "enterprise", "capacity": "boss", "established_on": "01/01/2999"}
    )
    shown = shown_errors(html(response))
    assert response.status_code == 400
    assert "Hãy chọn tư cách người đăng ký." in shown
    assert "Nhập tên tổ chức." in shown
    assert "Ngày thành lập không được sau hôm nay." in shown
    assert "Hãy chọn xã, phường nơi đặt trụ sở." in shown
    assert "Nhập họ và tên người đại diện theo pháp luật." in shown
    assert any(m.startswith("Nhập số định danh cá nhân của người đại diện") for m in shown)
    assert "<title>Lỗi:" in html(response)
    assert "Thông tin chưa hợp lệ" not in html(response)
    assert Application.objects.count() == 0


def test_the_api_says_the_same_as_the_page(client: Client) -> None:
    from dinhdanh.applications import validation
    from dinhdanh.applications.models import Kind
    from dinhdanh.core.errors import DomainError
    from dinhdanh.organizations.categories import Category

    with pytest.raises(DomainError) as caught:
        validation.validate(
            {"name": " ", "established_on": "2999-01-01"}, kind=Kind.UPDATE, category=Category.OTHER
        )
    messages = sorted(part.message("vi") for part in caught.value.each())
    assert messages == ["Ngày thành lập không được sau hôm nay.", "Nhập tên tổ chức."]


def test_the_representative_is_prefilled_from_the_signed_in_person(client: Client) -> None:
    user, pid = person()
    ticketed(client, user)
    page = html(client.get(DATA_URL))
    assert f'value="{user.full_name}"' in page
    assert user.personal_id_masked in page
    assert pid not in page  # the number itself is never shown back


def test_co_representative_rows_are_added_and_removed_on_demand(client: Client) -> None:
    """No empty rows by default; a button adds one (without JavaScript too), another removes it."""
    user, pid = person()
    ticketed(client, user)
    assert 'name="co_name_1"' not in html(client.get(DATA_URL))
    added = client.post(DATA_URL, form_data(pid, user.full_name, add_co="1"))
    page = html(added)
    assert added.status_code == 200
    assert 'name="co_name_1"' in page
    assert 'name="co_name_2"' not in page
    assert "Chưa có gì được lưu" not in page  # adding a row is not a failed submit
    two = client.post(
        DATA_URL, form_data(pid, user.full_name, co_rows="1", co_name_1="Lê Văn Một", co_id_1="x", add_co="1")
    )
    assert 'name="co_name_2"' in html(two)
    removed = client.post(
        DATA_URL,
        form_data(pid, user.full_name, co_rows="2", co_name_1="Lê Văn Một", co_name_2="Lê Văn Hai", remove_co="1"),
    )
    page = html(removed)
    assert 'value="Lê Văn Hai"' in page
    assert "Lê Văn Một" not in page
    assert 'name="co_name_2"' not in page
    assert Application.objects.count() == 0


@pytest.mark.parametrize("hostile", ["999", "-1", "abc", "1" * 50])
def test_hostile_row_numbers_change_nothing(client: Client, hostile: str) -> None:
    user, pid = person()
    ticketed(client, user)
    response = client.post(DATA_URL, form_data(pid, user.full_name, co_rows=hostile, remove_co=hostile))
    assert response.status_code == 200
    assert 'name="co_name_11"' not in html(response)
    assert Application.objects.count() == 0

"""The organization pages members use: hub, "Đổi tài khoản", profile, members, requests, history."""

from __future__ import annotations

import re
import time
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from dinhdanh.applications.models import Application, Kind, Status
from dinhdanh.organizations import selectors
from dinhdanh.organizations.audit_actions import OrganizationAction
from dinhdanh.organizations.models import MemberRole, Membership, Organization, OrganizationLock
from dinhdanh.organizations.selectors import ACTING_ORGANIZATION
from dinhdanh.people.authflow import STEPPED_UP_AT
from dinhdanh.people.models import AccountLevel, User
from tests.conftest import make_user, signed_in
from tests.organizations.factories import make_organization, make_service
from tests.web.support import csrf_token, html

pytestmark = pytest.mark.django_db

REP_PID = "091185000111"
MEMBER_PID = "091085000222"


@pytest.fixture
def rep(db: None) -> User:
    return make_user("Trần Thị Đại Diện", personal_id=REP_PID)


@pytest.fixture
def org(rep: User) -> Organization:
    return make_organization(representative=rep, code="0100109106", name="Công ty TNHH Sen Vàng")


def page_of(org: Organization, suffix: str = "") -> str:
    return f"/organizations/{org.eid}/{suffix}"


def stale(client: Client) -> None:
    session = client.session
    session[STEPPED_UP_AT] = time.time() - 3600
    session.save()


def test_anonymous_is_sent_to_sign_in(client: Client, org: Organization) -> None:
    for url in ("/organizations/", page_of(org), page_of(org, "members/"), page_of(org, "requests/"),
                page_of(org, "history/"), page_of(org, "requests/update/"), page_of(org, "requests/lock/")):  # fmt: skip
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/signin/?next=")
    response = client.post("/organizations/switch/", {"eid": org.eid})
    assert response["Location"].startswith("/signin/")


def test_a_non_member_is_refused_everywhere(client: Client, org: Organization) -> None:
    stranger = make_user("Người Lạ", personal_id="091090000333")
    signed_in(client, stranger)
    for suffix in ("", "members/", "requests/", "history/", "requests/update/", "requests/lock/"):
        response = client.get(page_of(org, suffix))
        assert response.status_code == 403, suffix
        assert org.name not in html(response)
    response = client.post(
        page_of(org, "members/grant/"), {"personal_id": MEMBER_PID, "role": "member", "full_powers": "on"}
    )
    assert response.status_code == 403
    assert Membership.objects.count() == 1
    response = client.post("/organizations/switch/", {"eid": org.eid}, follow=True)
    assert "không có quyền" in html(response)
    assert ACTING_ORGANIZATION not in client.session


def test_unknown_or_malformed_numbers_are_not_found(client: Client, rep: User, org: Organization) -> None:
    signed_in(client, rep)
    wrong_check_digit = org.eid[:-1] + str((int(org.eid[-1]) + 1) % 10)
    assert client.get(f"/organizations/{wrong_check_digit}/").status_code == 404
    assert client.get("/organizations/123/").status_code == 404
    assert client.get("/organizations/abcdefghijk/").status_code == 404


def test_hub_lists_organizations_requests_and_registration(client: Client, rep: User, org: Organization) -> None:
    signed_in(client, rep)
    page = html(client.get("/organizations/"))
    assert "Định danh tổ chức" in page
    assert org.name in page
    assert org.eid in page
    assert "Đổi tài khoản" in page
    assert 'href="/organizations/register/"' in page
    assert "Bạn chưa nộp hồ sơ nào." in page


def test_a_level_1_account_is_told_what_to_do(client: Client) -> None:
    signed_in(client, make_user("Mức Một", personal_id="091090000666", level=AccountLevel.LEVEL_1))
    page = html(client.get("/organizations/"))
    assert "chưa ở mức độ 2" in page
    assert "Bạn chưa thao tác cho tổ chức nào." in page


def test_switch_account_shows_who_one_acts_as_and_back(client: Client, rep: User, org: Organization) -> None:
    signed_in(client, rep)
    response = client.post("/organizations/switch/", {"eid": org.eid})
    assert response["Location"] == page_of(org)
    assert client.session[ACTING_ORGANIZATION] == org.pk
    page = html(client.get(page_of(org)))
    assert "Đang thao tác với tư cách: <strong>Công ty TNHH Sen Vàng</strong>" in page
    assert "Trở về tài khoản cá nhân" in page
    hub = html(client.get("/organizations/"))
    assert "Đang thao tác với tư cách" in hub
    response = client.post("/organizations/switch/", {"eid": ""})
    assert response["Location"] == "/organizations/"
    assert ACTING_ORGANIZATION not in client.session
    assert "Đang thao tác với tư cách" not in html(client.get(page_of(org)))
    history = html(client.get(page_of(org, "history/")))
    assert str(OrganizationAction.ORG_SWITCHED.label) in history


def test_switch_refuses_junk_and_needs_csrf(rep: User, org: Organization) -> None:
    strict = Client(enforce_csrf_checks=True)
    signed_in(strict, rep)
    assert strict.post("/organizations/switch/", {"eid": org.eid}).status_code == 403
    assert ACTING_ORGANIZATION not in strict.session
    token = csrf_token(html(strict.get("/organizations/")))
    for junk in ("x" * 100, "00000000000", "<script>"):
        response = strict.post("/organizations/switch/", {"eid": junk, "csrfmiddlewaretoken": token})
        assert response["Location"] == "/organizations/"
        assert ACTING_ORGANIZATION not in strict.session
    assert strict.get("/organizations/switch/").status_code == 405


def test_profile_shows_the_art6_fields_with_a_masked_representative(
    client: Client, rep: User, org: Organization
) -> None:
    signed_in(client, rep)
    page = html(client.get(page_of(org)))
    for text in (org.eid, "Công ty TNHH Sen Vàng", "0100109106", "Doanh nghiệp", org.head_office.name,
                 "Trần Thị Đại Diện", rep.personal_id_masked, "Đang hoạt động"):  # fmt: skip
        assert text in page, text
    assert REP_PID not in page


def test_the_representative_grants_and_revokes_a_member(client: Client, rep: User, org: Organization) -> None:
    member = make_user("Phạm Văn Kế Toán", personal_id=MEMBER_PID)
    make_service("thue-dien-tu", "Thuế điện tử"), make_service("bhxh.vn", "Bảo hiểm xã hội")
    signed_in(client, rep)
    page = html(client.get(page_of(org, "members/")))
    assert "Phân quyền cho người khác" in page
    until = (timezone.localdate() + timedelta(days=30)).isoformat()
    assert "Thuế điện tử (thue-dien-tu)" in page  # the registry's services, as checkboxes
    response = client.post(
        page_of(org, "members/grant/"),
        {"personal_id": MEMBER_PID, "role": "member", "services": ["thue-dien-tu", "thue-dien-tu", "bhxh.vn"],
         "valid_until": until},
    )  # fmt: skip
    assert "Phạm Văn Kế Toán" in html(response)  # shown for confirmation, not yet granted
    assert not Membership.objects.filter(user=member).exists()
    token = re.search(r'name="token" value="([^"]+)"', html(response))
    assert token is not None
    response = client.post(page_of(org, "members/grant/confirm/"), {"token": token.group(1)})
    assert response["Location"] == page_of(org, "members/")
    granted = Membership.objects.get(user=member)
    assert granted.role == MemberRole.MEMBER
    assert selectors.granted_codes(granted) == ["bhxh.vn", "thue-dien-tu"]
    assert granted.valid_until is not None
    assert granted.valid_until.astimezone(timezone.get_current_timezone()).date().isoformat() == until
    page = html(client.get(page_of(org, "members/")))
    assert "Phạm Văn Kế Toán" in page
    assert "Bảo hiểm xã hội" in page
    assert MEMBER_PID not in page
    response = client.post(page_of(org, f"members/{granted.pk}/revoke/"), {"reason": ""}, follow=True)
    assert "Hãy nêu lý do thu hồi." in html(response)
    assert Membership.objects.get(pk=granted.pk).revoked_at is None
    client.post(page_of(org, f"members/{granted.pk}/revoke/"), {"reason": "Nghỉ việc"})
    assert Membership.objects.get(pk=granted.pk).revoked_at is not None
    # The member sees the organization no more.
    signed_in(client, member)
    assert client.get(page_of(org)).status_code == 403


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"personal_id": "12345"}, "Số định danh"),
        ({"personal_id": "091090099999"}, "Không có tài khoản định danh điện tử nào"),
        ({"role": "representative"}, "Vai trò không hợp lệ."),
        ({"valid_until": "2001-01-01"}, "Ngày hết hiệu lực phải từ hôm nay trở đi."),
        ({"valid_until": "31/02/2030"}, "Ngày hết hiệu lực không hợp lệ."),
        ({"services": "Thuế điện tử"}, "Danh sách dịch vụ không hợp lệ"),
        ({"services": "x" * 65}, "Danh sách dịch vụ không hợp lệ"),
        ({}, "Hãy chọn ít nhất một dịch vụ được ủy quyền, hoặc chọn toàn quyền."),
        ({"services": "khong-co-dich-vu-nay"}, "Không có dịch vụ đang dùng với mã: khong-co-dich-vu-nay"),
        ({"services": "thue", "full_powers": "on"}, "chỉ người được ủy quyền mới được giới hạn theo dịch vụ"),
    ],
)
def test_bad_grants_are_explained_and_nothing_is_written(
    client: Client, rep: User, org: Organization, changes: dict[str, str], message: str
) -> None:
    make_user("Phạm Văn Kế Toán", personal_id=MEMBER_PID)
    signed_in(client, rep)
    response = client.post(
        page_of(org, "members/grant/"), {"personal_id": MEMBER_PID, "role": "member", **changes}
    )
    page = html(response)
    assert response.status_code == 400
    assert message in page
    assert "Traceback" not in page
    assert Membership.objects.count() == 1


def test_a_level_1_grantee_is_refused(client: Client, rep: User, org: Organization) -> None:
    make_user("Mức Một", personal_id=MEMBER_PID, level=AccountLevel.LEVEL_1)
    signed_in(client, rep)
    response = client.post(
        page_of(org, "members/grant/"), {"personal_id": MEMBER_PID, "role": "member", "full_powers": "on"}
    )
    assert response.status_code == 400
    assert "mức độ 2" in html(response)
    assert Membership.objects.count() == 1


def test_granting_needs_a_fresh_second_factor(client: Client, rep: User, org: Organization) -> None:
    make_user("Phạm Văn Kế Toán", personal_id=MEMBER_PID)
    signed_in(client, rep)
    stale(client)
    page = html(client.get(page_of(org, "members/")))
    assert "Xác thực lại để phân quyền" in page
    response = client.post(
        page_of(org, "members/grant/"), {"personal_id": MEMBER_PID, "role": "member", "full_powers": "on"}
    )
    assert response["Location"].startswith("/step-up/")
    assert Membership.objects.count() == 1


def test_only_the_representative_grants(client: Client, rep: User, org: Organization) -> None:
    member = make_user("Phạm Văn Kế Toán", personal_id=MEMBER_PID)
    Membership.objects.create(organization=org, user=member, role=MemberRole.ADMINISTRATOR, granted_by=rep)
    make_user("Người Thứ Ba", personal_id="091090000444")
    signed_in(client, member)
    page = html(client.get(page_of(org, "members/")))
    assert "Phân quyền cho người khác" not in page
    response = client.post(
        page_of(org, "members/grant/"),
        {"personal_id": "091090000444", "role": "member", "full_powers": "on"},
        follow=True,
    )
    assert "Chỉ người đại diện theo pháp luật" in html(response)
    assert Membership.objects.count() == 2
    rep_membership = Membership.objects.get(user=rep)
    client.post(page_of(org, f"members/{rep_membership.pk}/revoke/"), {"reason": "Thử"})
    assert Membership.objects.get(pk=rep_membership.pk).revoked_at is None


def test_a_membership_of_another_organization_cannot_be_revoked_here(
    client: Client, rep: User, org: Organization
) -> None:
    other_rep = make_user("Đại Diện Khác", personal_id="091090000555")
    other_org = make_organization(representative=other_rep)
    theirs = Membership.objects.get(organization=other_org)
    signed_in(client, rep)
    assert client.post(page_of(org, f"members/{theirs.pk}/revoke/"), {"reason": "x"}).status_code == 404
    assert Membership.objects.get(pk=theirs.pk).revoked_at is None


def test_the_representative_asks_for_an_update_and_a_lock(client: Client, rep: User, org: Organization) -> None:
    signed_in(client, rep)
    response = client.post(page_of(org, "requests/update/"), {})
    assert response.status_code == 400
    assert "Hãy nhập ít nhất một thông tin cần thay đổi." in html(response)
    response = client.post(page_of(org, "requests/update/"), {"phone": "12"})
    assert response.status_code == 400
    assert "Số điện thoại không hợp lệ" in html(response)
    assert Application.objects.count() == 0
    response = client.post(page_of(org, "requests/update/"), {"phone": "0987654321"})
    update = Application.objects.get()
    assert response["Location"] == f"/organizations/requests/{update.pk}/"
    assert update.kind == Kind.UPDATE
    assert update.organization == org
    assert update.status != Status.DRAFT
    requests_page = html(client.get(page_of(org, "requests/")))
    assert update.number in requests_page
    # The organization's own lock is immediate (as on the API), even with a request open.
    response = client.post(page_of(org, "requests/lock/"), {"reason": "Mất thiết bị", "confirm": "on"})
    assert response.status_code == 302
    org.refresh_from_db()
    assert org.status == "locked"


def test_a_lock_request_needs_confirmation_and_a_fresh_factor(
    client: Client, rep: User, org: Organization
) -> None:
    signed_in(client, rep)
    response = client.post(page_of(org, "requests/lock/"), {"reason": "Mất thiết bị"})
    assert response.status_code == 400
    assert "Hãy đánh dấu xác nhận để gửi đề nghị khóa." in html(response)
    stale(client)
    response = client.post(page_of(org, "requests/lock/"), {"reason": "Mất thiết bị", "confirm": "on"})
    assert response["Location"].startswith("/step-up/")
    assert Application.objects.count() == 0
    org.refresh_from_db()
    assert org.status == "active"
    signed_in(client, rep)
    client.post(page_of(org, "requests/lock/"), {"reason": "Mất thiết bị", "confirm": "on"})
    # Issue 10 (low): the web and the API agree — the organization's own lock is immediate.
    assert Application.objects.count() == 0
    org.refresh_from_db()
    assert org.status == "locked"
    assert OrganizationLock.objects.get(organization=org).ground == "organization_request"


def test_a_member_who_is_not_the_representative_cannot_ask(client: Client, rep: User, org: Organization) -> None:
    member = make_user("Phạm Văn Kế Toán", personal_id=MEMBER_PID)
    Membership.objects.create(organization=org, user=member, role=MemberRole.MEMBER, granted_by=rep)
    signed_in(client, member)
    assert "Chỉ người đại diện theo pháp luật" in html(client.get(page_of(org, "requests/update/")))
    response = client.post(page_of(org, "requests/update/"), {"phone": "0987654321"})
    assert response.status_code == 403
    assert Application.objects.count() == 0

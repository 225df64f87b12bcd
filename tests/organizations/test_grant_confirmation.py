"""Granting a member in two steps (issue 15.4): the person is looked up and shown (name, masked number)
with nothing written; "Xác nhận" writes exactly what was shown. The web page and the API answer the same,
a tampered, foreign or stale confirmation is refused, look-ups are counted, services come from the
registry."""

from __future__ import annotations

import base64
import re
import time
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from dinhdanh.core.errors import DomainError
from dinhdanh.organizations.models import MemberRole, Membership, Organization
from dinhdanh.organizations.services import grant_token, member_grant_confirm, member_grant_preview
from dinhdanh.people.models import AccountLevel, User
from tests.conftest import make_user, signed_in
from tests.organizations.factories import make_organization, make_service
from tests.people.support import post_json, problem
from tests.web.support import html

pytestmark = pytest.mark.django_db

OTHER = "091085000222"  # the ``other`` fixture's number
MASKED = "0910******22"
BASE = "/api/v1/organizations"


@pytest.fixture
def org(rep: User) -> Organization:
    return make_organization(representative=rep, code="0101234567", name="Công ty TNHH An Phát")


def preview(rep: User, org: Organization, **kwargs: Any) -> tuple[Any, str]:
    kwargs.setdefault("full_powers", "services" not in kwargs)
    return member_grant_preview(
        actor=rep, organization=org, personal_id=kwargs.pop("personal_id", OTHER), **kwargs
    )


def code_of(exc: pytest.ExceptionInfo[DomainError]) -> str:
    return exc.value.code


# --- the service -----------------------------------------------------------------------------------


def test_the_preview_names_the_person_and_writes_nothing(rep: User, org: Organization, other: User) -> None:
    make_service("thue.ke_khai", "Thuế điện tử")
    plan, token = preview(rep, org, services=["thue.ke_khai"])
    assert (plan.grantee, plan.shown, plan.role) == (other, MASKED, MemberRole.MEMBER)
    assert [s.code for s in plan.services] == ["thue.ke_khai"]
    assert Membership.objects.count() == 1  # the representative's own
    assert OTHER not in token
    granted = member_grant_confirm(actor=rep, organization=org, token=token)
    assert (granted.user, granted.full_powers) == (other, False)
    assert [g.service.code for g in granted.grants.all()] == ["thue.ke_khai"]


def test_a_token_is_bound_to_its_representative_and_organization(
    rep: User, org: Organization, other: User
) -> None:
    _plan, token = preview(rep, org)
    other_rep = make_user("Đại Diện Khác", personal_id="091090000555")
    other_org = make_organization(representative=other_rep)
    with pytest.raises(DomainError) as exc:
        member_grant_confirm(actor=other_rep, organization=other_org, token=token)
    assert code_of(exc) == "organizations.grant_confirmation_invalid"
    with pytest.raises(DomainError) as exc:
        member_grant_confirm(actor=rep, organization=other_org, token=token)
    assert code_of(exc) == "organizations.grant_confirmation_invalid"  # another organization
    assert not Membership.objects.filter(user=other).exists()


@pytest.mark.parametrize(
    "token",
    ["", "x", "A" * 3000, "!!!!", base64.urlsafe_b64encode(b"\x02" + b"\x00" * 60).decode(), None, 12, ["a"]],
)
def test_malformed_tokens_are_refused(rep: User, org: Organization, other: User, token: Any) -> None:
    with pytest.raises(DomainError) as exc:
        member_grant_confirm(actor=rep, organization=org, token=token)
    assert code_of(exc) == "organizations.grant_confirmation_invalid"
    assert not Membership.objects.filter(user=other).exists()


def test_an_altered_token_is_refused(rep: User, org: Organization, other: User) -> None:
    _plan, token = preview(rep, org)
    flipped = token[:20] + ("A" if token[20] != "A" else "B") + token[21:]
    with pytest.raises(DomainError) as exc:
        member_grant_confirm(actor=rep, organization=org, token=flipped)
    assert code_of(exc) == "organizations.grant_confirmation_invalid"
    assert not Membership.objects.filter(user=other).exists()


def test_a_stale_token_is_refused(rep: User, org: Organization, other: User) -> None:
    pending = grant_token.Pending(org.pk, rep.pk, other.pk, "member", [], True, None)
    old = grant_token.issue(pending, now=time.time() - grant_token.lifetime_seconds() - 1)
    with pytest.raises(DomainError) as exc:
        member_grant_confirm(actor=rep, organization=org, token=old)
    assert code_of(exc) == "organizations.grant_confirmation_invalid"


def test_a_token_used_twice_grants_once(rep: User, org: Organization, other: User) -> None:
    _plan, token = preview(rep, org)
    member_grant_confirm(actor=rep, organization=org, token=token)
    with pytest.raises(DomainError) as exc:
        member_grant_confirm(actor=rep, organization=org, token=token)
    assert code_of(exc) == "organizations.already_member"
    assert Membership.objects.filter(user=other).count() == 1


def test_the_rules_run_again_on_confirmation(rep: User, org: Organization, other: User) -> None:
    """Between the two steps the person may lose level 2: the confirmation is refused."""
    _plan, token = preview(rep, org)
    User.objects.filter(pk=other.pk).update(level=AccountLevel.LEVEL_1)
    with pytest.raises(DomainError) as exc:
        member_grant_confirm(actor=rep, organization=org, token=token)
    assert code_of(exc) == "organizations.grantee_not_level2"
    assert not Membership.objects.filter(user=other).exists()


def test_a_person_already_granted_is_refused_at_the_preview(rep: User, org: Organization, other: User) -> None:
    _plan, token = preview(rep, org)
    member_grant_confirm(actor=rep, organization=org, token=token)
    with pytest.raises(DomainError) as exc:
        preview(rep, org)
    assert code_of(exc) == "organizations.already_member"


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"services": ["khong-co"], "full_powers": False}, "organizations.unknown_services"),
        ({"services": ["<script>"], "full_powers": False}, "organizations.invalid_services"),
        ({"services": "thue.ke_khai", "full_powers": False}, "organizations.invalid_services"),
        ({"services": [], "full_powers": False}, "organizations.no_services"),
        ({"role": "representative"}, "organizations.role_not_grantable"),
        ({"personal_id": "091090099999"}, "organizations.grantee_not_found"),
    ],
)
def test_bad_previews_are_refused(rep: User, org: Organization, other: User, kwargs: Any, code: str) -> None:
    make_service("thue.ke_khai")
    with pytest.raises(DomainError) as exc:
        preview(rep, org, **kwargs)
    assert code_of(exc) == code


def test_look_ups_are_counted_per_representative(settings: Any, rep: User, org: Organization, other: User) -> None:
    """Found or not, each look-up counts; past the limit nobody is looked up, not even a real person."""
    settings.LOOKUP_FREE_ATTEMPTS, settings.LOOKUP_LOCK_ATTEMPTS = 2, 3
    for number in ("091090099991", "091090099992"):
        with pytest.raises(DomainError):
            preview(rep, org, personal_id=number)
    preview(rep, org)  # the third: allowed, and now blocked for the window
    with pytest.raises(DomainError) as exc:
        preview(rep, org)
    assert code_of(exc) == "organizations.lookup_throttled"
    assert exc.value.status == 429


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"personal_id": "<script>alert(1)</script>", "full_powers": True}, 400, "codes.pid_not_digits"),
        ({"personal_id": OTHER + "\u0000", "full_powers": True}, 400, "codes.pid_not_digits"),
        ({"personal_id": ["x"]}, 422, "core.validation"),
        ({"personal_id": OTHER, "services": ["thue.ke_khai"] * 21}, 400, "organizations.invalid_services"),
        ({"personal_id": OTHER, "role": "representative", "full_powers": True}, 400,
         "organizations.role_not_grantable"),
    ],
)  # fmt: skip
@pytest.mark.usefixtures("other")
def test_hostile_previews_are_refused_and_name_nobody(
    rep: User, org: Organization, body: dict[str, Any], status: int, code: str
) -> None:
    make_service("thue.ke_khai")
    client, csrf = api_client(rep)
    response = post_json(client, f"{BASE}/{org.eid}/members/preview", body, csrf)
    problem(response, status, code)
    assert "Phạm Văn Kế Toán" not in response.content.decode()


# --- the web page ----------------------------------------------------------------------------------


def page_of(org: Organization, suffix: str = "") -> str:
    return f"/organizations/{org.eid}/{suffix}"


def token_in(page: str) -> str:
    found = re.search(r'name="token" value="([^"]+)"', page)
    assert found is not None
    return found.group(1)


def test_the_page_shows_the_person_before_granting(
    client: Client, rep: User, org: Organization, other: User
) -> None:
    make_service("thue.ke_khai", "Thuế điện tử"), make_service("bhxh", "Bảo hiểm xã hội")
    signed_in(client, rep)
    until = (timezone.localdate() + timedelta(days=30)).isoformat()
    response = client.post(
        page_of(org, "members/grant/"),
        {"personal_id": OTHER, "role": "member", "services": ["thue.ke_khai"], "valid_until": until},
    )
    page = html(response)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    for text in ("Xác nhận phân quyền", "Phạm Văn Kế Toán", MASKED, "Thuế điện tử", "Quay lại"):
        assert text in page, text
    assert "Bảo hiểm xã hội" not in page
    assert OTHER not in page
    assert Membership.objects.count() == 1  # nothing written yet
    response = client.post(page_of(org, "members/grant/confirm/"), {"token": token_in(page)}, follow=True)
    assert "Đã phân quyền cho Phạm Văn Kế Toán." in html(response)
    assert Membership.objects.get(user=other).valid_until is not None


@pytest.mark.parametrize("token", ["", "tampered", "A" * 5000])
def test_the_page_refuses_a_bad_confirmation(
    client: Client, rep: User, org: Organization, other: User, token: str
) -> None:
    signed_in(client, rep)
    response = client.post(page_of(org, "members/grant/confirm/"), {"token": token}, follow=True)
    assert "hết hạn hoặc không hợp lệ" in html(response)
    assert not Membership.objects.filter(user=other).exists()


def test_the_confirmation_needs_the_representative(
    client: Client, rep: User, org: Organization, other: User
) -> None:
    signed_in(client, rep)
    token = token_in(html(client.post(page_of(org, "members/grant/"), {"personal_id": OTHER, "full_powers": "on",
                                                                         "role": "member"})))  # fmt: skip
    stranger = make_user("Người Lạ", personal_id="091090000333")
    signed_in(client, stranger)
    assert client.post(page_of(org, "members/grant/confirm/"), {"token": token}).status_code == 403
    assert not Membership.objects.filter(user=other).exists()


# --- the API: the same two steps, the same answers --------------------------------------------------


def api_client(user: User) -> tuple[Client, str]:
    client = signed_in(Client(enforce_csrf_checks=True), user, stepped_up=True)
    return client, str(client.get("/api/v1/auth/csrf").json()["csrf_token"])


def test_the_api_previews_then_confirms(rep: User, org: Organization, other: User) -> None:
    make_service("thue.ke_khai")
    client, csrf = api_client(rep)
    body = {"personal_id": OTHER, "services": ["thue.ke_khai"]}
    response = post_json(client, f"{BASE}/{org.eid}/members/preview", body, csrf)
    assert response.status_code == 200, response.content
    shown = response.json()
    assert (shown["full_name"], shown["personal_id_masked"], shown["services"]) == (
        "Phạm Văn Kế Toán",
        MASKED,
        ["thue.ke_khai"],
    )
    assert OTHER not in response.content.decode()
    assert Membership.objects.count() == 1
    response = post_json(client, f"{BASE}/{org.eid}/members/confirm", {"token": shown["token"]}, csrf)
    assert response.status_code == 201, response.content
    assert response.json()["full_name"] == "Phạm Văn Kế Toán"
    problem(post_json(client, f"{BASE}/{org.eid}/members/confirm", {"token": "x"}, csrf), 400,
            "organizations.grant_confirmation_invalid")  # fmt: skip


@pytest.mark.parametrize(
    ("changes", "status", "code"),
    [
        ({"services": ["khong-co"]}, 400, "organizations.unknown_services"),
        ({"services": ["DROP TABLE"]}, 400, "organizations.invalid_services"),
        ({"personal_id": "091090099999", "full_powers": True}, 404, "organizations.grantee_not_found"),
    ],
)
@pytest.mark.usefixtures("other")
def test_web_and_api_refuse_alike(
    client: Client, rep: User, org: Organization, *, changes: dict[str, Any], status: int, code: str
) -> None:
    api, csrf = api_client(rep)
    body = {"personal_id": OTHER, **changes}
    for url in (f"{BASE}/{org.eid}/members/preview", f"{BASE}/{org.eid}/members"):
        problem(post_json(api, url, body, csrf), status, code)
    signed_in(client, rep)
    form = {"personal_id": body["personal_id"], "role": "member", "services": changes.get("services", [])}
    if changes.get("full_powers"):
        form["full_powers"] = "on"
    response = client.post(page_of(org, "members/grant/"), form)
    assert response.status_code == 400
    assert "Xác nhận phân quyền" not in html(response)
    assert Membership.objects.count() == 1

"""The organization API: CSRF on every POST, problem+json refusals, no personal ID number in any
answer, and the same rules as the services."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from dinhdanh.core.audit_actions import KernelAction
from dinhdanh.core.models import AuditEvent
from dinhdanh.organizations.audit_actions import OrganizationAction
from dinhdanh.organizations.models import Membership, Organization, OrganizationStatus
from dinhdanh.people.models import User
from dinhdanh.people.permissions import PeopleRole
from tests.conftest import make_officer, make_user, signed_in
from tests.organizations.factories import make_organization, make_service
from tests.people.support import post_json, problem

pytestmark = pytest.mark.django_db

BASE = "/api/v1/organizations"
OTHER = "091085000222"


def api_client(user: User, *, stepped_up: bool = True) -> tuple[Client, str]:
    client = signed_in(Client(enforce_csrf_checks=True), user, stepped_up=stepped_up)
    token = client.get("/api/v1/auth/csrf").json()["csrf_token"]
    return client, str(token)


@pytest.fixture
def org(rep: User) -> Organization:
    return make_organization(representative=rep, code="0101234567", name="Công ty TNHH An Phát")


def test_anonymous_callers_get_401(org: Organization) -> None:
    client = Client()
    problem(client.get(f"{BASE}/mine"), 401, "core.unauthenticated")
    problem(client.get(f"{BASE}/{org.eid}"), 401, "core.unauthenticated")


def test_mine_switch_and_detail(rep: User, org: Organization) -> None:
    client, token = api_client(rep)
    mine = client.get(f"{BASE}/mine").json()
    assert mine == [
        {
            "eid": org.eid,
            "name": org.name,
            "category": "enterprise",
            "status": "active",
            "role": "representative",
            "full_powers": True,
            "services": [],
            "valid_until": None,
            "acting": False,
        }
    ]
    response = post_json(client, f"{BASE}/switch", {"eid": org.eid}, token)
    assert response.json() == {"acting": org.eid}
    assert client.get(f"{BASE}/mine").json()[0]["acting"] is True
    detail = client.get(f"{BASE}/{org.eid}").json()
    assert detail["eid"] == org.eid
    assert detail["representative_masked"] == rep.personal_id_masked
    assert post_json(client, f"{BASE}/switch", {"eid": None}, token).json() == {"acting": None}


def test_every_post_needs_the_csrf_token(rep: User, org: Organization) -> None:
    client, _token = api_client(rep)
    for url, body in (
        (f"{BASE}/switch", {"eid": org.eid}),
        (f"{BASE}/{org.eid}/members", {"personal_id": OTHER, "full_powers": True}),
        (f"{BASE}/{org.eid}/lock", {"ground": "organization_request", "reason": "x"}),
    ):
        problem(post_json(client, url, body), 403, "core.csrf_failed")
    assert Membership.objects.count() == 1
    org.refresh_from_db()
    assert org.status == OrganizationStatus.ACTIVE


def test_a_stranger_cannot_see_or_switch(org: Organization, other: User) -> None:
    client, token = api_client(other)
    assert client.get(f"{BASE}/mine").json() == []
    problem(post_json(client, f"{BASE}/switch", {"eid": org.eid}, token), 403, "organizations.not_a_member")
    problem(client.get(f"{BASE}/{org.eid}"), 403, "core.permission_denied")
    problem(client.get(f"{BASE}/{org.eid}/members"), 403, "core.permission_denied")
    assert AuditEvent.objects.filter(action=KernelAction.ACCESS_DENIED).count() == 2


@pytest.mark.parametrize("eid", ["00000000000", "12345678901", "abc", "0" * 200, "%2e%2e"])
def test_unknown_or_malformed_numbers_are_404(rep: User, org: Organization, eid: str) -> None:
    client, token = api_client(rep)
    problem(client.get(f"{BASE}/{eid}"), 404, "organizations.not_found")
    problem(post_json(client, f"{BASE}/switch", {"eid": eid[:32]}, token), 404, "organizations.not_found")


def test_grant_list_and_revoke(rep: User, org: Organization, other: User) -> None:
    make_service("thue.ke_khai")
    client, token = api_client(rep)
    until = (timezone.now() + timedelta(days=10)).isoformat()
    body = {"personal_id": OTHER, "role": "member", "services": ["thue.ke_khai"], "valid_until": until}
    response = post_json(client, f"{BASE}/{org.eid}/members", body, token)
    assert response.status_code == 201, response.content
    member = response.json()
    assert member["personal_id_masked"] == "0910******22"
    assert member["in_force"] is True
    assert (member["full_powers"], member["services"]) == (False, ["thue.ke_khai"])
    assert OTHER not in response.content.decode()
    problem(post_json(client, f"{BASE}/{org.eid}/members", body, token), 409, "organizations.already_member")
    listed = client.get(f"{BASE}/{org.eid}/members").json()
    assert {m["role"] for m in listed} == {"representative", "member"}
    response = post_json(client, f"{BASE}/{org.eid}/members/{member['id']}/revoke", {"reason": "Nghỉ việc"}, token)
    assert response.status_code == 200
    assert response.json()["revoked_at"] is not None
    assert len(client.get(f"{BASE}/{org.eid}/members").json()) == 1
    assert len(client.get(f"{BASE}/{org.eid}/members?include_ended=true").json()) == 2
    history = client.get(f"{BASE}/{org.eid}/history").json()
    assert [e["action"] for e in history] == ["org.member_revoked", "org.member_granted"]
    assert OTHER not in json.dumps(history)


def test_a_grant_needs_a_fresh_second_factor(rep: User, org: Organization, other: User) -> None:
    client, token = api_client(rep, stepped_up=False)
    problem(
        post_json(client, f"{BASE}/{org.eid}/members", {"personal_id": OTHER, "full_powers": True}, token),
        403,
        "people.step_up_required",
    )


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"personal_id": "123"}, 400, "codes.pid_length"),
        ({"personal_id": OTHER, "role": "representative"}, 400, "organizations.role_not_grantable"),
        ({"personal_id": OTHER, "role": "god"}, 400, "organizations.role_not_grantable"),
        ({"personal_id": OTHER, "services": ["DROP TABLE"]}, 400, "organizations.invalid_services"),
        ({"personal_id": OTHER, "valid_until": "2001-01-01T00:00:00Z"}, 400, "organizations.valid_until_past"),
        ({"personal_id": OTHER, "valid_until": "not a date"}, 422, "core.validation"),
        ({"personal_id": ["x"]}, 422, "core.validation"),
        ({}, 422, "core.validation"),
    ],
)
@pytest.mark.usefixtures("other")
def test_malformed_grants(rep: User, org: Organization, body: dict[str, Any], status: int, code: str) -> None:
    client, token = api_client(rep)
    problem(post_json(client, f"{BASE}/{org.eid}/members", body, token), status, code)
    assert Membership.objects.count() == 1


def test_a_member_cannot_grant_or_see_members(rep: User, org: Organization, other: User) -> None:
    rep_client, rep_token = api_client(rep)
    post_json(rep_client, f"{BASE}/{org.eid}/members", {"personal_id": OTHER, "full_powers": True}, rep_token)
    make_user("Người Thứ Ba", personal_id="091085000888")
    client, token = api_client(other)
    assert client.get(f"{BASE}/{org.eid}").status_code == 200
    problem(client.get(f"{BASE}/{org.eid}/members"), 403, "core.permission_denied")
    problem(
        post_json(
            client, f"{BASE}/{org.eid}/members", {"personal_id": "091085000888", "full_powers": True}, token
        ),
        403,
        "organizations.not_representative",
    )
    own = Membership.objects.get(organization=org, user=other)
    rep_own = Membership.objects.get(organization=org, user=rep)
    problem(
        post_json(client, f"{BASE}/{org.eid}/members/{rep_own.pk}/revoke", {"reason": "x"}, token),
        409,
        "organizations.cannot_revoke_representative",
    )
    problem(
        post_json(client, f"{BASE}/{org.eid}/members/999999/revoke", {"reason": "x"}, token),
        404,
        "organizations.not_found",
    )
    assert (
        post_json(client, f"{BASE}/{org.eid}/members/{own.pk}/revoke", {"reason": "Thôi"}, token).status_code
        == 200
    )


def test_officer_lock_and_unlock(officer: User, outsider_officer: User, org: Organization, rep: User) -> None:
    client, token = api_client(officer)
    assert client.get(f"{BASE}/{org.eid}").json()["eid"] == org.eid
    assert AuditEvent.objects.filter(action=OrganizationAction.ORG_VIEWED).count() == 1
    body = {"ground": "authority_request", "reason": "Điều tra", "authority": "CQĐT", "document_reference": "1/CV"}
    second = make_officer(PeopleRole.REVIEWING_OFFICER, org.head_office, "Cán bộ Thứ Hai")
    second_client, second_token = api_client(second)
    proposed = post_json(second_client, f"{BASE}/{org.eid}/lock", body, second_token)
    assert proposed.status_code == 202, proposed.content  # four-eyes: waits for another officer
    assert proposed.json()["status"] == "active"
    problem(
        post_json(second_client, f"{BASE}/{org.eid}/lock", body, second_token),
        409,
        "organizations.lock_needs_second_officer",
    )
    response = post_json(client, f"{BASE}/{org.eid}/lock", body, token)
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "locked"
    problem(post_json(client, f"{BASE}/{org.eid}/lock", body, token), 409, "organizations.already_locked")
    rep_client, rep_token = api_client(rep)
    problem(post_json(rep_client, f"{BASE}/switch", {"eid": org.eid}, rep_token), 409, "organizations.not_active")
    problem(
        post_json(rep_client, f"{BASE}/{org.eid}/unlock", {"reason": "x"}, rep_token),
        403,
        "core.permission_denied",
    )
    outsider, outsider_token = api_client(outsider_officer)
    problem(
        post_json(outsider, f"{BASE}/{org.eid}/unlock", {"reason": "x"}, outsider_token),
        403,
        "core.out_of_jurisdiction",
    )
    response = post_json(client, f"{BASE}/{org.eid}/unlock", {"reason": "Đã xong"}, token)
    assert response.json()["unlocked_at"] is not None
    problem(
        post_json(client, f"{BASE}/{org.eid}/lock", {"ground": "registry_termination", "reason": "x"}, token),
        400,
        "organizations.ground_not_allowed",
    )


@hsettings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    body=st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=30),
        lambda c: (
            st.lists(c, max_size=3)
            | st.dictionaries(
                st.sampled_from(["personal_id", "role", "services", "valid_until", "eid", "reason", "ground"]),
                c,
                max_size=4,
            )
        ),
        max_leaves=8,
    )
)
def test_no_body_makes_a_500(rep: User, org: Organization, body: Any) -> None:
    client, token = api_client(rep)
    for url in (
        f"{BASE}/switch",
        f"{BASE}/{org.eid}/members",
        f"{BASE}/{org.eid}/lock",
        f"{BASE}/{org.eid}/members/1/revoke",
    ):
        response = post_json(client, url, body, token)
        assert response.status_code < 500, (url, body, response.content)


def test_a_repeated_grant_with_the_same_key_is_answered_once(rep: User, org: Organization, other: User) -> None:
    client, token = api_client(rep)
    url, body = f"{BASE}/{org.eid}/members", {"personal_id": OTHER, "full_powers": True}
    first = post_json(client, url, body, HTTP_IDEMPOTENCY_KEY="k-1", HTTP_X_CSRFTOKEN=token)
    again = post_json(client, url, body, HTTP_IDEMPOTENCY_KEY="k-1", HTTP_X_CSRFTOKEN=token)
    assert first.status_code == again.status_code == 201
    assert again["Idempotency-Replayed"] == "true"
    assert again.json() == first.json()
    assert Membership.objects.filter(organization=org, user=other).count() == 1
    other_body = {"personal_id": OTHER, "role": "administrator"}
    problem(
        post_json(client, url, other_body, HTTP_IDEMPOTENCY_KEY="k-1", HTTP_X_CSRFTOKEN=token),
        422,
        "idempotency_key_reused",
    )

"""Officers' organization pages: search in the jurisdiction, the record, lock and unlock on an
authority's written request."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from dinhdanh.organizations.audit_actions import OrganizationAction
from dinhdanh.organizations.models import LockGround, Organization, OrganizationLock, OrganizationStatus
from tests.applications.officer.support import (
    COMMUNE,
    OTHER_COMMUNE,
    client_for,
    denials,
    events,
    intake_officer,
    messages_of,
    reviewer,
)
from tests.conftest import make_user, signed_in, unit
from tests.organizations.factories import make_organization
from tests.web.support import assert_friendly, html

pytestmark = pytest.mark.django_db

LIST = "/applications/organizations/"
LOCK = {"authority": "Cơ quan Cảnh sát điều tra Công an tỉnh An Giang", "document_reference": "Công văn số 123/CSĐT ngày 01/12/2025", "reason": "Phục vụ điều tra."}  # fmt: skip


def org(commune: str = COMMUNE, **fields: Any) -> Organization:
    return make_organization(head_office=unit(commune), **fields)


def status(organization: Organization) -> str:
    return Organization.objects.get(pk=organization.pk).status


def test_search_in_the_jurisdiction_by_name_code_or_number() -> None:
    mine = org(name="Công ty TNHH Hoa Sen", code="0101234567")
    other = org(name="Công ty TNHH Mạc Cửu")
    elsewhere = org(OTHER_COMMUNE, name="Công ty TNHH Hoa Sen Nơi Khác")
    client = client_for(reviewer())
    listing = html(client.get(LIST))
    assert mine.eid in listing
    assert other.eid in listing
    assert elsewhere.eid not in listing
    assert other.eid not in html(client.get(LIST, {"q": "hoa sen"}))
    assert mine.eid in html(client.get(LIST, {"q": "CTY TNHH HOA SEN"}))
    assert mine.eid in html(client.get(LIST, {"q": "0101234567"}))
    assert mine.eid in html(client.get(LIST, {"q": mine.eid}))
    assert client.get(LIST, {"q": "x" * 500}).status_code == 200


def test_citizens_and_intake_officers_are_refused_the_list() -> None:
    for user in (make_user("Người Thường"), intake_officer()):
        assert_friendly(client_for(user).get(LIST), 403)


def test_the_organization_page_and_its_jurisdiction() -> None:
    organization = org(name="Công ty TNHH Trang Tổ Chức")
    page = html(client_for(reviewer()).get(f"{LIST}{organization.eid}/"))
    assert "Công ty TNHH Trang Tổ Chức" in page
    assert organization.representative_masked in page
    assert "/lock/" in page
    before = denials()
    assert_friendly(client_for(reviewer(OTHER_COMMUNE)).get(f"{LIST}{organization.eid}/"), 403)
    assert denials() == before + 1
    assert_friendly(client_for(reviewer()).get(f"{LIST}00000000000/"), 404)


def test_lock_and_unlock_on_an_authoritys_request() -> None:
    organization = org()
    first = client_for(reviewer())
    page_url = f"{LIST}{organization.eid}/"
    # Four-eyes (issue 10.2): the first officer's lock waits for a second officer's confirmation.
    response = first.post(f"{page_url}lock/", LOCK)
    assert response.status_code == 302
    assert status(organization) == OrganizationStatus.ACTIVE
    assert "bốn mắt" in messages_of(html(first.get(page_url)))
    first.post(f"{page_url}lock/", LOCK)
    assert status(organization) == OrganizationStatus.ACTIVE  # the same officer cannot be the second
    client = client_for(reviewer())
    response = client.post(f"{page_url}lock/", LOCK)
    assert response.status_code == 302
    assert response["Location"] == page_url
    assert status(organization) == OrganizationStatus.LOCKED
    lock = OrganizationLock.objects.get(organization=organization)
    assert lock.ground == LockGround.AUTHORITY_REQUEST
    assert lock.authority == LOCK["authority"]
    assert lock.document_reference == LOCK["document_reference"]
    assert events(OrganizationAction.ORG_LOCKED) == 1
    page = html(client.get(page_url))
    assert "Đang bị khóa" in page
    assert "/unlock/" in page

    response = client.post(f"{page_url}unlock/", {"reason": ""})
    assert status(organization) == OrganizationStatus.LOCKED
    assert messages_of(html(client.get(page_url)))
    client.post(f"{page_url}unlock/", {"reason": "Cơ quan yêu cầu đã có văn bản chấm dứt."})
    assert status(organization) == OrganizationStatus.ACTIVE
    assert events(OrganizationAction.ORG_UNLOCKED) == 1


@pytest.mark.parametrize("missing", ["authority", "document_reference", "reason"])
def test_a_lock_needs_the_authority_its_document_and_a_reason(missing: str) -> None:
    organization = org()
    client = client_for(reviewer())
    client.post(f"{LIST}{organization.eid}/lock/", {**LOCK, missing: "  "})
    assert status(organization) == OrganizationStatus.ACTIVE
    assert messages_of(html(client.get(f"{LIST}{organization.eid}/")))


def test_locking_twice_keeps_one_lock() -> None:
    organization = org()
    client_for(reviewer()).post(f"{LIST}{organization.eid}/lock/", LOCK)
    client = client_for(reviewer())
    client.post(f"{LIST}{organization.eid}/lock/", LOCK)
    client.post(f"{LIST}{organization.eid}/lock/", LOCK)
    assert OrganizationLock.objects.filter(organization=organization).count() == 1


def test_lock_needs_step_up_csrf_and_the_jurisdiction() -> None:
    organization = org()
    stale = signed_in(Client(), reviewer(), stepped_up=False).post(f"{LIST}{organization.eid}/lock/", LOCK)
    assert stale.status_code == 302
    assert stale["Location"].startswith("/step-up/")
    forged = client_for(reviewer(), enforce_csrf_checks=True).post(f"{LIST}{organization.eid}/lock/", LOCK)
    assert forged.status_code == 403
    outsider = client_for(reviewer(OTHER_COMMUNE)).post(f"{LIST}{organization.eid}/lock/", LOCK)
    assert_friendly(outsider, 403)
    assert status(organization) == OrganizationStatus.ACTIVE

"""One rule, every face (issue 11.3): each role × object type × own or other territory (or
organization), read through the web pages and through the API, must get the same answer. The
expected answers are a table written here; the cells are generated from it.

A face "allows" when one of its addresses for that object answers 200; anything else (401, 403, 404,
a redirect to sign in) is a refusal. The two faces must agree, and agree with the table.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from dinhdanh.applications.models import DocumentKind, Status
from dinhdanh.applications.services.files import store_document
from dinhdanh.core.access import AdministratorRole
from dinhdanh.geo.models import Level
from dinhdanh.organizations.models import MemberRole, Membership
from dinhdanh.people.models import User
from dinhdanh.people.permissions import PeopleRole
from dinhdanh.registries.permissions import RegistryRole
from tests.applications.support import PDF, upload
from tests.conftest import make_officer, make_user, signed_in, unit
from tests.organizations.factories import commune, make_application, make_organization, person_of
from tests.organizations.support import new_data

pytestmark = pytest.mark.django_db

ROLES = (
    "anonymous",
    "citizen",
    "representative",
    "administrator",
    "member",
    "other_representative",
    "intake_officer",
    "intake_officer_elsewhere",
    "reviewing_officer",
    "reviewing_officer_elsewhere",
    "partner_clerk",
    "campaign_manager",
    "system_admin",
)


@dataclass(frozen=True)
class Faces:
    html: tuple[str, ...]
    api: tuple[str, ...]


def faces(world: dict[str, Any]) -> dict[str, Faces]:
    eid, app, doc = world["org"].eid, world["application"].pk, world["document"].pk
    return {
        "organization": Faces(
            (f"/organizations/{eid}/", f"/applications/organizations/{eid}/"), (f"/api/v1/organizations/{eid}",)
        ),
        # An officer reads members and access history on the officer's organization page.
        "members": Faces(
            (f"/organizations/{eid}/members/", f"/applications/organizations/{eid}/"),
            (f"/api/v1/organizations/{eid}/members",),
        ),
        "history": Faces(
            (f"/organizations/{eid}/history/", f"/applications/organizations/{eid}/"),
            (f"/api/v1/organizations/{eid}/history",),
        ),
        "request": Faces(
            (f"/organizations/requests/{app}/", f"/applications/queue/{app}/"),
            (f"/api/v1/applications/{app}", f"/api/v1/applications/officer/{app}"),
        ),
        "document": Faces(
            (f"/organizations/requests/{app}/documents/{doc}/", f"/applications/documents/{doc}/"),
            (f"/api/v1/applications/documents/{doc}",),
        ),
        # The reconciliation of the organization's province (registries.reconcile.scope).
        "reconciliation": Faces(
            ("/registries/reconcile/?unit=91&tab=differences",),
            ("/api/v1/registries/reconcile/differences?unit=91",),
        ),
    }


KINDS = ("organization", "members", "history", "request", "document", "reconciliation")

# Who reads what: True where at least one face of the object answers 200 — the rule both faces follow
# (organizations.policy, applications.policy, registries.policy). A request's documents are its
# applicant's, its officers' and, while their grant is in force, the organization's members'.
EXPECTED: dict[str, dict[str, bool]] = {
    "anonymous": {
        "organization": False,
        "members": False,
        "history": False,
        "request": False,
        "document": False,
        "reconciliation": False,
    },
    "citizen": {
        "organization": False,
        "members": False,
        "history": False,
        "request": False,
        "document": False,
        "reconciliation": False,
    },
    "representative": {
        "organization": True,
        "members": True,
        "history": True,
        "request": True,
        "document": True,
        "reconciliation": False,
    },
    "administrator": {
        "organization": True,
        "members": True,
        "history": True,
        "request": False,
        "document": True,
        "reconciliation": False,
    },
    "member": {
        "organization": True,
        "members": False,
        "history": False,
        "request": False,
        "document": True,
        "reconciliation": False,
    },
    "other_representative": {
        "organization": False,
        "members": False,
        "history": False,
        "request": False,
        "document": False,
        "reconciliation": False,
    },
    "intake_officer": {
        "organization": False,
        "members": False,
        "history": False,
        "request": True,
        "document": True,
        "reconciliation": False,
    },
    "intake_officer_elsewhere": {
        "organization": False,
        "members": False,
        "history": False,
        "request": False,
        "document": False,
        "reconciliation": False,
    },
    "reviewing_officer": {
        "organization": True,
        "members": True,
        "history": True,
        "request": True,
        "document": True,
        "reconciliation": True,
    },
    "reviewing_officer_elsewhere": {
        "organization": False,
        "members": False,
        "history": False,
        "request": False,
        "document": False,
        "reconciliation": False,
    },
    "partner_clerk": {
        "organization": False,
        "members": False,
        "history": False,
        "request": False,
        "document": False,
        "reconciliation": True,
    },
    "campaign_manager": {
        "organization": False,
        "members": False,
        "history": False,
        "request": False,
        "document": False,
        "reconciliation": True,
    },
    "system_admin": {
        "organization": False,
        "members": False,
        "history": False,
        "request": False,
        "document": False,
        "reconciliation": False,
    },
}


@pytest.fixture(scope="module")
def world(django_db_setup: None, django_db_blocker: Any) -> Any:
    """One organization in An Giang with its people and a request, and staff here and in Hà Nội; built
    once for the module (hundreds of cells) and removed after it."""
    with django_db_blocker.unblock():
        from django.db import transaction

        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            here, elsewhere = unit("91", Level.PROVINCE), unit("01", Level.PROVINCE)
            rep = make_user("Đại Diện")
            admin_member, member, other_rep = (
                make_user("Quản Trị TC"),
                make_user("Thành Viên"),
                make_user("Người Khác"),
            )
            org = make_organization(representative=rep, head_office=commune())
            for user, role in ((admin_member, MemberRole.ADMINISTRATOR), (member, MemberRole.MEMBER)):
                Membership.objects.create(organization=org, user=user, role=role, granted_by=rep)
            make_organization(representative=other_rep, head_office=commune(index=1))
            application = make_application(
                applicant=rep,
                data=new_data(representative=person_of(rep)),
                organization=org,
                status=Status.SUBMITTED,
            )
            users: dict[str, User | None] = {
                "anonymous": None,
                "citizen": make_user("Công Dân"),
                "representative": rep,
                "administrator": admin_member,
                "member": member,
                "other_representative": other_rep,
                "intake_officer": make_officer(PeopleRole.INTAKE_OFFICER, here, "Tiếp Nhận"),
                "intake_officer_elsewhere": make_officer(PeopleRole.INTAKE_OFFICER, elsewhere, "Tiếp Nhận HN"),
                "reviewing_officer": make_officer(PeopleRole.REVIEWING_OFFICER, here, "Thẩm Định"),
                "reviewing_officer_elsewhere": make_officer(
                    PeopleRole.REVIEWING_OFFICER, elsewhere, "Thẩm Định HN"
                ),
                "partner_clerk": make_officer(RegistryRole.PARTNER_CLERK, here, "Đối Tác"),
                "campaign_manager": make_officer(RegistryRole.CAMPAIGN_MANAGER, here, "Kế Hoạch"),
                "system_admin": make_officer(AdministratorRole.SYSTEM_ADMIN, None, "Quản Trị HT"),
            }
            document = store_document(
                actor=rep, application=application, kind=DocumentKind.OTHER, upload=upload("uy-quyen.pdf", PDF)
            )
            yield {"org": org, "application": application, "document": document, "users": users}
        finally:
            transaction.set_rollback(True)  # nothing of the module's world outlives it
            atomic.__exit__(None, None, None)


def _allows(client: Client, urls: tuple[str, ...]) -> bool:
    return any(client.get(url).status_code == 200 for url in urls)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("kind", KINDS)
def test_both_faces_give_the_role_the_same_answer(world: Any, role: str, kind: str) -> None:
    user = world["users"][role]
    client = Client() if user is None else signed_in(Client(), user)
    face = faces(world)[kind]
    html, api = _allows(client, face.html), _allows(client, face.api)
    assert html == api, (
        f"{role} on {kind}: page {'allows' if html else 'refuses'}, API {'allows' if api else 'refuses'}"
    )
    assert html == EXPECTED[role][kind], f"{role} on {kind}: {'allowed' if html else 'refused'}"


def test_the_table_covers_every_role_and_object() -> None:
    assert set(EXPECTED) == set(ROLES)
    assert all(set(row) == set(KINDS) for row in EXPECTED.values())

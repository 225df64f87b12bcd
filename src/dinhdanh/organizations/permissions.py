"""Roles and permissions of organizations (decision 0024): the organization administrator follows a
membership (never assigned over a territory); reviewing officers oversee the organizations of their
territory (read, lock and unlock on an authority's request, attach a representative)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from dinhdanh.core.access import Permission, Role, grant, permissions, roles
from dinhdanh.people.permissions import PeopleRole


@roles(staff=False)
class OrganizationRole(Role):
    ORG_ADMIN = "org_admin", _("Quản trị tổ chức")


@permissions("organizations")
class OrganizationPermission(Permission):
    OVERSEE_ORGANIZATION = "organizations.oversee"


grant(PeopleRole.REVIEWING_OFFICER, OrganizationPermission.OVERSEE_ORGANIZATION)

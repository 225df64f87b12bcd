"""The organization administrator: not assigned over a territory, it follows a membership (0024)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from dinhdanh.core.access import Role, roles


@roles(staff=False)
class OrganizationRole(Role):
    ORG_ADMIN = "org_admin", _("Quản trị tổ chức")

"""The registry of services that relying parties name and member grants authorize (issue 12.0).

System administrators keep it (the page and ``dinhdanh services``; a command runs as the operator,
``actor=None``). A service is never deleted — grants and clients point at it — only taken out of use,
which ends what every grant of it authorizes at once (``selectors.membership_covers`` checks it).
"""

from __future__ import annotations

import re

from django.db import transaction

from dinhdanh.core import audit
from dinhdanh.core.access import KernelPermission, require
from dinhdanh.core.errors import DomainError
from dinhdanh.core.text import clean_optional
from dinhdanh.organizations.audit_actions import OrganizationAction
from dinhdanh.organizations.errors import OrganizationError
from dinhdanh.organizations.models import Service
from dinhdanh.people.assurance import require_fresh_factor
from dinhdanh.people.models import User

__all__ = ["SERVICE_CODE", "service_save"]

SERVICE_CODE = re.compile(r"[a-z0-9][a-z0-9_.-]{0,63}")


def service_save(*, actor: User | None, code: str, name: str, name_en: str = "", active: bool = True) -> Service:
    """Add a service, or rename it / take it out of use / back; audited with before and after."""
    if actor is not None:
        require(actor, KernelPermission.ADMINISTER_SYSTEM, any_unit=True)
        require_fresh_factor()
    code_text = code.strip() if isinstance(code, str) else ""
    if not SERVICE_CODE.fullmatch(code_text):
        raise DomainError(OrganizationError.INVALID_SERVICES, field="code", limit=1)
    title = clean_optional(name if isinstance(name, str) else "", field="name", max_length=200)
    if not title:
        raise DomainError(OrganizationError.SERVICE_NAME_REQUIRED, field="name")
    title_en = clean_optional(name_en if isinstance(name_en, str) else "", field="name_en", max_length=200)
    with transaction.atomic():
        service = Service.objects.select_for_update().filter(code=code_text).first()
        before = (
            None
            if service is None
            else {"name": service.name, "name_en": service.name_en, "active": service.active}
        )
        if service is None:
            service = Service.objects.create(code=code_text, name=title, name_en=title_en, active=bool(active))
        else:
            service.name, service.name_en, service.active = title, title_en, bool(active)
            service.save(update_fields=["name", "name_en", "active"])
        after = {"name": service.name, "name_en": service.name_en, "active": service.active}
        if after != before:
            audit.record(
                OrganizationAction.SERVICE_SAVED,
                actor=actor,
                obj=service,
                before=before,
                after={"code": code_text, **after},
            )
    return service

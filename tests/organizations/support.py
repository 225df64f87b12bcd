"""Shared helpers of the organization tests."""

from __future__ import annotations

from typing import Any

from dinhdanh.core.models import AuditEvent
from dinhdanh.notifications.models import Message
from dinhdanh.organizations.models import Organization
from dinhdanh.people.models import User


def with_address(user: User) -> User:
    """Give the account an e-mail so that notifications to it are stored."""
    user.email = f"u{user.pk}@example.com"
    user.save(update_fields=["email"])
    return user


def templates_sent_to(user: User) -> list[str]:
    return list(Message.objects.filter(user=user).order_by("pk").values_list("template", flat=True))


def events(organization: Organization, action: str | None = None) -> list[AuditEvent]:
    qs = AuditEvent.objects.filter(object_type="organizations.organization", object_id=str(organization.pk))
    if action:
        qs = qs.filter(action=action)
    return list(qs.order_by("pk"))


def new_data(**changes: Any) -> dict[str, Any]:
    """A NEW request payload as the application services normalize it."""
    from tests.organizations.factories import commune

    data: dict[str, Any] = {
        "name": "Công ty TNHH Thương mại An Phát",
        "short_name": "AN PHAT CO",
        "foreign_name": "AN PHAT TRADING COMPANY LIMITED",
        "code": "0101234567",
        "established_on": "2015-06-01",
        "head_office_id": commune().pk,
        "street": "12 Nguyễn Trãi",
        "phone": "0912345678",
        "email": "lienhe@anphat.vn",
    }
    data.update(changes)
    return data

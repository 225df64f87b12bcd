"""The request services write one domain event each in their transaction, none when they refuse;
approving a new request also issues the organization, whose service writes its own (decision 0020)."""

from __future__ import annotations

import pytest

from dinhdanh.applications import events as app_events
from dinhdanh.applications import services
from dinhdanh.core.errors import DomainError
from dinhdanh.core.models import DomainEvent
from dinhdanh.organizations import events as org_events
from tests.applications.support import officer, submitted

pytestmark = pytest.mark.django_db


def types() -> list[str]:
    return list(DomainEvent.objects.order_by("pk").values_list("type", flat=True))


def test_submit_then_approve() -> None:
    app, applicant = submitted()
    assert types() == [app_events.SUBMITTED]
    received = DomainEvent.objects.get()
    assert (received.actor, received.organization_id) == (applicant, None)
    assert (received.province_code, received.unit_code) == (app.head_office.province_code, app.head_office.code)
    assert received.category == str(app.category)
    assert received.payload["number"] == app.number
    with pytest.raises(DomainError):
        services.application_submit(actor=applicant, application=app)  # not a draft any more
    done = services.application_approve(
        actor=officer(), application=app, note="Đã xem kết quả kiểm tra", acknowledge_failed_checks=True
    )
    assert done.organization is not None
    assert types() == [app_events.SUBMITTED, org_events.ISSUED, app_events.APPROVED]
    approved = DomainEvent.objects.get(type=app_events.APPROVED)
    assert approved.organization_id == done.organization.pk


def test_reject_and_a_refused_second_decision() -> None:
    app, _ = submitted()
    reviewer = officer()
    with pytest.raises(DomainError):
        services.application_reject(actor=reviewer, application=app, reason=" ")
    services.application_reject(actor=reviewer, application=app, reason="Mã số thuế đã ngừng hoạt động")
    with pytest.raises(DomainError):
        services.application_approve(
            actor=reviewer, application=app, note="Đã xem kết quả kiểm tra", acknowledge_failed_checks=True
        )
    assert types() == [app_events.SUBMITTED, app_events.REJECTED]
    assert "Mã số thuế" not in str(DomainEvent.objects.get(type=app_events.REJECTED).payload)

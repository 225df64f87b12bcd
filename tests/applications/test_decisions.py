"""Requests decided by officers, and requests about an issued organization: jurisdiction, routing, kinds."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.test import override_settings

from dinhdanh.applications import services
from dinhdanh.applications.models import (
    Application,
    ApplicationChannel,
    Capacity,
    Kind,
    Status,
)
from dinhdanh.core.audit_actions import KernelAction
from dinhdanh.core.errors import DomainError
from dinhdanh.core.services import role_grant
from dinhdanh.organizations.categories import Category
from dinhdanh.people.models import User
from dinhdanh.people.permissions import PeopleRole
from tests.applications.support import (
    FAR_COMMUNE,
    commune,
    events,
    officer,
    person,
    pid_of,
    start,
    submitted,
)
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


# --- officers ------------------------------------------------------------------------------------


def test_an_officer_outside_the_jurisdiction_gets_403_and_an_audit_event() -> None:
    app, _ = submitted()
    stranger = officer(where=commune(FAR_COMMUNE))
    before = len(events(KernelAction.ACCESS_DENIED))
    for call in (
        lambda: services.application_reject(actor=stranger, application=app, reason="Không"),
        lambda: services.application_approve(
            actor=stranger, application=app, note="Đã xem kết quả kiểm tra", acknowledge_failed_checks=True
        ),
        lambda: services.application_ask_supplement(actor=stranger, application=app, reason="x"),
        lambda: services.application_recheck(actor=stranger, application=app),
        lambda: services.verification_ask(actor=stranger, application=app, question="?", partner_source="tax"),
    ):
        with pytest.raises(DomainError) as caught:
            call()
        assert caught.value.status == 403
        assert caught.value.code == "core.out_of_jurisdiction"
    assert len(events(KernelAction.ACCESS_DENIED)) == before + 5
    assert Application.objects.get(pk=app.pk).status == Status.CHECKING


def test_a_provincial_officer_covers_the_commune() -> None:
    from tests.applications.support import province

    app, _ = submitted()
    boss = officer(where=province())
    assert services.application_reject(actor=boss, application=app, reason="Sai tên").status == Status.REJECTED


def test_assign_only_to_an_officer_who_may_review_here() -> None:
    app, _ = submitted()
    lead, colleague, far = officer(), officer(), officer(where=commune(FAR_COMMUNE))
    assert services.application_assign(actor=lead, application=app, officer=colleague).assigned_to == colleague
    with pytest.raises(DomainError) as caught:
        services.application_assign(actor=lead, application=app, officer=far)
    assert caught.value.code == "applications.officer_cannot_review"


def test_reject_needs_a_reason_the_applicant_reads() -> None:
    app, applicant = submitted()
    reviewer = officer()
    with pytest.raises(DomainError) as caught:
        services.application_reject(actor=reviewer, application=app, reason=" ")
    assert caught.value.code == "applications.reason_required"
    done = services.application_reject(actor=reviewer, application=app, reason="Mã số thuế đã ngừng hoạt động")
    assert done.status == Status.REJECTED
    assert done.decided_by == reviewer
    assert done.open_key is None
    from dinhdanh.applications.selectors import application_for_applicant

    assert application_for_applicant(applicant, app.pk).decision_reason == "Mã số thuế đã ngừng hoạt động"
    with pytest.raises(DomainError) as again:
        services.application_approve(
            actor=reviewer, application=done, note="Đã xem kết quả kiểm tra", acknowledge_failed_checks=True
        )
    assert again.value.code == "applications.illegal_transition"


def test_approving_a_new_request_issues_the_organization() -> None:
    app, applicant = submitted()
    done = services.application_approve(
        actor=officer(), application=app, note="Đủ điều kiện", acknowledge_failed_checks=True
    )
    assert done.status == Status.APPROVED
    assert done.organization is not None
    assert done.organization.code == app.code
    assert done.organization.representative == applicant
    assert done.open_key is None
    with pytest.raises(DomainError) as caught:
        start(applicant, pid_of(applicant), code=app.code)
    assert caught.value.code == "applications.already_issued"


def test_the_approving_level_can_differ_from_the_routing_level() -> None:
    from tests.applications.support import province

    app, _ = submitted()
    with override_settings(ORG_APPROVING_LEVEL="province"):
        with pytest.raises(DomainError) as caught:
            services.application_approve(
                actor=officer(), application=app, note="Đã xem kết quả kiểm tra", acknowledge_failed_checks=True
            )
        assert caught.value.status == 403
        done = services.application_reject(actor=officer(where=province()), application=app, reason="Không rõ")
    assert done.status == Status.REJECTED


def test_routing_to_the_province_and_to_the_centre() -> None:
    from tests.applications.support import province

    with override_settings(ORG_ROUTING_LEVEL="province"):
        app, _ = submitted()
    assert app.unit == province()
    assert app.unit_path == province().path
    with override_settings(ORG_ROUTING_LEVEL="central"):
        central, _ = submitted()
    assert central.unit == province()
    assert central.unit_path == ""
    # A provincial officer does not see what is routed to the centre; a nationwide one does.
    from dinhdanh.applications.selectors import officer_queue

    assert central not in officer_queue(officer(where=province()))
    nationwide = make_user("Cán bộ C06", personal_id="001090000001")
    role_grant(actor=None, user=nationwide, role=PeopleRole.REVIEWING_OFFICER, unit=None)
    assert central in officer_queue(nationwide)
    with override_settings(ORG_ROUTING_LEVEL="central", ORG_APPROVING_LEVEL="central"):
        with pytest.raises(DomainError):
            services.application_reject(actor=officer(where=province()), application=central, reason="x")
        assert services.application_reject(actor=nationwide, application=central, reason="x").status == "rejected"


def test_settings_are_sane() -> None:
    assert settings.ORG_ROUTING_LEVEL in {"commune", "province", "central"}


# --- requests about an issued organization --------------------------------------------------------


def _issued() -> tuple[Any, User]:
    app, applicant = submitted()
    done = services.application_approve(
        actor=officer(), application=app, note="Đã xem kết quả kiểm tra", acknowledge_failed_checks=True
    )
    assert done.organization is not None
    return done.organization, applicant


def _other_kind(actor: User, organization: Any, kind: Kind, data: dict[str, Any]) -> Application:
    return services.application_start(
        actor=actor,
        kind=kind,
        channel=ApplicationChannel.ONLINE,
        capacity=Capacity.REPRESENTATIVE,
        category=Category.ENTERPRISE,
        data=data,
        organization=organization,
    )


def test_the_representative_updates_locks_and_unlocks_the_organization() -> None:
    organization, representative = _issued()
    reviewer = officer()
    update = _other_kind(representative, organization, Kind.UPDATE, {"phone": "0912345678"})
    assert update.code == organization.code
    assert update.head_office == organization.head_office
    update = services.application_submit(actor=representative, application=update)
    services.application_approve(
        actor=reviewer, application=update, note="Đã xem kết quả kiểm tra", acknowledge_failed_checks=True
    )
    organization.refresh_from_db()
    assert organization.phone == "0912345678"
    lock = _other_kind(representative, organization, Kind.LOCK, {"reason": "Mất thiết bị"})
    lock = services.application_submit(actor=representative, application=lock)
    with pytest.raises(DomainError) as busy:
        _other_kind(representative, organization, Kind.UNLOCK, {"reason": "x"})
    assert busy.value.code == "applications.already_open"
    services.application_approve(
        actor=reviewer, application=lock, note="Đã xem kết quả kiểm tra", acknowledge_failed_checks=True
    )
    organization.refresh_from_db()
    assert organization.status == "locked"
    unlock = services.application_submit(
        actor=representative,
        application=_other_kind(representative, organization, Kind.UNLOCK, {"reason": "Đã tìm lại"}),
    )
    services.application_approve(
        actor=reviewer, application=unlock, note="Đã xem kết quả kiểm tra", acknowledge_failed_checks=True
    )
    organization.refresh_from_db()
    assert organization.status == "active"


def test_only_the_representative_asks_about_the_organization() -> None:
    organization, _ = _issued()
    stranger, _ = person()
    with pytest.raises(DomainError) as caught:
        _other_kind(stranger, organization, Kind.LOCK, {"reason": "Muốn khóa"})
    assert caught.value.code == "applications.not_representative_of_organization"
    assert caught.value.status == 403
    assert events(KernelAction.ACCESS_DENIED)[-1].actor_id == stranger.pk


def test_a_change_of_representative_moves_control() -> None:
    organization, representative = _issued()
    successor, successor_pid = person("Võ Thị Mới")
    change = _other_kind(
        representative,
        organization,
        Kind.REPRESENTATIVE_CHANGE,
        {"representative_name": "Võ Thị Mới", "representative_id": successor_pid},
    )
    change = services.application_submit(actor=representative, application=change)
    services.application_approve(
        actor=officer(), application=change, note="Đã xem kết quả kiểm tra", acknowledge_failed_checks=True
    )
    organization.refresh_from_db()
    assert organization.representative == successor

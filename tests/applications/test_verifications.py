"""Verification requests to a partner agency or a lower police unit: who may answer, and the wait."""

from __future__ import annotations

import pytest

from dinhdanh.applications import services
from dinhdanh.applications.audit_actions import ApplicationAction
from dinhdanh.applications.models import Application, Document, Status, VerificationStatus
from dinhdanh.applications.selectors import verification_for_answerer, verifications_for_partner
from dinhdanh.core.audit_actions import KernelAction
from dinhdanh.core.errors import DomainError
from dinhdanh.core.services import role_grant
from dinhdanh.geo.models import AdministrativeUnit
from dinhdanh.people.models import User
from dinhdanh.registries.permissions import RegistryRole
from dinhdanh.registries.sources import Source
from tests.applications.support import FAR_COMMUNE, commune, events, officer, province, submitted, upload
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def clerk(source: Source, where: AdministrativeUnit | None = None) -> User:
    user = make_user("Cán bộ Thuế")
    role_grant(actor=None, user=user, role=RegistryRole.PARTNER_CLERK, unit=where, partner_source=source)
    return user


def test_a_partner_answers_and_the_request_goes_back_to_checking() -> None:
    app, _ = submitted()
    reviewer = officer()
    asked = services.verification_ask(
        actor=reviewer, application=app, question="Còn hoạt động?", partner_source="tax"
    )
    assert Application.objects.get(pk=app.pk).status == Status.AWAITING_VERIFICATION
    assert asked.due_at > asked.asked_at
    second = services.verification_ask(
        actor=reviewer, application=app, question="Người đại diện?", partner_source="business"
    )
    tax = clerk(Source.TAX, province())
    assert list(verifications_for_partner(tax)) == [asked]
    answered = services.verification_answer(
        actor=tax,
        verification=asked,
        answer="Đang hoạt động",
        uploads=[upload("xac-minh.pdf")],
    )
    assert answered.status == VerificationStatus.ANSWERED
    assert Document.objects.get(verification=asked).kind == "verification_answer"
    assert Application.objects.get(pk=app.pk).status == Status.AWAITING_VERIFICATION  # one still open
    services.verification_cancel(actor=reviewer, verification=second, reason="Đã có kết quả từ cơ quan thuế")
    assert Application.objects.get(pk=app.pk).status == Status.CHECKING
    with pytest.raises(DomainError) as caught:
        services.verification_answer(actor=tax, verification=asked, answer="lại")
    assert caught.value.code == "applications.verification_closed"
    assert events(ApplicationAction.APP_VERIFICATION_ANSWERED)
    assert events(ApplicationAction.APP_VERIFICATION_CANCELLED)


def test_only_the_right_source_over_the_right_territory_answers() -> None:
    app, _ = submitted()
    asked = services.verification_ask(actor=officer(), application=app, question="?", partner_source="tax")
    for wrong in (clerk(Source.BUSINESS), clerk(Source.TAX, province("01")), officer()):
        with pytest.raises(DomainError) as caught:
            services.verification_answer(actor=wrong, verification=asked, answer="x")
        assert caught.value.status == 403
        with pytest.raises(DomainError):
            verification_for_answerer(wrong, asked.pk)
    assert events(KernelAction.ACCESS_DENIED)
    nationwide = clerk(Source.TAX)
    assert verification_for_answerer(nationwide, asked.pk) == asked


def test_a_lower_police_unit_answers() -> None:
    from django.test import override_settings

    from dinhdanh.applications.routing import route

    with override_settings(ORG_ROUTING_LEVEL="province"):
        app, _ = submitted()
        route(app.head_office)
    provincial = officer(where=province())
    asked = services.verification_ask(
        actor=provincial, application=app, question="Trụ sở có thật?", unit=commune()
    )
    local = officer(where=commune())
    assert list(verifications_for_partner(local)) == [asked]
    services.verification_answer(actor=local, verification=asked, answer="Có trụ sở")
    assert Application.objects.get(pk=app.pk).status == Status.CHECKING
    far = officer(where=commune(FAR_COMMUNE))
    with pytest.raises(DomainError) as caught:
        services.verification_ask(actor=provincial, application=app, question="?", unit=commune(FAR_COMMUNE))
    assert caught.value.code == "applications.verification_unit"
    assert list(verifications_for_partner(far)) == []


@pytest.mark.parametrize(
    ("source", "use_unit", "code"),
    [
        ("", False, "applications.verification_target"),
        ("tax", True, "applications.verification_target"),
        ("bank", False, "applications.verification_target"),
    ],
)
def test_exactly_one_known_target(source: str, use_unit: bool, code: str) -> None:
    app, _ = submitted()
    with pytest.raises(DomainError) as caught:
        services.verification_ask(
            actor=officer(),
            application=app,
            question="?",
            partner_source=source,
            unit=commune() if use_unit else None,
        )
    assert caught.value.code == code
    assert Application.objects.get(pk=app.pk).status == Status.CHECKING


def test_rejecting_cancels_open_questions_and_approval_waits_for_answers() -> None:
    app, _ = submitted()
    reviewer = officer()
    asked = services.verification_ask(actor=reviewer, application=app, question="?", partner_source="tax")
    with pytest.raises(DomainError) as caught:
        services.application_approve(actor=reviewer, application=app)
    assert caught.value.code == "applications.illegal_transition"
    services.application_reject(actor=reviewer, application=app, reason="Không xác minh được")
    asked.refresh_from_db()
    assert asked.status == VerificationStatus.CANCELLED

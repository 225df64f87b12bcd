"""The request state machine driven at random through the services: every call either makes exactly
the transition the model allows, or is refused with nothing changed."""

from __future__ import annotations

from typing import Any, ClassVar

import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hsettings
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test

from dinhdanh.applications import services
from dinhdanh.applications.models import Application, StatusChange, VerificationRequest, VerificationStatus
from dinhdanh.core.errors import DomainError
from dinhdanh.core.services import role_grant
from dinhdanh.people.models import User
from dinhdanh.registries.permissions import RegistryRole
from dinhdanh.registries.sources import Source
from tests.applications.support import officer, person, start
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

OPEN = {"draft", "submitted", "checking", "awaiting_verification", "needs_supplement"}
# action -> {from: to}
ALLOWED: dict[str, dict[str, str]] = {
    "submit": {"draft": "checking"},
    "ask_supplement": {"checking": "needs_supplement", "submitted": "needs_supplement"},
    "supplement": {"needs_supplement": "checking"},
    "ask_verification": {"checking": "awaiting_verification", "awaiting_verification": "awaiting_verification"},
    "approve": {"checking": "approved"},
    "reject": dict.fromkeys(OPEN - {"draft"}, "rejected"),
    "withdraw": dict.fromkeys(OPEN, "withdrawn"),
}


class Requests(RuleBasedStateMachine):
    applicant: ClassVar[User]
    pid: ClassVar[str]
    reviewer: ClassVar[User]
    clerk: ClassVar[User]

    @initialize()
    def fresh(self) -> None:
        self.app = start(self.applicant, self.pid)
        self.expected = "draft"
        self.transitions = 0

    def attempt(self, action: str, call: Any) -> None:
        before = self.expected
        target = ALLOWED[action].get(before)
        changes = StatusChange.objects.filter(application=self.app).count()
        if target is None:
            with pytest.raises(DomainError):
                call()
            assert Application.objects.get(pk=self.app.pk).status == before
            assert StatusChange.objects.filter(application=self.app).count() == changes
            return
        call()
        self.expected = target

    @rule()
    def submit(self) -> None:
        self.attempt("submit", lambda: services.application_submit(actor=self.applicant, application=self.app))

    @rule()
    def ask_supplement(self) -> None:
        self.attempt(
            "ask_supplement",
            lambda: services.application_ask_supplement(actor=self.reviewer, application=self.app, reason="Thiếu"),
        )

    @rule()
    def supplement(self) -> None:
        self.attempt(
            "supplement", lambda: services.application_supplement(actor=self.applicant, application=self.app)
        )

    @rule()
    def ask_verification(self) -> None:
        self.attempt(
            "ask_verification",
            lambda: services.verification_ask(
                actor=self.reviewer, application=self.app, question="?", partner_source=Source.TAX
            ),
        )

    @rule()
    def answer_all(self) -> None:
        open_ones = list(VerificationRequest.objects.filter(application=self.app, status=VerificationStatus.OPEN))
        for one in open_ones:
            services.verification_answer(actor=self.clerk, verification=one, answer="Có")
        if open_ones and self.expected == "awaiting_verification":
            self.expected = "checking"

    @rule()
    def approve(self) -> None:
        self.attempt(
            "approve",
            lambda: services.application_approve(
                actor=self.reviewer,
                application=self.app,
                note="Đã xem kết quả kiểm tra",
                acknowledge_failed_checks=True,
            ),
        )

    @rule()
    def reject(self) -> None:
        self.attempt(
            "reject",
            lambda: services.application_reject(actor=self.reviewer, application=self.app, reason="Không"),
        )

    @rule()
    def withdraw(self) -> None:
        self.attempt("withdraw", lambda: services.application_withdraw(actor=self.applicant, application=self.app))

    @invariant()
    def matches_the_model(self) -> None:
        if not hasattr(self, "app"):
            return
        stored = Application.objects.get(pk=self.app.pk)
        assert stored.status == self.expected
        assert (stored.open_key is not None) == (self.expected in OPEN - {"draft"})
        if self.expected not in OPEN:
            assert not VerificationRequest.objects.filter(
                application=stored, status=VerificationStatus.OPEN
            ).exists()


def test_the_state_machine_holds() -> None:
    Requests.applicant, Requests.pid = person()
    Requests.reviewer = officer()
    clerk = make_user("Cán bộ Thuế")
    role_grant(actor=None, user=clerk, role=RegistryRole.PARTNER_CLERK, unit=None, partner_source="tax")
    Requests.clerk = clerk
    run_state_machine_as_test(
        Requests,
        settings=hsettings(
            max_examples=25,
            stateful_step_count=12,
            deadline=None,
            suppress_health_check=list(HealthCheck),
        ),
    )

"""Requests from draft to decision through the services: every legal transition, and the refusals."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from dinhdanh.applications import services
from dinhdanh.applications.audit_actions import ApplicationAction
from dinhdanh.applications.models import (
    Application,
    ApplicationChannel,
    Capacity,
    Check,
    Consent,
    ConsentStatus,
    Kind,
    Status,
    StatusChange,
)
from dinhdanh.core.audit_actions import KernelAction
from dinhdanh.core.errors import DomainError
from dinhdanh.organizations.categories import Category
from dinhdanh.people.models import AccountLevel
from dinhdanh.people.permissions import PeopleRole
from dinhdanh.people.services.locks import lock_by_holder
from tests.applications.support import (
    FAR_COMMUNE,
    LETTER,
    commune,
    events,
    officer,
    person,
    pid_of,
    raw_data,
    record,
    start,
    submitted,
    upload,
)
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def codes(app: Application) -> list[tuple[str, str]]:
    return list(StatusChange.objects.filter(application=app).values_list("from_status", "to_status"))


# --- starting ------------------------------------------------------------------------------------


def test_a_level_2_representative_starts_a_draft_numbered_by_year() -> None:
    applicant, pid = person()
    app = start(applicant, pid)
    assert app.status == Status.DRAFT
    assert app.number.startswith(f"HS-{timezone.localdate().year}-")
    assert len(app.number) == len("HS-2026-0000123")
    assert app.unit == commune()
    assert app.unit_path == commune().path
    assert app.data["representative"]["masked"] == "0910******" + pid[-2:]
    assert pid not in str(app.data)
    second = start(applicant, pid)
    assert int(second.number[-7:]) == int(app.number[-7:]) + 1
    assert events(ApplicationAction.APP_CREATED)[-1].object_id == str(second.pk)


@pytest.mark.parametrize("level", [AccountLevel.NONE, AccountLevel.LEVEL_1])
def test_below_level_2_is_refused_and_nothing_is_written(level: AccountLevel) -> None:
    applicant, pid = person(level=level)
    with pytest.raises(DomainError) as caught:
        start(applicant, pid)
    assert caught.value.code == "applications.level_2_required"
    assert "mức độ 2" in caught.value.message("vi")
    assert not Application.objects.exists()


def test_a_locked_account_may_not_apply() -> None:
    applicant, pid = person()
    lock_by_holder(user=applicant)
    applicant.refresh_from_db()
    with pytest.raises(DomainError) as caught:
        start(applicant, pid)
    assert caught.value.code == "applications.account_locked"
    assert not Application.objects.exists()


def test_the_representative_capacity_needs_ones_own_number() -> None:
    applicant, _ = person()
    _, someone_else = person()
    with pytest.raises(DomainError) as caught:
        start(applicant, someone_else)
    assert caught.value.code == "applications.not_the_representative"
    assert caught.value.field == "representative_id"


def test_an_authorized_person_needs_the_letter_before_submitting() -> None:
    applicant, _ = person()
    _, representative = person("Lê Thị Hoa")
    app = services.application_start(
        actor=applicant,
        kind=Kind.NEW,
        channel=ApplicationChannel.ONLINE,
        capacity=Capacity.AUTHORIZED,
        category=Category.ENTERPRISE,
        data=raw_data(representative, "Lê Thị Hoa"),
    )
    with pytest.raises(DomainError) as caught:
        services.application_submit(actor=applicant, application=app)
    assert caught.value.code == "applications.authorization_letter_required"
    assert Application.objects.get(pk=app.pk).status == Status.DRAFT
    services.application_add_document(actor=applicant, application=app, kind=LETTER, upload=upload())
    assert services.application_submit(actor=applicant, application=app).status == Status.CHECKING


def test_a_second_request_while_one_is_open_is_refused() -> None:
    first, _applicant = submitted()
    other, pid = person("Người Khác")
    with pytest.raises(DomainError) as caught:
        start(other, pid, code=first.code)
    assert caught.value.code == "applications.already_open"
    assert first.number in caught.value.message("vi")
    assert Application.objects.count() == 1


def test_two_drafts_for_one_code_cannot_both_be_submitted() -> None:
    a, pid_a = person()
    b, pid_b = person()
    one = start(a, pid_a)
    two = start(b, pid_b, code=one.code)  # a draft reserves nothing
    services.application_submit(actor=a, application=one)
    with pytest.raises(DomainError) as caught:
        services.application_submit(actor=b, application=two)
    assert caught.value.code == "applications.already_open"
    assert Application.objects.get(pk=two.pk).status == Status.DRAFT
    assert Application.objects.get(pk=two.pk).open_key is None


def test_in_person_the_intake_officer_files_for_the_person_at_the_counter() -> None:
    intake = officer(PeopleRole.INTAKE_OFFICER)
    applicant, pid = person()
    app = services.application_start(
        actor=intake,
        kind=Kind.NEW,
        channel=ApplicationChannel.IN_PERSON,
        capacity=Capacity.REPRESENTATIVE,
        category=Category.ENTERPRISE,
        data=raw_data(pid, applicant.full_name),
        applicant=applicant,
        id_card_checked=True,
    )
    assert app.applicant == applicant
    assert app.intake_officer == intake
    assert services.application_submit(actor=intake, application=app).status == Status.CHECKING


def test_an_intake_officer_elsewhere_is_refused_with_an_audit_event() -> None:
    intake = officer(PeopleRole.INTAKE_OFFICER, commune(FAR_COMMUNE))
    applicant, pid = person()
    with pytest.raises(DomainError) as caught:
        services.application_start(
            actor=intake,
            kind=Kind.NEW,
            channel=ApplicationChannel.IN_PERSON,
            capacity=Capacity.REPRESENTATIVE,
            category=Category.ENTERPRISE,
            data=raw_data(pid, applicant.full_name),
            applicant=applicant,
            id_card_checked=True,
        )
    assert caught.value.status == 403
    assert events(KernelAction.ACCESS_DENIED)[-1].actor_id == intake.pk
    assert not Application.objects.exists()


def test_in_person_needs_the_applicant() -> None:
    intake = officer(PeopleRole.INTAKE_OFFICER)
    _, pid = person()
    with pytest.raises(DomainError) as caught:
        services.application_start(
            actor=intake,
            kind=Kind.NEW,
            channel=ApplicationChannel.IN_PERSON,
            capacity=Capacity.REPRESENTATIVE,
            category=Category.ENTERPRISE,
            data=raw_data(pid),
        )
    assert caught.value.code == "applications.applicant_required"


def test_in_person_needs_the_id_card_checked() -> None:
    intake = officer(PeopleRole.INTAKE_OFFICER)
    applicant, pid = person()
    with pytest.raises(DomainError) as caught:
        services.application_start(
            actor=intake,
            kind=Kind.NEW,
            channel=ApplicationChannel.IN_PERSON,
            capacity=Capacity.REPRESENTATIVE,
            category=Category.ENTERPRISE,
            data=raw_data(pid, applicant.full_name),
            applicant=applicant,
        )
    assert caught.value.code == "applications.id_card_not_checked"
    assert not Application.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"), [("kind", "party"), ("channel", "fax"), ("capacity", "friend"), ("category", "bank")]
)
def test_unknown_choices_are_refused(field: str, value: str) -> None:
    applicant, pid = person()
    args: dict[str, Any] = {
        "kind": Kind.NEW,
        "channel": ApplicationChannel.ONLINE,
        "capacity": Capacity.REPRESENTATIVE,
        "category": Category.ENTERPRISE,
        field: value,
    }
    with pytest.raises(DomainError) as caught:
        services.application_start(actor=applicant, data=raw_data(pid), **args)
    assert caught.value.code == "applications.invalid_choice"
    assert caught.value.field == field


def test_other_kinds_need_an_organization() -> None:
    applicant, _pid = person()
    with pytest.raises(DomainError) as caught:
        services.application_start(
            actor=applicant,
            kind=Kind.LOCK,
            channel=ApplicationChannel.ONLINE,
            capacity=Capacity.REPRESENTATIVE,
            category=Category.ENTERPRISE,
            data={"reason": "Mất thiết bị"},
        )
    assert caught.value.code == "applications.organization_required"


# --- submitting ----------------------------------------------------------------------------------


def test_submitting_runs_the_checks_routes_and_sets_the_time_limit() -> None:
    app, _ = submitted()
    assert app.status == Status.CHECKING
    assert codes(app) == [("draft", "submitted"), ("submitted", "checking")]
    assert app.received_at is not None
    assert app.due_at is not None
    assert app.in_registry is False  # no registry record: 15 days
    assert (app.due_at - app.received_at).days >= 14
    assert Check.objects.filter(application=app).count() == 8
    assert app.open_key == f"code:{app.code}"
    assert events(ApplicationAction.APP_SUBMITTED)
    assert events(ApplicationAction.APP_CHECKED)


def test_in_a_registry_the_limit_is_three_working_days() -> None:
    applicant, pid = person()
    app = start(applicant, pid)
    record(app.code, representative_id=pid)
    app = services.application_submit(actor=applicant, application=app)
    assert app.in_registry is True
    assert app.received_at is not None
    assert app.due_at is not None
    assert 3 <= (app.due_at - app.received_at).days <= 9


def test_only_a_draft_is_submitted() -> None:
    app, applicant = submitted()
    with pytest.raises(DomainError) as caught:
        services.application_submit(actor=applicant, application=app)
    assert caught.value.code == "applications.illegal_transition"
    assert "Đang thẩm định" in caught.value.message("vi")


def test_someone_elses_request_is_not_theirs_to_submit() -> None:
    applicant, pid = person()
    app = start(applicant, pid)
    stranger, _ = person()
    with pytest.raises(DomainError) as caught:
        services.application_submit(actor=stranger, application=app)
    assert caught.value.status == 403
    assert events(KernelAction.ACCESS_DENIED)[-1].actor_id == stranger.pk
    assert Application.objects.get(pk=app.pk).status == Status.DRAFT


def test_editing_a_draft_replaces_its_data_and_routing() -> None:
    applicant, pid = person()
    app = start(applicant, pid)
    updated = services.application_update_draft(
        actor=applicant,
        application=app,
        data=raw_data(pid, applicant.full_name, head_office_code="30301", name="HTX Mới"),
    )
    assert updated.name == "HTX Mới"
    assert updated.head_office == commune("30301")
    assert updated.unit_path == commune("30301").path
    services.application_submit(actor=applicant, application=updated)
    with pytest.raises(DomainError) as caught:
        services.application_update_draft(actor=applicant, application=updated, data=raw_data(pid))
    assert caught.value.code == "applications.not_a_draft"


# --- consent of the other representatives ---------------------------------------------------------


def test_co_representatives_consent_before_the_request_goes_on() -> None:
    applicant, pid = person()
    with_account, pid_b = person("Lê Văn Cường")
    _, pid_c = person("Phạm Thị Dung")
    no_account_pid = pid_c
    app = start(
        applicant,
        pid,
        co_representative_names=["Lê Văn Cường", "Phạm Thị Dung"],
        co_representative_ids=[pid_b, no_account_pid],
    )
    app = services.application_submit(actor=applicant, application=app)
    assert app.status == Status.AWAITING_CONSENT
    consents = list(Consent.objects.filter(application=app).order_by("pk"))
    assert next(c.person_id for c in consents) == with_account.pk
    services.application_consent(actor=with_account, application=app, given=True)
    assert Application.objects.get(pk=app.pk).status == Status.AWAITING_CONSENT
    third = consents[1].person
    assert third is not None  # person() makes an account for every number
    done = services.application_consent(actor=third, application=app, given=True)
    assert done.status == Status.CHECKING
    assert codes(done)[-2:] == [("awaiting_consent", "submitted"), ("submitted", "checking")]
    with pytest.raises(DomainError) as caught:
        services.application_consent(actor=third, application=app, given=True)
    assert caught.value.code == "applications.no_consent_expected"


def test_a_consent_waits_for_someone_without_an_account_yet() -> None:
    applicant, pid = person()
    later_pid = "091094777001"
    app = start(applicant, pid, co_representative_names="Đỗ Văn Em", co_representative_ids=later_pid)
    app = services.application_submit(actor=applicant, application=app)
    consent = Consent.objects.get(application=app)
    assert consent.person is None
    assert consent.person_masked.startswith("0910")
    newcomer = make_user("Đỗ Văn Em", personal_id=later_pid)
    from dinhdanh.applications.selectors import consents_waiting_for

    assert list(consents_waiting_for(newcomer)) == [consent]
    refused = services.application_consent(actor=newcomer, application=app, given=False)
    assert refused.status == Status.REJECTED
    assert refused.open_key is None
    assert "không đồng ý" in refused.decision_reason
    assert Consent.objects.get(pk=consent.pk).status == ConsentStatus.REFUSED


# --- withdraw, supplement ------------------------------------------------------------------------


def test_withdrawing_frees_the_organization_for_a_new_request() -> None:
    app, applicant = submitted()
    done = services.application_withdraw(actor=applicant, application=app, reason="Nộp nhầm")
    assert done.status == Status.WITHDRAWN
    assert done.open_key is None
    assert StatusChange.objects.filter(application=app).last().reason == "Nộp nhầm"  # type: ignore[union-attr]
    again = start(applicant, done.data["representative"] and pid_of(applicant), code=app.code)
    assert again.status == Status.DRAFT
    with pytest.raises(DomainError):
        services.application_withdraw(actor=applicant, application=done)


def test_supplement_cycle_restarts_the_clock() -> None:
    app, applicant = submitted()
    reviewer = officer()
    asked = services.application_ask_supplement(actor=reviewer, application=app, reason="Thiếu bản chụp thẻ")
    assert asked.status == Status.NEEDS_SUPPLEMENT
    assert asked.decision_reason == "Thiếu bản chụp thẻ"
    with pytest.raises(DomainError) as caught:
        services.application_ask_supplement(actor=reviewer, application=asked, reason="  ")
    assert caught.value.code in {"applications.reason_required", "applications.illegal_transition"}
    services.application_add_document(
        actor=applicant, application=asked, kind="id_card_scan", upload=upload("the.pdf")
    )
    back = services.application_supplement(actor=applicant, application=asked, note="Đã bổ sung")
    assert back.status == Status.CHECKING
    assert back.received_at is not None
    assert app.received_at is not None
    assert back.received_at > app.received_at
    assert events(ApplicationAction.APP_SUPPLEMENTED)


def test_ask_supplement_needs_a_reason() -> None:
    app, _ = submitted()
    with pytest.raises(DomainError) as caught:
        services.application_ask_supplement(actor=officer(), application=app, reason="")
    assert caught.value.code == "applications.reason_required"
    assert Application.objects.get(pk=app.pk).status == Status.CHECKING

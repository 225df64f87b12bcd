"""Issue 13.1: what the verification API answers — an organization's status by eid or tax code, its
legal representative and its members per service and day, locked, terminated and unknown organizations
— and what it keeps (a ``Question`` per answer, one audit event per call, never the number)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from dinhdanh.core.keys import data_key, rotate_key
from dinhdanh.core.models import AuditEvent
from dinhdanh.organizations.models import LockGround, MemberGrant, Membership, Organization, OrganizationLock
from dinhdanh.organizations.origins import OfficerOrigin
from dinhdanh.organizations.services import (
    member_grant,
    member_revoke,
    organization_change_representative,
    organization_lock,
    organization_terminate,
)
from dinhdanh.people.models import User
from dinhdanh.trust.audit_actions import TrustAction
from dinhdanh.trust.models import Question
from dinhdanh.trust.verification import LOCAL, person_digest
from tests.conftest import make_user
from tests.organizations.factories import person_of
from tests.trust.test_verification_support import (
    MEMBER_NUMBER,
    REP_NUMBER,
    STRANGER_NUMBER,
    TAX_CODE,
    World,
    ask,
    keep_outbox,
    member,
    officer,
    world,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _outbox(settings: Any, tmp_path: Path) -> None:
    keep_outbox(settings, tmp_path)


@pytest.fixture
def w(db: None) -> World:
    return world()


def person(org: Organization, number: str, question: str, **more: Any) -> dict[str, Any]:
    return {"organization": org.eid, "personal_number": number, "question": question, **more}


def day(offset: int) -> str:
    return (timezone.now().astimezone(LOCAL).date() + timedelta(days=offset)).isoformat()


def answer_of(response: Any) -> dict[str, Any]:
    assert response.status_code == 200, response.content
    assert "no-store" in response["Cache-Control"]
    return dict(response.json())


def grant(rep: User, org: Organization, **kwargs: Any) -> Membership:
    return member_grant(actor=rep, organization=org, personal_id=MEMBER_NUMBER, **kwargs)


# --- organizations ------------------------------------------------------------------------------


@pytest.mark.parametrize("via", ["eid", "tax code", "tax code as typed"])
def test_an_active_organization_is_found_by_eid_or_tax_code(w: World, via: str) -> None:
    org = w.org
    token = w.token
    asked = {"eid": org.eid, "tax code": TAX_CODE, "tax code as typed": " 0100.109.106 "}[via]
    body = answer_of(ask("organization", {"organization": asked}, token))
    assert body["answer"] == "yes"
    assert (body["eid"], body["code"], body["name"], body["status"]) == (
        org.eid, TAX_CODE, "Công ty TNHH An Phát", "active",
    )  # fmt: skip
    assert body["status_since"] == org.issued_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert body["jws"].count(".") == 2
    (kept,) = Question.objects.all()
    assert (kept.organization_id, kept.kind, kept.answer, kept.service) == (
        org.pk,
        "organization_active",
        "yes",
        "",
    )


@pytest.mark.parametrize("asked", ["10000000009", "0100109106-001"])  # well-formed, issued to nobody here
def test_an_organization_we_do_not_know_is_unknown_not_an_error(w: World, asked: str) -> None:
    token = w.token
    body = answer_of(ask("organization", {"organization": asked}, token))
    assert (body["answer"], body["reason"]) == ("unknown", "organization_unknown")
    assert "status" not in body
    (kept,) = Question.objects.all()
    assert (kept.organization_id, kept.answer) == (None, "unknown")


def test_a_locked_organization_answers_no_everywhere_with_its_status(w: World) -> None:
    org = w.org
    an_officer = officer()
    token = w.token
    Organization.objects.filter(pk=org.pk).update(issued_at=timezone.now() - timedelta(days=30))
    lock = organization_lock(actor=an_officer, organization=org, ground=LockGround.BREACH, reason="Vi phạm")
    assert isinstance(lock, OrganizationLock)
    body = answer_of(ask("organization", {"organization": org.eid}, token))
    assert (body["answer"], body["status"]) == ("no", "locked")
    assert body["status_since"] == lock.locked_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    for question in ({"question": "representative"}, {"question": "member", "service": "bhxh"}):
        asked = answer_of(ask("person", person(org, REP_NUMBER, **question), token))
        assert (asked["answer"], asked["reason"], asked["status"]) == ("no", "organization_locked", "locked")
    # The day before the lock, the representative was one; tomorrow the lock still holds.
    before = answer_of(ask("person", person(org, REP_NUMBER, "representative", on=day(-1)), token))
    assert (before["answer"], before["status"]) == ("yes", "locked")
    after = answer_of(ask("person", person(org, REP_NUMBER, "representative", on=day(1)), token))
    assert (after["answer"], after["reason"]) == ("no", "organization_locked")


def test_a_terminated_organization_answers_no_with_the_termination(w: World) -> None:
    org = w.org
    an_officer = officer()
    token = w.token
    organization_terminate(actor=an_officer, organization=org, reason="Giải thể theo quyết định")
    body = answer_of(ask("organization", {"organization": TAX_CODE}, token))
    assert (body["answer"], body["status"]) == ("no", "terminated")
    asked = answer_of(ask("person", person(org, REP_NUMBER, "representative"), token))
    assert (asked["answer"], asked["reason"]) == ("no", "organization_terminated")


# --- the legal representative -------------------------------------------------------------------


def test_the_representative_is_recognised_and_a_change_moves_the_answer(w: World) -> None:
    org = w.org
    an_officer = officer()
    token = w.token
    new = member()
    body = answer_of(ask("person", person(org, REP_NUMBER, "representative"), token))
    assert (body["answer"], body["question"], body["on"]) == ("yes", "representative", day(0))
    assert body["representative_since"] is not None
    other = answer_of(ask("person", person(org, MEMBER_NUMBER, "representative"), token))
    assert (other["answer"], other["reason"]) == ("no", "not_representative")
    assert "representative_since" not in other  # nothing about the representative to someone else

    organization_change_representative(
        actor=an_officer, organization=org, representative=person_of(new), origin=OfficerOrigin()
    )
    old_now = answer_of(ask("person", person(org, REP_NUMBER, "representative"), token))
    new_now = answer_of(ask("person", person(org, MEMBER_NUMBER, "representative"), token))
    assert (old_now["answer"], new_now["answer"]) == ("no", "yes")
    assert new_now["representative_since"] >= body["representative_since"]
    # Tomorrow: the new one; yesterday: before anything this platform recorded.
    assert (
        answer_of(ask("person", person(org, MEMBER_NUMBER, "representative", on=day(1)), token))["answer"] == "yes"
    )
    assert answer_of(ask("person", person(org, REP_NUMBER, "representative", on=day(1)), token))["answer"] == "no"
    past = answer_of(ask("person", person(org, REP_NUMBER, "representative", on=day(-1)), token))
    assert (past["answer"], past["reason"]) == ("unknown", "representative_history_unknown")


def test_a_former_representative_with_an_account_is_recognised_on_a_past_day(w: World) -> None:
    org = w.org
    an_officer = officer()
    token = w.token
    rep = w.rep
    Membership.objects.filter(organization=org, user=rep).update(valid_from=timezone.now() - timedelta(days=30))
    Organization.objects.filter(pk=org.pk).update(issued_at=timezone.now() - timedelta(days=30))
    organization_change_representative(
        actor=an_officer, organization=org, representative=person_of(make_user("Lê Mới")), origin=OfficerOrigin()
    )
    past = answer_of(ask("person", person(org, REP_NUMBER, "representative", on=day(-3)), token))
    assert past["answer"] == "yes"
    assert past["representative_until"] is not None
    assert answer_of(ask("person", person(org, REP_NUMBER, "representative"), token))["answer"] == "no"


@pytest.fixture
def own_keys(settings: Any, tmp_path: Path) -> Iterator[None]:
    settings.DATA_DIR = tmp_path
    data_key.cache_clear()
    yield
    data_key.cache_clear()


@pytest.mark.usefixtures("own_keys")
def test_a_representative_recorded_under_an_older_index_key_is_still_recognised(w: World) -> None:
    org = w.org
    token = w.token
    rotate_key("login-index")
    body = answer_of(ask("person", person(org, REP_NUMBER, "representative"), token))
    assert body["answer"] == "yes"


# --- members and their services -----------------------------------------------------------------


def test_a_member_is_authorized_only_for_the_services_granted_and_the_days_they_last(w: World) -> None:
    org = w.org
    rep = w.rep
    token = w.token
    member()
    held = grant(rep, org, services=["thue.ke_khai"], valid_until=timezone.now() + timedelta(days=10))
    yes = answer_of(ask("person", person(org, MEMBER_NUMBER, "member", service="thue.ke_khai"), token))
    assert (yes["answer"], yes["role"], yes["full_powers"]) == ("yes", "member", False)
    assert yes["valid_from"] is not None
    assert yes["valid_until"] is not None
    other = answer_of(ask("person", person(org, MEMBER_NUMBER, "member", service="bhxh"), token))
    assert (other["answer"], other["reason"]) == ("no", "no_grant_for_service")
    for offset, expected in ((-1, "no"), (1, "yes"), (9, "yes"), (11, "no")):
        asked = person(org, MEMBER_NUMBER, "member", service="thue.ke_khai", on=day(offset))
        body = answer_of(ask("person", asked, token))
        assert body["answer"] == expected, (offset, body)
        if expected == "no":
            assert body["reason"] == "not_in_force_on_date"
    member_revoke(actor=rep, membership=held, reason="Nghỉ việc")
    revoked = answer_of(ask("person", person(org, MEMBER_NUMBER, "member", service="thue.ke_khai"), token))
    assert (revoked["answer"], revoked["reason"]) == ("no", "not_in_force_on_date")
    kinds = list(Question.objects.order_by("pk").values_list("kind", "service", "answer"))
    assert kinds[0] == ("member", "thue.ke_khai", "yes")


def test_the_representative_holds_every_service_and_a_stranger_none(w: World) -> None:
    org = w.org
    token = w.token
    body = answer_of(ask("person", person(org, REP_NUMBER, "member", service="bhxh"), token))
    assert (body["answer"], body["role"], body["full_powers"]) == ("yes", "representative", True)
    stranger = answer_of(ask("person", person(org, STRANGER_NUMBER, "member", service="bhxh"), token))
    assert (stranger["answer"], stranger["reason"]) == ("no", "not_a_member")


def test_a_grant_for_a_service_out_of_use_answers_no(w: World) -> None:
    org = w.org
    rep = w.rep
    token = w.token
    member()
    grant(rep, org, services=["bhxh"])
    from dinhdanh.organizations.models import Service

    Service.objects.filter(code="bhxh").update(active=False)
    body = answer_of(ask("person", person(org, MEMBER_NUMBER, "member", service="bhxh"), token))
    assert (body["answer"], body["reason"]) == ("no", "service_not_in_use")
    assert MemberGrant.objects.count() == 1


# --- what is kept ------------------------------------------------------------------------------


def test_the_number_is_never_kept_nor_answered_but_bound_per_client(w: World) -> None:
    org = w.org
    token = w.token
    client = w.client
    response = ask("person", person(org, REP_NUMBER, "representative"), token)
    body = answer_of(response)
    assert REP_NUMBER not in response.content.decode()
    assert body["person_digest"] == person_digest(client.client_id, REP_NUMBER)
    (event,) = AuditEvent.objects.filter(action=TrustAction.VERIFICATION_ASKED)
    assert (event.object_id, event.actor_id) == (str(client.pk), None)
    assert event.after is not None
    assert event.after["counts"] == {"representative.yes": 1}
    assert REP_NUMBER not in str(event.after)
    assert REP_NUMBER not in str(list(Question.objects.values()))

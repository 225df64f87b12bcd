"""Decision 0038: what a verification call reads through SQL built once (``trust.verify_rows``) is what
the ORM reads — the organization by eid or tax code, its last lock, the last change of representative,
a person's memberships with their grants for one service — and the Question rows of a call are
written as the ORM would write them."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from dinhdanh.organizations.models import (
    MemberGrant,
    MemberRole,
    Membership,
    Organization,
    OrganizationChange,
    OrganizationLock,
    OrganizationStatus,
)
from dinhdanh.trust.models import Question
from dinhdanh.trust.verify_rows import Lookups, QuestionRow, add_questions, service_codes
from tests.conftest import make_user
from tests.organizations.factories import make_service
from tests.trust.test_verification_support import (
    MEMBER_NUMBER,
    STRANGER_NUMBER,
    TAX_CODE,
    World,
    keep_outbox,
    world,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _outbox(settings: Any, tmp_path: Path) -> None:
    keep_outbox(settings, tmp_path)


@pytest.fixture
def w(db: None) -> World:
    return world()


def test_the_organization_is_read_by_eid_or_tax_code_with_what_answers_need(w: World) -> None:
    lookups = Lookups()
    by_eid, by_code = lookups.organization("eid", w.org.eid), lookups.organization("tax_code", TAX_CODE)
    assert by_eid is not None
    assert by_code is not None
    stored = Organization.objects.get(pk=w.org.pk)
    for name in ("pk", "eid", "code", "name", "status", "issued_at", "updated_at", "representative_digest"):
        assert getattr(by_eid, name) == getattr(stored, name) == getattr(by_code, name)
    assert lookups.organization("eid", "10000000009") is None
    assert lookups.organization("tax_code", "0100109106-001") is None
    assert lookups.organization("tax_code", "") is None  # organizations without a code are never matched


def test_status_since_is_the_last_lock_or_its_end(w: World) -> None:
    org, now = w.org, timezone.now()
    assert Lookups().status_since(org) == org.issued_at
    OrganizationLock.objects.create(organization=org, ground="breach", locked_at=now - timedelta(days=9),
                                    unlocked_at=now - timedelta(days=8))  # fmt: skip
    last = OrganizationLock.objects.create(organization=org, ground="breach", locked_at=now - timedelta(days=2))
    assert Lookups().status_since(org) == org.issued_at  # active: no lock ended since it was read
    Organization.objects.filter(pk=org.pk).update(status=OrganizationStatus.LOCKED)
    locked = Lookups().organization("eid", org.eid)
    assert locked is not None
    assert Lookups().status_since(locked) == last.locked_at
    OrganizationLock.objects.filter(pk=last.pk).update(unlocked_at=now - timedelta(days=1))
    Organization.objects.filter(pk=org.pk).update(status=OrganizationStatus.ACTIVE)
    active = Lookups().organization("eid", org.eid)
    assert active is not None
    assert Lookups().status_since(active) == now - timedelta(days=1)


def test_the_representative_dates_from_the_last_change_naming_it(w: World) -> None:
    org, now = w.org, timezone.now()
    assert Lookups().last_representative_change(org) == org.issued_at
    OrganizationChange.objects.create(organization=org, origin="officer", changed_at=now - timedelta(days=3),
                                      changes={"representative_account": [1, 2]})  # fmt: skip
    OrganizationChange.objects.create(organization=org, origin="officer", changed_at=now - timedelta(days=1),
                                      changes={"name": ["A", "B"]})  # another field: not it  # fmt: skip
    OrganizationChange.objects.create(organization=org, origin="officer", changed_at=now,
                                      changes={"representative_accounts": [1, 2]})  # a near name: not it  # fmt: skip
    assert Lookups().last_representative_change(org) == now - timedelta(days=3)


def test_memberships_come_newest_first_with_their_grants_for_the_service_only(w: World) -> None:
    org, now = w.org, timezone.now()
    tax, other = (make_service(code) for code in ("thue.quyet_toan", "hai_quan"))
    member = make_user("Phạm Văn Kế Toán", personal_id=MEMBER_NUMBER)
    old = Membership.objects.create(organization=org, user=member, role=MemberRole.MEMBER,
                                    valid_from=now - timedelta(days=90), revoked_at=now - timedelta(days=60))  # fmt: skip
    held = Membership.objects.create(organization=org, user=member, role=MemberRole.MEMBER, valid_from=now - timedelta(days=10))  # fmt: skip
    MemberGrant.objects.create(membership=old, service=tax, valid_from=now - timedelta(days=80))
    MemberGrant.objects.create(membership=held, service=tax, valid_from=now - timedelta(days=9), revoked_at=now - timedelta(days=5))  # fmt: skip
    MemberGrant.objects.create(membership=held, service=tax, valid_from=now - timedelta(days=4))
    MemberGrant.objects.create(membership=held, service=other, valid_from=now - timedelta(days=4))
    lookups = Lookups()
    account = lookups.account(MEMBER_NUMBER)
    assert account == member.pk
    found = lookups.held(org, account, tax)
    assert [h.membership.pk for h in found] == [held.pk, old.pk]
    assert [(h.membership.role, h.membership.valid_from, h.membership.revoked_at) for h in found] == [
        (m.role, m.valid_from, m.revoked_at) for m in (held, old)
    ]
    for h in found:
        expected = [(g.valid_from, g.valid_until, g.revoked_at) for g in h.membership.grants.filter(service=tax).order_by("pk")]  # fmt: skip
        assert h.grants == expected
    assert [len(h.grants) for h in found] == [2, 1]
    assert [h.grants for h in lookups.held(org, account, None)] == [[], []]  # no service: no grant
    assert lookups.account(STRANGER_NUMBER) is None


def test_service_codes_and_question_rows(w: World) -> None:
    assert service_codes({"thue.ke_khai"}) == {"thue.ke_khai"}
    assert service_codes({"khong.co"}) == set()
    assert service_codes({"thue.ke_khai", "bhxh", "khong.co"}) == {"thue.ke_khai", "bhxh"}
    assert service_codes(set()) == set()
    now = timezone.now()
    add_questions(client_id=w.client.pk, rows=[], asked_at=now, request_id="r")
    assert not Question.objects.exists()
    rows = [
        QuestionRow(organization_id=w.org.pk, kind="organization_active", service="", answer="yes"),
        QuestionRow(organization_id=None, kind="member", service="bhxh", answer="unknown"),
    ]
    add_questions(client_id=w.client.pk, rows=rows, asked_at=now, request_id="req-1")
    kept = list(Question.objects.order_by("pk").values_list("client_id", "organization_id", "kind", "service", "answer", "asked_at", "request_id"))  # fmt: skip
    assert kept == [
        (w.client.pk, w.org.pk, "organization_active", "", "yes", now, "req-1"),
        (w.client.pk, None, "member", "bhxh", "unknown", now, "req-1"),
    ]

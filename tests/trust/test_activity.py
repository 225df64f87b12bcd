"""Issue 13.6, audit both ways: an organization's managers see every act done in its name (sign-ins at
relying parties and by whom, consents, grants, questions asked about it); a person sees every
organization they acted for and where — their own only, and nobody's number ever."""

from __future__ import annotations

import re
from datetime import timedelta
from itertools import pairwise

import pytest
from django.test import Client as Browser
from django.utils import timezone

from dinhdanh.core.errors import DomainError
from dinhdanh.core.models import DomainEvent
from dinhdanh.federation.consent import consent_revoke_for_organization
from dinhdanh.federation.events import SIGNED_IN_AS
from dinhdanh.federation.models import Consent
from dinhdanh.trust import activity
from dinhdanh.trust.models import Question
from tests.conftest import signed_in
from tests.trust.organization_support import (  # noqa: F401  # the fixtures: used by name
    ADMIN_PID,
    CLERK_PID,
    FORMER_PID,
    MEMBER_PID,
    World,
    outbox_fixture,
    sign_in,
    world_fixture,
)

pytestmark = pytest.mark.django_db

NUMBERS = (ADMIN_PID, CLERK_PID, FORMER_PID, MEMBER_PID, "091185000111", "091185000999")


def org_page(world: World, query: str = "") -> str:
    return f"/organizations/{world.org.eid}/activity/{query}"


def no_numbers(html: str) -> None:
    """Nobody's personal number, nor anything shaped like one (organization numbers have 11 digits)."""
    for number in NUMBERS:
        assert number not in html
    assert not re.search(r"(?<![A-Za-z0-9])[0-9]{12}(?![A-Za-z0-9])", html)


def ask(world: World, kind: str, answer: str, *, service: str = "", at: timedelta = timedelta(0)) -> Question:
    return Question.objects.create(
        client=world.client, organization=world.org, kind=kind, service=service, answer=answer,
        asked_at=timezone.now() - at,
    )  # fmt: skip


def rows(html: str, kind: str) -> list[str]:
    return re.findall(rf'<tr data-kind="{kind}">(.*?)</tr>', html, re.S)


# --- the organization's page ---------------------------------------------------------------------------


def test_the_managers_see_sign_ins_consents_grants_and_questions_newest_first(world: World) -> None:
    sign_in(world, world.member, world.org.eid)
    sign_in(world, world.clerk, world.org.eid)
    sign_in(world, world.member, "self")  # as themselves: not the organization's
    consent = Consent.objects.get(user=world.clerk, organization=world.org)
    consent_revoke_for_organization(actor=world.admin, organization=world.org, consent_id=consent.pk)
    ask(world, "member", "yes", service="dvc")
    ask(world, "organization_active", "yes")
    for manager in (world.rep, world.admin):
        answer = signed_in(Browser(), manager).get(org_page(world))
        assert answer.status_code == 200
        html = answer.content.decode()
        sign_ins = rows(html, "sign_in")
        assert len(sign_ins) == 2
        assert "Đỗ Thị Văn Thư" in sign_ins[0]  # newest first
        assert "Phạm Văn Thành Viên" in sign_ins[1]
        assert all("Cổng dịch vụ công" in row for row in sign_ins)
        assert "0910******02" in sign_ins[1]  # masked
        consents = rows(html, "consent")
        assert len(consents) == 3  # two given, one revoked
        assert "Rút lại sự đồng ý" in consents[0]
        assert "Lê Văn Quản Trị" in consents[0]  # who revoked it
        accesses = rows(html, "access")
        assert sum("Phân quyền thành viên tổ chức" in row for row in accesses) == 4
        assert sum("Thu hồi quyền thành viên tổ chức" in row for row in accesses) == 1
        assert all("Trần Thị Đại Diện" in row for row in accesses if "quyền thành viên" in row)
        questions = rows(html, "question")
        assert len(questions) == 2
        assert "(dvc)" in questions[1]
        assert "Cổng dịch vụ công" in questions[0]
        no_numbers(html)
    times = re.findall(r"<td>(\d\d)/(\d\d)/(\d{4}) (\d\d:\d\d)</td>", html)  # SHORT_DATETIME_FORMAT
    stamps = [(y, m, d, t) for d, m, y, t in times]
    assert len(stamps) >= 7
    assert stamps == sorted(stamps, reverse=True)


@pytest.mark.parametrize("who", ["member", "clerk", "former", "other_rep"])
def test_nobody_but_its_managers_reads_it(world: World, who: str) -> None:
    sign_in(world, world.rep, world.org.eid)
    answer = signed_in(Browser(), getattr(world, who)).get(org_page(world))
    assert answer.status_code == 403
    assert "Cổng dịch vụ công" not in answer.content.decode()
    with pytest.raises(DomainError) as refused:
        activity.organization_activity(getattr(world, who), world.org)
    assert refused.value.code == "trust.activity_not_manager"
    assert "quản trị" in refused.value.message("vi")


def test_anonymous_and_unknown_addresses(world: World) -> None:
    anonymous = Browser().get(org_page(world))
    assert anonymous.status_code == 302
    assert "/signin/" in anonymous["Location"]
    rep = signed_in(Browser(), world.rep)
    assert rep.get("/organizations/99999999999/activity/").status_code == 404
    assert rep.get("/organizations/123/activity/").status_code == 404
    assert rep.post(org_page(world)).status_code == 405


def test_pages_are_bounded_and_any_page_number_is_a_page(world: World) -> None:
    for minutes in range(activity.PAGE_SIZE + 5):
        ask(world, "organization_active", "no", at=timedelta(minutes=minutes + 1))
    first = activity.organization_activity(world.rep, world.org)
    second = activity.organization_activity(world.rep, world.org, number=2)
    assert len(first.acts) == activity.PAGE_SIZE
    assert first.has_next
    assert not first.has_previous
    assert second.has_previous
    seen = first.acts + second.acts
    assert all(a.at >= b.at for a, b in pairwise(seen))
    assert len({(a.at, a.kind) for a in seen}) == len(seen)  # nothing twice across pages
    assert not second.has_next
    far = activity.organization_activity(world.rep, world.org, number=10**6)
    assert far.number == activity.MAX_PAGES
    assert (far.acts, far.has_next) == ([], False)
    rep = signed_in(Browser(), world.rep)
    html = rep.get(org_page(world)).content.decode()
    assert "?page=2" in html
    for hostile in ("abc", "-1", "0", "1e3", "٣", "99999999999999999999", "%00", "2&page=3"):
        assert rep.get(org_page(world, f"?page={hostile}")).status_code == 200, hostile


# --- a person's page ------------------------------------------------------------------------------------


def test_a_person_sees_each_organization_they_acted_for_and_where(world: World) -> None:
    browser = signed_in(Browser(), world.member)
    assert browser.post("/organizations/switch/", {"eid": world.org.eid}).status_code == 302
    sign_in(world, world.member, world.org.eid)
    sign_in(world, world.member, world.org.eid)
    sign_in(world, world.member, "self")
    sign_in(world, world.rep, world.org.eid)  # someone else's
    answer = browser.get("/me/organizations-activity/")
    assert answer.status_code == 200
    html = answer.content.decode()
    places = activity.person_places(world.member)
    assert [(p.organization, p.client, p.times, p.live_tokens) for p in places] == [
        (world.org, world.client, 2, 2),
        (world.org, None, 1, 0),
    ]
    assert "Công ty Kết Nối" in html
    assert "Cổng dịch vụ công" in html
    assert len(rows(html, "sign_in")) == 2  # theirs only, as the organization only
    assert len(rows(html, "acted_as")) == 1
    no_numbers(html)
    others = activity.person_activity(world.rep)
    assert [a.kind for a in others.acts] == ["sign_in"]


def test_a_revocation_and_a_sign_in_made_before_events_were_kept_still_show(world: World) -> None:
    tokens_before = sign_in(world, world.member, world.org.eid)
    assert tokens_before["access_token"]
    DomainEvent.objects.filter(type=SIGNED_IN_AS).delete()  # as before this record existed
    (place,) = activity.person_places(world.member)
    assert (place.client, place.times, place.live_tokens) == (world.client, 0, 1)
    consent = Consent.objects.get(user=world.member, organization=world.org)
    consent_revoke_for_organization(actor=world.rep, organization=world.org, consent_id=consent.pk)
    assert activity.person_places(world.member) == []  # no sign-in recorded, no live token
    assert [a.kind for a in activity.person_activity(world.rep).acts] == ["consent"]


def test_a_person_page_needs_a_sign_in_and_shows_nothing_of_others(world: World) -> None:
    sign_in(world, world.member, world.org.eid)
    assert Browser().get("/me/organizations-activity/").status_code == 302
    html = signed_in(Browser(), world.other_rep).get("/me/organizations-activity/").content.decode()
    assert 'data-testid="no-places"' in html
    assert 'data-testid="no-acts"' in html
    assert "Công ty Kết Nối" not in html

"""Re-authentication never loses work (issue 15.2): a POST that arrives without a fresh second factor is
held in the session, and after step-up the resume page posts it again — secrets and files excepted."""

from __future__ import annotations

import re
import time

import pytest
from django.test import Client

from dinhdanh.core.access import AdministratorRole
from dinhdanh.core.models import DayOverride
from dinhdanh.people import pending_action
from dinhdanh.people.assurance import STEPPED_UP_AT
from tests.conftest import make_officer, signed_in
from tests.web.support import html

pytestmark = pytest.mark.django_db
DAY_OFF = {"action": "set", "day": "2026-06-08", "kind": "off", "reason": "Nghỉ bù <b>&</b> “ngoặc”"}


@pytest.fixture
def stale() -> Client:
    admin = make_officer(AdministratorRole.SYSTEM_ADMIN, None, "Quản Trị Chờ")
    return signed_in(Client(), admin, stepped_up=False)


def _step_up(client: Client) -> None:
    session = client.session
    session[STEPPED_UP_AT] = time.time()
    session.save()


def _resume_url(response: object) -> str:
    location = response["Location"]  # type: ignore[index]
    match = re.search(r"next=(%2Fstep-up%2Fresume%2F[^&]+)", location)
    assert match, location
    return match.group(1).replace("%2F", "/")


def test_a_stale_post_is_held_and_carried_out_after_step_up(stale: Client) -> None:
    response = stale.post("/calendar/", DAY_OFF, HTTP_REFERER="http://testserver/calendar/?year=2026")
    assert response.status_code == 302
    assert not DayOverride.objects.exists()  # nothing done before the factor
    resume = _resume_url(response)

    step_up_page = html(stale.get(response["Location"]))
    assert "5 phút" in step_up_page  # the real window (STEP_UP_SECONDS = 300)
    assert "chưa được thực hiện" in step_up_page

    # Without the factor the resume page sends the person back to step-up, and still does nothing.
    assert stale.get(resume)["Location"].startswith("/step-up/")
    _step_up(stale)
    page = html(stale.get(resume))
    assert "Thao tác của bạn chưa được thực hiện." in page
    assert 'action="/calendar/"' in page
    assert "data-resume-action" in page
    assert "Nghỉ bù &lt;b&gt;&amp;&lt;/b&gt;" in page  # kept exactly, and escaped
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page))
    assert fields["kind"] == "off"
    token = fields[pending_action.RESUMED_FIELD]
    assert not DayOverride.objects.exists()

    done = stale.post("/calendar/", {**DAY_OFF, pending_action.RESUMED_FIELD: token})
    assert done.status_code == 302
    assert DayOverride.objects.get().reason == DAY_OFF["reason"]
    # Done once: the held copy is gone, so a reload or the back button cannot do it twice.
    gone = stale.get(resume)
    assert gone.status_code == 302
    assert gone["Location"] == "/me/"


def test_passwords_and_files_are_never_held(stale: Client) -> None:
    response = stale.post("/calendar/", {**DAY_OFF, "password": "Mật-khẩu-bí-mật-1", "code": "123456"})
    resume = _resume_url(response)
    held = next(iter(stale.session[pending_action.SESSION_KEY].values()))
    assert "Mật-khẩu-bí-mật-1" not in str(held)
    assert "123456" not in str(held)
    _step_up(stale)
    page = html(stale.get(resume))
    assert "data-resume-action" not in page  # not replayed without what the person must give again
    assert "nhập lại" in page


def test_a_token_is_good_only_in_its_own_session_and_only_for_a_while(
    stale: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    resume = _resume_url(stale.post("/calendar/", DAY_OFF))
    other = signed_in(Client(), make_officer(AdministratorRole.SYSTEM_ADMIN, None, "Quản Trị Khác"))
    assert other.get(resume)["Location"] == "/me/"
    _step_up(stale)
    later = time.time() + pending_action.KEEP_FOR + 1
    monkeypatch.setattr("dinhdanh.people.pending_action.time.time", lambda: later)
    assert stale.get(resume)["Location"] == "/me/"
    assert not DayOverride.objects.exists()


@pytest.mark.parametrize("token", ["x" * 300, "..%2F..%2F", "%00", "<script>"])
def test_hostile_tokens_change_nothing(stale: Client, token: str) -> None:
    _step_up(stale)
    response = stale.get(f"/step-up/resume/{token}/")
    assert response.status_code in {302, 404}
    assert not DayOverride.objects.exists()


def test_an_oversized_post_is_not_held_and_the_person_returns_to_the_page(stale: Client) -> None:
    big = {**DAY_OFF, "reason": "x" * (pending_action.MAX_BYTES + 1)}
    response = stale.post("/calendar/", big, HTTP_REFERER="http://testserver/calendar/")
    assert "resume" not in response["Location"]
    assert pending_action.SESSION_KEY not in stale.session or not stale.session[pending_action.SESSION_KEY]


def test_at_most_a_few_actions_wait_per_session(stale: Client) -> None:
    for _ in range(pending_action.MAX_HELD + 3):
        stale.post("/calendar/", DAY_OFF)
    assert len(stale.session[pending_action.SESSION_KEY]) == pending_action.MAX_HELD

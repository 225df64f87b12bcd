"""Issue 10 (low): a co-representative's refusal reason reaches the applicant, on both faces."""

from __future__ import annotations

import re
import time

import pytest
from django.test import Client

from dinhdanh.applications import services
from dinhdanh.applications.models import Application, Consent, Status
from dinhdanh.people import pending_action
from dinhdanh.people.assurance import STEPPED_UP_AT
from tests.applications.support import person, start
from tests.conftest import signed_in
from tests.people.support import post_json

pytestmark = pytest.mark.django_db


def _waiting() -> tuple[Application, object]:
    applicant, pid = person()
    other, other_pid = person("Lê Văn Cường")
    draft = start(applicant, pid, co_representative_names=["Lê Văn Cường"], co_representative_ids=[other_pid])
    return services.application_submit(actor=applicant, application=draft), other


def test_the_refusal_reason_is_kept_and_shown_to_the_applicant_web() -> None:
    application, other = _waiting()
    client = signed_in(Client(), other)  # type: ignore[arg-type]
    response = client.post(
        f"/organizations/requests/{application.pk}/consent/",
        {"answer": "refuse", "reason": "Công ty chưa họp hội đồng thành viên"},
    )
    assert response.status_code == 302, response.content
    refused = Application.objects.get(pk=application.pk)
    assert refused.status == Status.REJECTED
    assert "Công ty chưa họp hội đồng thành viên" in refused.decision_reason
    assert Consent.objects.get(application=application).reason == "Công ty chưa họp hội đồng thành viên"


def test_the_refusal_reason_over_the_api_and_hostile_input() -> None:
    application, other = _waiting()
    client = signed_in(Client(), other)  # type: ignore[arg-type]
    too_long = post_json(
        client, f"/api/v1/applications/{application.pk}/consent", {"given": False, "reason": "x" * 1500}
    )
    assert too_long.status_code == 400
    assert Application.objects.get(pk=application.pk).status == Status.AWAITING_CONSENT
    nul = post_json(
        client, f"/api/v1/applications/{application.pk}/consent", {"given": False, "reason": "a\u0000b"}
    )
    assert nul.status_code == 400
    assert Application.objects.get(pk=application.pk).status == Status.AWAITING_CONSENT
    done = post_json(
        client,
        f"/api/v1/applications/{application.pk}/consent",
        {"given": False, "reason": " <b>Không đồng ý</b> "},
    )
    assert done.status_code == 200, done.content
    assert "<b>Không đồng ý</b>" in done.json()["decision_reason"]  # kept as text; pages escape it


def test_a_consent_sent_with_a_lapsed_factor_is_held_and_given_after_step_up() -> None:
    """Issue 15.2: answering is a legal act, so a stale session steps up first, and the answer is not lost."""
    application, other = _waiting()
    client = signed_in(Client(), other, stepped_up=False)  # type: ignore[arg-type]
    page = f"/organizations/requests/{application.pk}/consent/"
    answer = {"answer": "refuse", "reason": "Chưa họp hội đồng"}
    held = client.post(page, answer, HTTP_REFERER=f"http://testserver{page}")
    assert held["Location"].startswith("/step-up/?next=%2Fstep-up%2Fresume%2F")
    assert Application.objects.get(pk=application.pk).status == Status.AWAITING_CONSENT
    session = client.session
    session[STEPPED_UP_AT] = time.time()
    session.save()
    resume = re.search(r"next=([^&]+)", held["Location"]).group(1).replace("%2F", "/")  # type: ignore[union-attr]
    fields = dict(
        re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', client.get(resume).content.decode())
    )
    assert fields["reason"] == "Chưa họp hội đồng"
    assert client.post(page, fields).status_code == 302
    assert Application.objects.get(pk=application.pk).status == Status.REJECTED
    assert client.get(resume).status_code == 302  # used once; gone
    assert not client.session.get(pending_action.SESSION_KEY)

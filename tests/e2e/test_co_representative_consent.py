"""Journey: a co-representative's consent (Decree 69 Art. 12). The applicant files a request naming a second
legal representative; that person signs in, finds the request on their home page's to-do list, reads it and
agrees; the request goes on to the police, and the applicant's page shows the consent given."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.support import sign_in_with_totp

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_co_representative_consents_from_the_to_do_list(
    browser: Any, live_server: Any, settings: Any, tmp_path: Path
) -> None:
    from django.test import Client

    from dinhdanh.applications import services
    from dinhdanh.applications.models import Application, Consent, ConsentStatus, Status
    from dinhdanh.geo.services import units_load
    from tests.applications.support import person, start
    from tests.conftest import signed_in
    from tests.people.support import enrol_totp, totp_code

    units_load(actor=None)
    settings.NOTIFY_OUTBOX_DIR = tmp_path / "outbox"
    base = live_server.url
    applicant, pid = person("Trần Văn Nộp")
    other, other_pid = person("Lê Văn Đồng Ý")
    totp, _recovery = enrol_totp(other)
    draft = start(applicant, pid, co_representative_names=["Lê Văn Đồng Ý"], co_representative_ids=[other_pid])
    waiting = services.application_submit(actor=applicant, application=draft)
    assert waiting.status == Status.AWAITING_CONSENT

    page = browser.new_context(locale="vi-VN").new_page()
    sign_in_with_totp(page, base, other_pid, totp_code(other, totp))
    todo = page.get_by_test_id("todo")
    expect(todo).to_contain_text(waiting.number)
    todo.get_by_role("link").first.click()
    page.wait_for_url(base + f"/organizations/requests/{waiting.pk}/consent/")
    expect(page.locator("main")).to_contain_text("Trần Văn Nộp")

    # Sent without a choice: told what to do, nothing recorded.
    page.get_by_role("button", name="Gửi ý kiến").click()
    expect(page.locator("[data-error-summary]")).to_contain_text("Hãy chọn đồng ý hoặc không đồng ý.")
    assert Consent.objects.get(application=waiting).status == ConsentStatus.PENDING

    page.get_by_label("Đồng ý", exact=True).check()
    page.get_by_role("button", name="Gửi ý kiến").click()
    page.wait_for_load_state()
    assert Consent.objects.get(application=waiting).status == ConsentStatus.GIVEN
    assert Application.objects.get(pk=waiting.pk).status != Status.AWAITING_CONSENT
    page.goto(base + "/")
    expect(page.get_by_test_id("todo")).not_to_contain_text(waiting.number)
    page.context.close()
    # The applicant's page shows the answer.
    shown = signed_in(Client(), applicant).get(f"/organizations/requests/{waiting.pk}/").content.decode()
    assert "Lê Văn Đồng Ý" in shown
    assert "Đã đồng ý" in shown

"""The administrators' dashboard and `dinhdanh credentials` (issue 13.5): one rule on every face — the
service's — with the same refusal on the page and from the command."""

from __future__ import annotations

import io
import re
from contextlib import redirect_stderr, redirect_stdout
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dinhdanh import cli
from dinhdanh.core.access import AdministratorRole
from dinhdanh.core.errors import CoreError, DomainError
from dinhdanh.people.models import User
from dinhdanh.trust.credentials import CredentialError, credentials_sync, partner_certificate_register
from dinhdanh.trust.models import TrackedCredential
from tests.conftest import make_officer, make_user, signed_in
from tests.trust.credentials_support import certificate, jwk, pem, relying_party

pytestmark = pytest.mark.django_db

DAY = timedelta(days=1)
DASHBOARD = "/trust/credentials/"
ADD = "/trust/credentials/partners/add/"


@pytest.fixture
def admin() -> User:
    return make_officer(AdministratorRole.SYSTEM_ADMIN, None, "Quản Trị Hệ Thống")


def form(text: str, **changes: str) -> dict[str, str]:
    return {"source": "tax", "pem": text, "contact_email": "pki@gdt.gov.vn", **changes}


def test_the_routes_are_the_ones_documented() -> None:
    assert reverse("credentials:dashboard") == DASHBOARD
    assert reverse("credentials:partner_add") == ADD
    assert reverse("credentials:partner_remove", args=[7]) == "/trust/credentials/7/remove/"


def test_anonymous_visitors_are_sent_to_sign_in(client: Client) -> None:
    for response in (client.get(DASHBOARD), client.post(ADD, form(pem(certificate(timezone.now() + DAY))))):
        assert response.status_code == 302
        assert response["Location"].startswith(resolve_url(settings.LOGIN_URL))
    assert not TrackedCredential.objects.exists()


def test_anyone_but_an_administrator_gets_the_services_refusal(client: Client) -> None:
    denied = DomainError(CoreError.PERMISSION_DENIED).message()
    browser = signed_in(client, make_user())
    good = pem(certificate(timezone.now() + 40 * DAY))
    row = partner_certificate_register(actor=None, source="tax", pem=good)
    for response in (
        browser.get(DASHBOARD),
        browser.post(ADD, form(pem(certificate(timezone.now() + 9 * DAY)))),
        browser.post(f"/trust/credentials/{row.pk}/remove/"),
    ):
        assert response.status_code == 403
        assert denied in response.content.decode()
    assert TrackedCredential.objects.filter(gone_at__isnull=True).count() == 1


def test_the_dashboard_lists_soonest_first_with_levels_and_owners(client: Client, admin: User) -> None:
    now = timezone.now()
    relying_party(
        jwk(kid="rp-expired", exp=int((now - DAY).timestamp())),
        jwk(kid="rp-half-day", exp=int((now + DAY / 2).timestamp())),
        jwk(kid="rp-cert", cert_not_after=now + 5 * DAY),
        name="Ngân hàng Thử",
    )
    credentials_sync()
    partner_certificate_register(actor=None, source="tax", pem=pem(certificate(now + 20 * DAY, name="PKI Thuế")))
    partner_certificate_register(
        actor=None, source="business", pem=pem(certificate(now + 90 * DAY, name="PKI ĐKKD"))
    )
    html = signed_in(client, admin).get(DASHBOARD).content.decode()
    levels = re.findall(r'data-level="([^"]+)"', html)
    assert levels == ["expired", "1", "7", "30", "ok"]
    order = [html.index(label) for label in ("rp-expired", "rp-half-day", "CN=rp rp-cert", "PKI Thuế", "PKI ĐKKD")]
    assert order == sorted(order)
    assert html.count('class="overdue"') == 3
    assert "Ngân hàng Thử" in html
    assert "Cơ quan thuế" in html
    assert (
        html.count('action="/trust/credentials/') == 3
    )  # two removals and the form; client keys are not removed here


def test_an_administrator_adds_and_removes_with_csrf(admin: User) -> None:
    browser = signed_in(Client(enforce_csrf_checks=True), admin)
    text = pem(certificate(timezone.now() + 60 * DAY, name="PKI Nội vụ"))
    assert browser.post(ADD, form(text)).status_code == 403  # no CSRF token
    assert browser.get(ADD).status_code == 405
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', browser.get(DASHBOARD).content.decode())
    assert token
    response = browser.post(ADD, {**form(text, source="home_affairs"), "csrfmiddlewaretoken": token.group(1)})
    assert response.status_code == 302
    row = TrackedCredential.objects.get()
    assert (row.partner_source, row.label) == ("home_affairs", "CN=PKI Nội vụ")
    response = browser.post(f"/trust/credentials/{row.pk}/remove/", {"csrfmiddlewaretoken": token.group(1)})
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.gone_at is not None


def test_the_page_and_the_command_give_the_same_answer_to_a_bad_file(
    client: Client, admin: User, tmp_path: Path, keep_test_connection: None
) -> None:
    key_and_cert = (
        pem(certificate(timezone.now() + 60 * DAY))
        + "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"
    )
    expected = DomainError(CredentialError.PRIVATE_KEY).message()
    response = signed_in(client, admin).post(ADD, form(key_and_cert))
    assert response.status_code == 400
    assert expected in response.content.decode()
    file = tmp_path / "partner.pem"
    file.write_text(key_and_cert)
    err = io.StringIO()
    with redirect_stderr(err):
        assert cli.main(["credentials", "add-partner", str(file), "--source", "tax"]) == cli.EXIT_BAD_INPUT
    # One line, Vietnamese then English once the lead's catalogue has this message (one language until then).
    assert err.getvalue().count("\n") == 1
    assert expected in err.getvalue()
    assert not TrackedCredential.objects.exists()


def test_the_page_refuses_an_expired_certificate_and_a_duplicate(client: Client, admin: User) -> None:
    browser = signed_in(client, admin)
    expired = browser.post(ADD, form(pem(certificate(timezone.now() - DAY))))
    assert expired.status_code == 400
    assert "đã hết hạn lúc" in expired.content.decode()
    text = pem(certificate(timezone.now() + 60 * DAY))
    assert browser.post(ADD, form(text)).status_code == 302
    again = browser.post(ADD, form(text))
    assert again.status_code == 400
    assert "đã được theo dõi" in again.content.decode()
    assert TrackedCredential.objects.count() == 1


def test_a_stale_second_factor_is_asked_again_before_a_change(client: Client, admin: User) -> None:
    browser = signed_in(client, admin, stepped_up=False)
    response = browser.post(ADD, form(pem(certificate(timezone.now() + 60 * DAY))))
    assert response.status_code == 302
    assert reverse("people:step_up") in response["Location"]
    assert not TrackedCredential.objects.exists()
    assert browser.get(DASHBOARD).status_code == 200  # reading needs no fresh factor


@pytest.mark.usefixtures("keep_test_connection")
def test_the_command_adds_lists_syncs_alerts_and_removes(tmp_path: Path) -> None:
    admin = make_officer(AdministratorRole.SYSTEM_ADMIN, None, "Quản Trị")
    admin.email = "quantri@dinhdanh.gov.vn"
    admin.save(update_fields=["email"])
    relying_party(jwk(kid="rp-key", exp=int((timezone.now() + 3 * DAY).timestamp())), name="Cổng Thử")
    file = tmp_path / "partner.pem"
    file.write_text(pem(certificate(timezone.now() + 20 * DAY, name="PKI Thuế")))

    def run(*args: str) -> str:
        out = io.StringIO()
        with redirect_stdout(out):
            assert cli.main(["credentials", *args]) == 0
        return out.getvalue()

    assert "OK: #" in run("add-partner", str(file), "--source", "tax", "--email", "pki@gdt.gov.vn")
    assert "'tracked': 1" in run("sync")
    listing = run("list").splitlines()
    assert len(listing) == 2
    first, second = listing
    assert re.search(r"^#\d+  \S+ \S+      2d  7 .* Cổng Thử \(\w+\)  rp-key$", first), first
    assert re.search(r"^#\d+  .*  30 .* Cơ quan thuế  CN=PKI Thuế$", second), second
    assert "'alerted': 2" in run("alert")
    assert "'alerted': 0" in run("alert")
    partner = TrackedCredential.objects.get(partner_source="tax")
    assert f"#{partner.pk} off" in run("remove-partner", str(partner.pk))
    err = io.StringIO()
    with redirect_stderr(err):
        assert cli.main(["credentials", "remove-partner", str(partner.pk)]) == cli.EXIT_BAD_INPUT
    assert str(partner.pk) in err.getvalue()
    err = io.StringIO()
    with redirect_stderr(err), pytest.raises(SystemExit) as exited:
        cli.main(["credentials", "add-partner", str(tmp_path / "missing.pem"), "--source", "tax"])
    assert exited.value.code != 0
    assert "FileNotFoundError" in err.getvalue()

"""Issue 12.7, conformance-lite: the OpenID Foundation's ``oidcc-basic-certification-test-plan``, one test
per applicable module (``plans.OIDCC_BASIC``; the others are ``plans.NOT_APPLICABLE``), named after the
module's ID and asserting what the module accepts: success, or the refusal with its error code.

Variant: ``response_type=code``, a static ``client_secret_basic`` client (``basic`` profile), PKCE S256 as
dinhdanh requires of every client (the suite sends it only in ``oidcc-ensure-request-with-valid-pkce-
succeeds``; sending it everywhere is the one liberty taken). ``display``, ``ui_locales`` and
``claims_locales`` are accepted and ignored, as OpenID Connect Core §3.1.2.1 and §15.1 allow. Where the
suite waits (max_age=1, 30 s before reusing a code) the stored times are moved instead."""

from __future__ import annotations

import base64
import json
import re
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.test import Client as Browser
from django.utils import timezone

from dinhdanh.federation import keys
from dinhdanh.federation.clients import client_register
from dinhdanh.federation.models import AccessToken, AuthorizationCode, Client
from dinhdanh.people.models import User
from tests.conftest import make_user, signed_in
from tests.federation.conformance.harness import basic_auth, sign_in_again
from tests.federation.fapi import pkce, query_of

pytestmark = pytest.mark.django_db

RP = "https://rp.example.vn/cb"
SCOPES = ["openid", "profile", "email", "phone", "offline_access"]


class Basic:
    """A Basic OP relying party: a confidential client with a secret, and the person signing in."""

    def __init__(self, client: Client, secret: str, person: User) -> None:
        self.client, self.secret, self.person = client, secret, person
        self.verifier = ""

    def params(self, **changes: str) -> dict[str, str]:
        self.verifier, challenge = pkce()
        found = {
            "client_id": self.client.client_id, "redirect_uri": RP, "response_type": "code", "scope": "openid",
            "state": "st-basic", "nonce": "n-basic", "code_challenge": challenge, "code_challenge_method": "S256",
            **changes,
        }  # fmt: skip
        return {k: v for k, v in found.items() if v != "-"}

    def authorize(self, browser: Browser, params: dict[str, str]) -> dict[str, str]:
        """The page, then allow: what comes back to the redirect URI."""
        page = browser.get("/oauth/authorize?" + urlencode(params))
        assert page.status_code == 200, page.content[:300]
        return query_of(browser.post("/oauth/authorize", {**params, "decision": "allow"}), RP)

    def token(self, code: str, **changes: str) -> Any:
        data = {"grant_type": "authorization_code", "code": code, "code_verifier": self.verifier,
                "redirect_uri": RP, **changes}  # fmt: skip
        return Browser().post("/oauth/token", data, **basic_auth(self.client.client_id, self.secret))

    def sign_in(self, browser: Browser, **changes: str) -> dict[str, Any]:
        """The whole flow: the ID token's claims under ``claims`` beside the token response."""
        answer = self.authorize(browser, self.params(**changes))
        response = self.token(answer["code"])
        assert response.status_code == 200, response.content
        body = dict(response.json())
        body["claims"] = keys.verify(body["id_token"])
        return body

    def refresh(self, refresh_token: str, client: Client | None = None, secret: str = "") -> Any:
        who = basic_auth((client or self.client).client_id, secret or self.secret)
        return Browser().post(
            "/oauth/token", {"grant_type": "refresh_token", "refresh_token": refresh_token}, **who
        )


def _client(name: str) -> tuple[Client, str]:
    client, secret = client_register(actor=None, name=name, redirect_uris=[RP], scopes=SCOPES)
    assert secret is not None
    return client, secret


@pytest.fixture
def rp(db: None) -> Basic:
    client, secret = _client("Cổng Basic OP")
    person = make_user("Người Thử Basic")
    User.objects.filter(pk=person.pk).update(email="nguoi.thu@example.vn", phone="+84912345678")
    person.refresh_from_db()
    return Basic(client, secret, person)


@pytest.fixture
def browser(rp: Basic) -> Browser:
    return signed_in(Browser(), rp.person)


def _bearer(token: str) -> dict[str, Any]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def _signed_in_seconds_ago(user: User, seconds: int) -> None:
    """The session's sign-in moved back (instead of waiting): the session reads ``last_login``."""
    User.objects.filter(pk=user.pk).update(last_login=timezone.now() - timedelta(seconds=seconds))


# --- The code flow --------------------------------------------------------------------------------------


def test_oidcc_server(rp: Basic, browser: Browser) -> None:
    """The happy flow: a code of at least 128 bits back with state and iss, an ID token whose claims
    and signature check, and (scope openid) no ``name`` in it."""
    params = rp.params()
    answer = rp.authorize(browser, params)
    assert (answer["state"], answer["iss"]) == ("st-basic", settings.FEDERATION_ISSUER)
    assert len(answer["code"]) >= 22  # RFC 6749 §10.10, RFC 6819 §5.1.4.2.2
    response = rp.token(answer["code"])
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    body = response.json()
    assert body["token_type"] == "Bearer"
    encoded = body["id_token"].split(".")[0]
    header = json.loads(base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)))
    assert header["kid"]
    assert header["alg"] in keys.ALGORITHMS
    claims = keys.verify(body["id_token"])
    assert (claims["iss"], claims["aud"], claims["nonce"]) == (
        settings.FEDERATION_ISSUER,
        rp.client.client_id,
        "n-basic",
    )
    assert claims["sub"]
    assert claims["iat"] <= claims["exp"]
    assert "auth_time" in claims
    assert "name" not in claims


def test_oidcc_response_type_missing(rp: Basic, browser: Browser) -> None:
    """No response_type: back with ``unsupported_response_type`` (the module takes that or
    ``invalid_request``, or an error page)."""
    answer = query_of(browser.get("/oauth/authorize?" + urlencode(rp.params(response_type="-"))), RP)
    assert answer["error"] in ("unsupported_response_type", "invalid_request")
    assert answer["state"] == "st-basic"
    assert not AuthorizationCode.objects.exists()


def test_oidcc_ensure_request_without_nonce_succeeds_for_code_flow(rp: Basic, browser: Browser) -> None:
    """No nonce, code flow: a code, and an ID token without nonce."""
    body = rp.sign_in(browser, nonce="-")
    assert "nonce" not in body["claims"]


def test_oidcc_ensure_request_with_valid_pkce_succeeds(rp: Basic, browser: Browser) -> None:
    """A valid S256 PKCE request succeeds (and here a request without it would not)."""
    rp.sign_in(browser)
    answer = query_of(browser.get("/oauth/authorize?" + urlencode(rp.params(code_challenge="-"))), RP)
    assert answer["error"] == "invalid_request"


def test_oidcc_ensure_request_with_unknown_parameter_succeeds(rp: Basic, browser: Browser) -> None:
    """RFC 6749 §3.1: ``extra=foobar`` is ignored."""
    rp.sign_in(browser, extra="foobar")


def test_oidcc_ensure_other_scope_order_succeeds(rp: Basic, browser: Browser) -> None:
    """``email openid``: the order of scopes does not matter (RFC 6749 §3.3)."""
    body = rp.sign_in(browser, scope="email openid")
    info = Browser().get("/oauth/userinfo", **_bearer(body["access_token"])).json()
    assert info["email"] == "nguoi.thu@example.vn"


def test_oidcc_ensure_post_request_succeeds(rp: Basic) -> None:
    """OIDC Core §3.1.2.1: the authorization request POSTed (form-encoded, from the client's page, so
    without our CSRF token) must work as GET does: the consent page, then the code."""
    browser = signed_in(Browser(enforce_csrf_checks=True), rp.person)
    page = browser.post("/oauth/authorize", rp.params())
    assert page.status_code == 200, page.status_code
    # The person's answer, though, is CSRF-checked: without the page's token it is refused.
    forged = browser.post("/oauth/authorize", {**rp.params(), "decision": "allow"})
    assert forged.status_code == 403
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())
    assert token is not None
    answer = browser.post(
        "/oauth/authorize", {**rp.params(), "decision": "allow", "csrfmiddlewaretoken": token[1]}
    )
    assert answer.status_code == 302
    assert "code=" in answer["Location"]


# --- Userinfo ------------------------------------------------------------------------------------------


def test_oidcc_userinfo_get(rp: Basic, browser: Browser) -> None:
    """GET with the Bearer token: the claims, whose sub is the ID token's."""
    body = rp.sign_in(browser, scope="openid profile")
    info = Browser().get("/oauth/userinfo", **_bearer(body["access_token"]))
    assert info.status_code == 200
    assert info["Content-Type"].startswith("application/json")
    assert (info.json()["sub"], info.json()["name"]) == (body["claims"]["sub"], "Người Thử Basic")


def test_oidcc_userinfo_post_header(rp: Basic, browser: Browser) -> None:
    """POST with the Bearer token in the header."""
    body = rp.sign_in(browser, scope="openid profile")
    info = Browser().post("/oauth/userinfo", **_bearer(body["access_token"]))
    assert info.status_code == 200
    assert info.json()["sub"] == body["claims"]["sub"]


def test_oidcc_userinfo_post_body(rp: Basic, browser: Browser) -> None:
    """The token in the form body (RFC 6750 §2.2) is not supported — an HTTP error, which the module
    accepts with a warning ("not required by the standards")."""
    body = rp.sign_in(browser)
    info = Browser().post("/oauth/userinfo", {"access_token": body["access_token"]})
    assert (info.status_code, info.json()["error"]) == (401, "invalid_token")


# --- Scopes ---------------------------------------------------------------------------------------------


def test_oidcc_scope_profile(rp: Basic, browser: Browser) -> None:
    body = rp.sign_in(browser, scope="openid profile")
    info = Browser().get("/oauth/userinfo", **_bearer(body["access_token"])).json()
    assert info["name"] == "Người Thử Basic"
    assert "email" not in info


def test_oidcc_scope_email(rp: Basic, browser: Browser) -> None:
    body = rp.sign_in(browser, scope="openid email")
    info = Browser().get("/oauth/userinfo", **_bearer(body["access_token"])).json()
    assert (info["email"], info["email_verified"]) == ("nguoi.thu@example.vn", False)


def test_oidcc_scope_phone(rp: Basic, browser: Browser) -> None:
    body = rp.sign_in(browser, scope="openid phone")
    info = Browser().get("/oauth/userinfo", **_bearer(body["access_token"])).json()
    assert (info["phone_number"], info["phone_number_verified"]) == ("+84912345678", False)


# --- Request parameters that must not cause errors (OIDC Core §15.1) ------------------------------------------


def test_oidcc_display_page(rp: Basic, browser: Browser) -> None:
    rp.sign_in(browser, display="page")


def test_oidcc_display_popup(rp: Basic, browser: Browser) -> None:
    rp.sign_in(browser, display="popup")


def test_oidcc_ui_locales(rp: Basic, browser: Browser) -> None:
    rp.sign_in(browser, ui_locales="se")


def test_oidcc_claims_locales(rp: Basic, browser: Browser) -> None:
    rp.sign_in(browser, claims_locales="se")


def test_oidcc_ensure_request_with_acr_values_succeeds(rp: Basic, browser: Browser) -> None:
    """acr_values with the advertised values: success, and the ID token's acr is one of them."""
    advertised = Browser().get("/.well-known/openid-configuration").json()["acr_values_supported"]
    body = rp.sign_in(browser, acr_values=" ".join(advertised))
    assert body["claims"]["acr"] in advertised


def test_oidcc_claims_essential(rp: Basic, browser: Browser) -> None:
    """The ``claims`` parameter (not offered: claims_parameter_supported=false) is ignored, so the request
    succeeds; ``name`` comes with the profile scope (the module only warns without it)."""
    claims = json.dumps({"userinfo": {"name": {"essential": True}}})
    body = rp.sign_in(browser, scope="openid profile", claims=claims)
    assert Browser().get("/oauth/userinfo", **_bearer(body["access_token"])).json()["name"]


def test_oidcc_unsigned_request_object_supported_correctly_or_rejected_as_unsupported(
    rp: Basic, browser: Browser
) -> None:
    """An unsigned request object by value: ``request_not_supported`` (OIDC Core §3.1.2.6), as the module
    allows."""
    request = "eyJhbGciOiJub25lIn0.eyJzY29wZSI6Im9wZW5pZCJ9."
    answer = query_of(browser.get("/oauth/authorize?" + urlencode(rp.params(request=request))), RP)
    assert (answer["error"], answer["state"]) == ("request_not_supported", "st-basic")


# --- prompt, max_age, hints --------------------------------------------------------------------------------


def test_oidcc_prompt_login(rp: Basic, browser: Browser) -> None:
    """The second authorization with ``prompt=login`` signs the person in again; its auth_time differs."""
    _signed_in_seconds_ago(rp.person, 10)
    first = rp.sign_in(browser)
    params = rp.params(prompt="login")
    asked = browser.get("/oauth/authorize?" + urlencode(params))
    assert asked.status_code == 302
    assert "/signin/" in asked["Location"]
    sign_in_again(browser, rp.person)
    answer = rp.authorize(browser, params)
    second = keys.verify(rp.token(answer["code"]).json()["id_token"])
    assert second["auth_time"] != first["claims"]["auth_time"]
    assert second["sub"] == first["claims"]["sub"]


def test_oidcc_prompt_none_not_logged_in(rp: Basic) -> None:
    """Nobody signed in, ``prompt=none``: an error that needs a user interface (``login_required``),
    with the 128-character state whole."""
    state = "S" * 128
    answer = query_of(Browser().get("/oauth/authorize?" + urlencode(rp.params(prompt="none", state=state))), RP)
    assert answer["error"] in (
        "login_required",
        "interaction_required",
        "consent_required",
        "account_selection_required",
    )
    assert answer["state"] == state


def test_oidcc_prompt_none_logged_in(rp: Basic, browser: Browser) -> None:
    """Signed in and consented, ``prompt=none``: a code at once, same sub and auth_time."""
    first = rp.sign_in(browser)
    answer = query_of(browser.get("/oauth/authorize?" + urlencode(rp.params(prompt="none"))), RP)
    second = keys.verify(rp.token(answer["code"]).json()["id_token"])
    assert (second["sub"], second["auth_time"]) == (first["claims"]["sub"], first["claims"]["auth_time"])


def test_oidcc_id_token_hint(rp: Basic, browser: Browser) -> None:
    """``prompt=none`` with the first ID token as ``id_token_hint``: a code at once, same sub."""
    first = rp.sign_in(browser)
    params = rp.params(prompt="none", id_token_hint=first["id_token"])
    answer = query_of(browser.get("/oauth/authorize?" + urlencode(params)), RP)
    second = keys.verify(rp.token(answer["code"]).json()["id_token"])
    assert (second["sub"], second["auth_time"]) == (first["claims"]["sub"], first["claims"]["auth_time"])


def test_oidcc_max_age_1(rp: Basic, browser: Browser) -> None:
    """``max_age=1`` over a sign-in older than that: sign in again; auth_time present, later, recent."""
    _signed_in_seconds_ago(rp.person, 10)
    first = rp.sign_in(browser)
    params = rp.params(max_age="1")
    asked = browser.get("/oauth/authorize?" + urlencode(params))
    assert asked.status_code == 302
    assert "/signin/" in asked["Location"]
    sign_in_again(browser, rp.person)
    second = keys.verify(rp.token(rp.authorize(browser, params)["code"]).json()["id_token"])
    assert second["auth_time"] > first["claims"]["auth_time"]
    assert abs(second["auth_time"] - timezone.now().timestamp()) < 60


def test_oidcc_max_age_10000(rp: Basic, browser: Browser) -> None:
    """``max_age=15000`` then ``max_age=10000`` on a recent sign-in: no new sign-in; auth_time present and
    the same in both ID tokens."""
    first = rp.sign_in(browser, max_age="15000")
    second = rp.sign_in(browser, max_age="10000")
    assert first["claims"]["auth_time"] == second["claims"]["auth_time"]
    assert first["claims"]["sub"] == second["claims"]["sub"]


def test_oidcc_login_hint(rp: Basic, browser: Browser) -> None:
    """``login_hint=buffy@<issuer host>`` must not cause an error: a hint naming nobody known here asks
    to sign in again, then the code comes."""
    params = rp.params(login_hint="buffy@127.0.0.1")
    asked = browser.get("/oauth/authorize?" + urlencode(params))
    assert asked.status_code == 302
    assert "/signin/" in asked["Location"]  # not an error sent to the client
    sign_in_again(browser, rp.person)
    assert "code" in rp.authorize(browser, params)


# --- Codes, redirect URIs, refresh -----------------------------------------------------------------------------


def test_oidcc_codereuse(rp: Basic, browser: Browser) -> None:
    """The code again, at once: 400 ``invalid_grant``."""
    answer = rp.authorize(browser, rp.params())
    assert rp.token(answer["code"]).status_code == 200
    again = rp.token(answer["code"])
    assert (again.status_code, again.json()["error"]) == (400, "invalid_grant")


def test_oidcc_codereuse_30seconds(rp: Basic, browser: Browser) -> None:
    """The code again 30 s later (its use moved back): ``invalid_grant``, and the access token issued the
    first time no longer works (RFC 6749 §4.1.2)."""
    answer = rp.authorize(browser, rp.params())
    access = rp.token(answer["code"]).json()["access_token"]
    AuthorizationCode.objects.update(used_at=timezone.now() - timedelta(seconds=30))
    again = rp.token(answer["code"])
    assert (again.status_code, again.json()["error"]) == (400, "invalid_grant")
    assert Browser().get("/oauth/userinfo", **_bearer(access)).status_code == 401


def test_oidcc_ensure_registered_redirect_uri(rp: Basic, browser: Browser) -> None:
    """An unregistered redirect URI: our error page, never a redirect."""
    page = browser.get("/oauth/authorize?" + urlencode(rp.params(redirect_uri="https://rp.example.vn/random")))
    assert page.status_code == 400
    assert "Location" not in page


def test_oidcc_refresh_token(rp: Basic, browser: Browser) -> None:
    """``offline_access`` with ``prompt=consent`` (OIDC Core §11): a refresh token that refreshes (same
    sub, rotated for a basic client); client 2's refresh token presented by client 1 is ``invalid_grant``."""
    body = rp.sign_in(browser, scope="openid offline_access", prompt="consent")
    refreshed = rp.refresh(body["refresh_token"])
    assert refreshed.status_code == 200, refreshed.content
    assert keys.verify(refreshed.json()["id_token"])["sub"] == body["claims"]["sub"]
    assert refreshed.json()["refresh_token"] != body["refresh_token"]
    assert Browser().get("/oauth/userinfo", **_bearer(refreshed.json()["access_token"])).status_code == 200
    other_client, other_secret = _client("Cổng Basic thứ hai")
    second = Basic(other_client, other_secret, rp.person)
    theirs = second.sign_in(browser, scope="openid offline_access", prompt="consent")["refresh_token"]
    stolen = rp.refresh(theirs)
    assert (stolen.status_code, stolen.json()["error"]) == (400, "invalid_grant")
    assert AccessToken.objects.filter(client=rp.client).count() == 2

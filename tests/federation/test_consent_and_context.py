"""Issue 12.1, 12.3, 12.4: consent recorded per person and organization, listed and revocable (revoking
ends the tokens it covered); a default organization; ``prompt``, ``max_age``, ``login_hint`` and
``acr_values`` — asking for more than the session has means signing in again or stepping up, never a
silent downgrade; RP-initiated logout."""

from __future__ import annotations

import base64
from typing import Any
from urllib.parse import urlencode

import pytest
from django.test import Client as Browser

from dinhdanh.core.models import AuditEvent
from dinhdanh.federation import keys
from dinhdanh.federation.clients import client_register
from dinhdanh.federation.models import AccessToken, ActingDefault, AuthorizationCode, Client, Consent
from dinhdanh.people.models import AccountLevel
from dinhdanh.people.subjects import subject_for
from tests.conftest import make_user, signed_in
from tests.federation import fapi
from tests.federation.fapi import pkce
from tests.organizations.factories import make_organization, make_service
from tests.people.support import enrol_totp

pytestmark = pytest.mark.django_db

RP = "https://dvc.example.vn/cb"
LOGOUT = "https://dvc.example.vn/bye"


@pytest.fixture
def world(db: None) -> dict[str, Any]:
    make_service("dvc")
    rep = make_user("Đại Diện Đồng Ý")
    org = make_organization(representative=rep, name="Công ty Đồng Ý", code="0101111111")
    client, secret = client_register(
        actor=None, name="Cổng dịch vụ công", redirect_uris=[RP], post_logout_redirect_uris=[LOGOUT],
        scopes=["openid", "profile", "organization", "offline_access"], service="dvc",
    )  # fmt: skip
    return {"rep": rep, "org": org, "client": client, "secret": secret}


def query_of(response: Any, base: str = RP) -> dict[str, str]:
    return fapi.query_of(response, base)


def params(client: Client, challenge: str, **changes: str) -> dict[str, str]:
    found = {
        "client_id": client.client_id, "redirect_uri": RP, "response_type": "code",
        "scope": "openid profile organization offline_access", "state": "st", "nonce": "nn",
        "code_challenge": challenge, "code_challenge_method": "S256", **changes,
    }  # fmt: skip
    return {k: v for k, v in found.items() if v != "-"}


def basic(world: dict[str, Any]) -> dict[str, Any]:
    pair = f"{world['client'].client_id}:{world['secret']}".encode()
    return {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(pair).decode()}


def sign_in(world: dict[str, Any], browser: Browser, **post: str) -> dict[str, Any]:
    verifier, challenge = pkce()
    asked = params(world["client"], challenge)
    assert browser.get("/oauth/authorize?" + urlencode(asked)).status_code == 200
    code = query_of(browser.post("/oauth/authorize", {**asked, "decision": "allow", **post}))["code"]
    data = {"grant_type": "authorization_code", "code": code, "code_verifier": verifier, "redirect_uri": RP}
    return dict(Browser().post("/oauth/token", data, **basic(world)).json())


# --- consent ------------------------------------------------------------------------------------------


def test_consent_is_recorded_listed_and_revoking_it_ends_the_tokens(world: dict[str, Any]) -> None:
    browser = signed_in(Browser(), world["rep"])
    tokens = sign_in(world, browser, act_as=world["org"].eid)
    consent = Consent.objects.get()
    assert (consent.organization, consent.client) == (world["org"], world["client"])
    page = browser.get("/me/connected-apps/").content.decode()
    assert "Cổng dịch vụ công" in page
    assert "Công ty Đồng Ý" in page
    assert browser.post(f"/me/connected-apps/{consent.pk}/revoke/").status_code == 302
    info = Browser().get("/oauth/userinfo", HTTP_AUTHORIZATION=f"Bearer {tokens['access_token']}")
    assert info.status_code == 401
    again = Browser().post(
        "/oauth/token", {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]}, **basic(world)
    )
    assert again.json()["error"] == "invalid_grant"
    assert AuditEvent.objects.filter(action="federation.consent_revoked").count() == 1
    assert 'data-testid="no-consents"' in browser.get("/me/connected-apps/").content.decode()


def test_consent_per_organization_is_separate(world: dict[str, Any]) -> None:
    browser = signed_in(Browser(), world["rep"])
    sign_in(world, browser, act_as=world["org"].eid)
    sign_in(world, browser, act_as="self")
    assert Consent.objects.count() == 2
    sign_in(world, browser, act_as="self")
    assert Consent.objects.count() == 2  # the same consent grows, it is not repeated


def test_nobody_revokes_another_persons_consent(world: dict[str, Any]) -> None:
    sign_in(world, signed_in(Browser(), world["rep"]))
    consent = Consent.objects.get()
    stranger = signed_in(Browser(), make_user("Người Lạ"))
    assert stranger.post(f"/me/connected-apps/{consent.pk}/revoke/").status_code == 404
    assert stranger.post("/me/connected-apps/999999/revoke/").status_code == 404
    assert Browser().post(f"/me/connected-apps/{consent.pk}/revoke/").status_code == 302  # to sign in
    consent.refresh_from_db()
    assert consent.revoked_at is None
    assert AccessToken.objects.filter(revoked_at__isnull=True).count() == 1


def test_a_revoked_consent_makes_an_unexchanged_code_worthless(world: dict[str, Any]) -> None:
    browser = signed_in(Browser(), world["rep"])
    verifier, challenge = pkce()
    asked = params(world["client"], challenge)
    browser.get("/oauth/authorize?" + urlencode(asked))
    code = query_of(browser.post("/oauth/authorize", {**asked, "decision": "allow"}))["code"]
    browser.post(f"/me/connected-apps/{Consent.objects.get().pk}/revoke/")
    data = {"grant_type": "authorization_code", "code": code, "code_verifier": verifier, "redirect_uri": RP}
    assert Browser().post("/oauth/token", data, **basic(world)).json()["error"] == "invalid_grant"
    assert not AccessToken.objects.exists()


# --- prompt=none, default organization, hints -------------------------------------------------------------


def test_prompt_none_needs_a_session_and_a_consent(world: dict[str, Any]) -> None:
    _verifier, challenge = pkce()
    silent = params(world["client"], challenge, prompt="none")
    nobody = query_of(Browser().get("/oauth/authorize?" + urlencode(silent)))
    assert nobody["error"] == "login_required"
    browser = signed_in(Browser(), world["rep"])
    assert query_of(browser.get("/oauth/authorize?" + urlencode(silent)))["error"] == "consent_required"
    sign_in(world, browser, act_as=world["org"].eid, make_default="1")
    assert ActingDefault.objects.get(user=world["rep"]).organization == world["org"]
    answer = query_of(browser.get("/oauth/authorize?" + urlencode(silent)))
    assert "code" in answer  # no page: consent given, the default organization chosen
    assert AuthorizationCode.objects.filter(organization=world["org"]).count() == 2
    page = browser.get("/me/connected-apps/").content.decode()
    assert "Công ty Đồng Ý" in page.split('data-testid="default-organization"')[1]
    assert browser.post("/me/connected-apps/default/clear/").status_code == 302
    assert ActingDefault.objects.get(user=world["rep"]).organization is None


def test_login_hint_org_preselects_and_switching_needs_no_password(world: dict[str, Any]) -> None:
    browser = signed_in(Browser(), world["rep"])
    _verifier, challenge = pkce()
    hinted = params(world["client"], challenge, login_hint=f"org:{world['org'].eid}")
    page = browser.get("/oauth/authorize?" + urlencode(hinted)).content.decode()
    assert f'value="{world["org"].eid}" checked' in page
    unhinted = browser.get("/oauth/authorize?" + urlencode(params(world["client"], challenge))).content.decode()
    assert 'value="self" checked' in unhinted


def test_login_hint_for_someone_else_asks_to_sign_in_again(world: dict[str, Any]) -> None:
    browser = signed_in(Browser(), world["rep"])
    _verifier, challenge = pkce()
    other = make_user("Người Khác")
    hinted = params(world["client"], challenge, login_hint=subject_for(other, sector=None))
    answer = browser.get("/oauth/authorize?" + urlencode(hinted))
    assert answer.status_code == 302
    assert "/signin/" in answer["Location"]
    own = params(world["client"], challenge, login_hint=subject_for(world["rep"], sector=None))
    assert signed_in(Browser(), world["rep"]).get("/oauth/authorize?" + urlencode(own)).status_code == 200
    silent = params(world["client"], challenge, login_hint=subject_for(other, sector=None), prompt="none")
    assert query_of(signed_in(Browser(), world["rep"]).get("/oauth/authorize?" + urlencode(silent)))["error"] == (
        "login_required"
    )


@pytest.mark.parametrize("changes", [{"prompt": "login"}, {"max_age": "0"}])
def test_prompt_login_and_max_age_sign_the_person_in_again(world: dict[str, Any], changes: dict[str, str]) -> None:
    browser = signed_in(Browser(), world["rep"])
    verifier, challenge = pkce()
    asked = params(world["client"], challenge, **changes)
    first = browser.get("/oauth/authorize?" + urlencode(asked))
    assert first.status_code == 302
    assert "/signin/" in first["Location"]
    assert browser.get("/me/connected-apps/").status_code != 200  # signed out
    reauth = browser.session.get("federation_reauth_at")
    assert isinstance(reauth, float)
    signed_in(browser, world["rep"])  # signs in again in the same browser
    session = browser.session
    session["federation_reauth_at"] = reauth
    session.save()
    assert browser.get("/oauth/authorize?" + urlencode(asked)).status_code == 200
    hidden = {**asked, "decision": "allow"}
    hidden.pop("prompt", None)
    answer = query_of(browser.post("/oauth/authorize", hidden))
    data = {
        "grant_type": "authorization_code",
        "code": answer["code"],
        "code_verifier": verifier,
        "redirect_uri": RP,
    }
    id_token = keys.verify(Browser().post("/oauth/token", data, **basic(world)).json()["id_token"])
    assert id_token["auth_time"] >= int(reauth)


def test_prompt_values_are_checked(world: dict[str, Any]) -> None:
    browser = signed_in(Browser(), world["rep"])
    _verifier, challenge = pkce()
    for prompt in ("none login", "bogus"):
        answer = query_of(
            browser.get("/oauth/authorize?" + urlencode(params(world["client"], challenge, prompt=prompt)))
        )
        assert answer["error"] == "invalid_request"


# --- acr_values ------------------------------------------------------------------------------------------


def test_asking_for_a_second_factor_steps_up(world: dict[str, Any]) -> None:
    enrol_totp(world["rep"])
    browser = signed_in(Browser(), world["rep"], stepped_up=False)
    # A session signed in by password only: no second factor proven.
    session = browser.session
    session.pop("stepped_up_at", None)
    session.save()
    verifier, challenge = pkce()
    asked = params(world["client"], challenge, acr_values="urn:dinhdanh:loa:2:mfa")
    answer = browser.get("/oauth/authorize?" + urlencode(asked))
    assert answer.status_code == 302
    assert "/step-up/" in answer["Location"]
    silent = params(world["client"], challenge, acr_values="urn:dinhdanh:loa:2:mfa", prompt="none")
    assert query_of(browser.get("/oauth/authorize?" + urlencode(silent)))["error"] == "interaction_required"
    signed_in(browser, world["rep"])  # proves the factor
    assert browser.get("/oauth/authorize?" + urlencode(asked)).status_code == 200
    code = query_of(browser.post("/oauth/authorize", {**asked, "decision": "allow"}))["code"]
    data = {"grant_type": "authorization_code", "code": code, "code_verifier": verifier, "redirect_uri": RP}
    id_token = keys.verify(Browser().post("/oauth/token", data, **basic(world)).json()["id_token"])
    assert id_token["acr"] == "urn:dinhdanh:loa:2:mfa"


def test_a_level_the_account_lacks_is_never_downgraded(world: dict[str, Any]) -> None:
    low = make_user("Mức Một", level=AccountLevel.LEVEL_1)
    browser = signed_in(Browser(), low)
    _verifier, challenge = pkce()
    asked = params(world["client"], challenge, acr_values="urn:dinhdanh:loa:2")
    assert (
        query_of(browser.get("/oauth/authorize?" + urlencode(asked)))["error"]
        == "unmet_authentication_requirements"
    )
    assert not AuthorizationCode.objects.exists()


def test_the_first_acr_value_satisfied_is_the_one_issued(world: dict[str, Any]) -> None:
    browser = signed_in(Browser(), world["rep"])
    verifier, challenge = pkce()
    asked = params(world["client"], challenge, acr_values="urn:unknown:acr urn:dinhdanh:loa:2")
    browser.get("/oauth/authorize?" + urlencode(asked))
    code = query_of(browser.post("/oauth/authorize", {**asked, "decision": "allow"}))["code"]
    data = {"grant_type": "authorization_code", "code": code, "code_verifier": verifier, "redirect_uri": RP}
    assert keys.verify(Browser().post("/oauth/token", data, **basic(world)).json()["id_token"])["acr"] == (
        "urn:dinhdanh:loa:2"
    )


# --- RP-initiated logout -------------------------------------------------------------------------------------


def test_rp_initiated_logout_asks_then_signs_out_and_returns(world: dict[str, Any]) -> None:
    browser = signed_in(Browser(), world["rep"])
    id_token = sign_in(world, browser)["id_token"]
    query = {"id_token_hint": id_token, "post_logout_redirect_uri": LOGOUT, "state": "bye-1"}
    page = browser.get("/oauth/logout?" + urlencode(query))
    assert page.status_code == 200
    assert "Cổng dịch vụ công" in page.content.decode()
    hidden = {"client_id": world["client"].client_id, "post_logout_redirect_uri": LOGOUT, "state": "bye-1"}
    answer = query_of(browser.post("/oauth/logout", {**hidden, "decision": "logout"}), LOGOUT)
    assert answer["state"] == "bye-1"
    assert browser.get("/me/connected-apps/").status_code == 302  # signed out


@pytest.mark.parametrize(
    "case", ["unregistered-uri", "no-client-named", "bad-hint", "unknown-client", "hint-and-client-disagree"]
)
def test_logout_never_redirects_to_an_unregistered_uri(world: dict[str, Any], case: str) -> None:
    other, _secret = client_register(actor=None, name="Khác", redirect_uris=[RP], scopes=["openid"])
    query = {
        "unregistered-uri": {"client_id": world["client"].client_id, "post_logout_redirect_uri": "https://evil.example/bye"},
        "no-client-named": {"post_logout_redirect_uri": LOGOUT},  # the URI cannot be trusted
        "bad-hint": {"id_token_hint": "not-a-token", "post_logout_redirect_uri": LOGOUT},
        "unknown-client": {"client_id": "unknown", "post_logout_redirect_uri": LOGOUT},
        "hint-and-client-disagree": {
            "client_id": other.client_id, "post_logout_redirect_uri": LOGOUT,
            "id_token_hint": sign_in(world, signed_in(Browser(), world["rep"]))["id_token"],
        },
    }[case]  # fmt: skip
    browser = signed_in(Browser(), world["rep"])
    answer = browser.get("/oauth/logout?" + urlencode(query))
    assert answer.status_code == 400
    assert browser.get("/me/connected-apps/").status_code == 200  # still signed in


def test_the_consent_and_logout_pages_let_their_form_redirect_to_the_client(world: dict[str, Any]) -> None:
    """CSP form-action also governs a form's redirect (browsers enforce it): each page names the one
    origin its answer goes to, and no other."""
    browser = signed_in(Browser(), world["rep"])
    _verifier, challenge = pkce()
    page = browser.get("/oauth/authorize?" + urlencode(params(world["client"], challenge)))
    policy = page["Content-Security-Policy"]
    assert "form-action 'self' https://dvc.example.vn" in policy
    id_token = sign_in(world, browser)["id_token"]
    logout = browser.get(
        "/oauth/logout?" + urlencode({"id_token_hint": id_token, "post_logout_redirect_uri": LOGOUT})
    )
    assert "form-action 'self' https://dvc.example.vn" in logout["Content-Security-Policy"]
    assert "form-action 'self'" in browser.get("/me/connected-apps/")["Content-Security-Policy"]
    assert "dvc.example.vn" not in browser.get("/me/connected-apps/")["Content-Security-Policy"]

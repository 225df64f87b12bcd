"""Issue 12.1 and 12.3: the authorization-code flow with PKCE — a person signs in at a relying party
as themselves or as an organization they act for; the ID token, the access token and userinfo carry the
organization chosen. Every refusal is the RFC's error, sent only to a registered redirect URI, and
nothing is issued."""

from __future__ import annotations

import base64
import hashlib
import secrets
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.conf import settings
from django.test import Client as Browser
from django.utils import timezone

from dinhdanh.federation import keys
from dinhdanh.federation.clients import client_register
from dinhdanh.federation.models import AccessToken, AuthorizationCode, Client
from dinhdanh.federation.protocol.tokens import prune_expired
from dinhdanh.organizations.models import Membership, Organization, OrganizationStatus
from dinhdanh.organizations.services import member_grant, member_revoke
from dinhdanh.people.models import User
from tests.conftest import make_user, signed_in
from tests.organizations.factories import make_organization, make_service

pytestmark = pytest.mark.django_db

RP = "https://dvc.example.vn/cb"
MEMBER_PID = "091085000444"


def pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


@pytest.fixture
def world(db: None) -> dict[str, Any]:
    make_service("dvc")
    rep = make_user("Đại Diện A")
    member = make_user("Kế Toán", personal_id=MEMBER_PID)
    org = make_organization(representative=rep, name="Công ty A", code="0101234567")
    member_grant(actor=rep, organization=org, personal_id=MEMBER_PID, services=["dvc"])
    client, secret = client_register(
        actor=None, name="Cổng dịch vụ công", redirect_uris=[RP], scopes=["openid", "profile", "organization"],
        service="dvc",
    )  # fmt: skip
    return {"member": member, "org": org, "client": client, "secret": secret, "rep": rep}


def auth_params(client: Client, challenge: str, **changes: str) -> dict[str, str]:
    params = {
        "client_id": client.client_id, "redirect_uri": RP, "response_type": "code",
        "scope": "openid profile organization", "state": "st-123", "nonce": "n-456", "code_challenge": challenge,
        "code_challenge_method": "S256",
    }  # fmt: skip
    params.update(changes)
    return {k: v for k, v in params.items() if v != "-"}


def basic(client: Client, secret: str) -> dict[str, Any]:
    return {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(f"{client.client_id}:{secret}".encode()).decode()}


def redirected(response: Any) -> dict[str, str]:
    assert response.status_code == 302, response.content[:300]
    location = response["Location"]
    assert location.startswith(RP + "?")
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


def authorize(browser: Browser, params: dict[str, str], **post: str) -> dict[str, str]:
    assert browser.get("/oauth/authorize?" + urlencode(params)).status_code == 200
    return redirected(browser.post("/oauth/authorize", {**params, "decision": "allow", **post}))


def exchange(world: dict[str, Any], code: str, verifier: str, **changes: str) -> Any:
    data = {
        "grant_type": "authorization_code",
        "code": code,
        "code_verifier": verifier,
        "redirect_uri": RP,
        **changes,
    }
    return Browser().post("/oauth/token", data, **basic(world["client"], world["secret"]))


def test_a_member_signs_in_as_the_organization(world: dict[str, Any]) -> None:
    browser = signed_in(Browser(), world["member"])
    verifier, challenge = pkce()
    page = browser.get("/oauth/authorize?" + urlencode(auth_params(world["client"], challenge)))
    assert "Công ty A" in page.content.decode()
    answer = authorize(browser, auth_params(world["client"], challenge), act_as=world["org"].eid)
    assert (answer["state"], answer["iss"]) == ("st-123", settings.FEDERATION_ISSUER)  # RFC 9207
    tokens = exchange(world, answer["code"], verifier)
    assert tokens.status_code == 200, tokens.content
    body = tokens.json()
    id_token = keys.verify(body["id_token"])
    assert (id_token["aud"], id_token["nonce"], id_token["sub"]) == (
        world["client"].client_id, "n-456", world["member"].subject,
    )  # fmt: skip
    assert id_token["org"]["id"] == world["org"].eid
    assert (id_token["org"]["role"], id_token["org"]["services"]) == ("member", ["dvc"])
    assert id_token["acr"] == "urn:dinhdanh:loa:2:mfa"  # signed in with a second factor
    info = Browser().get("/oauth/userinfo", HTTP_AUTHORIZATION=f"Bearer {body['access_token']}").json()
    assert (info["sub"], info["name"], info["org"]["tax_code"]) == (
        world["member"].subject,
        "Kế Toán",
        "0101234567",
    )
    assert AccessToken.objects.get().organization == world["org"]  # stored with the token, not the session
    # The same code again: refused, and what it issued is revoked.
    again = exchange(world, answer["code"], verifier)
    assert (again.status_code, again.json()["error"]) == (400, "invalid_grant")
    gone = Browser().get("/oauth/userinfo", HTTP_AUTHORIZATION=f"Bearer {body['access_token']}")
    assert (gone.status_code, gone.json()["error"]) == (401, "invalid_token")


def test_as_oneself_the_tokens_carry_no_organization(world: dict[str, Any]) -> None:
    browser = signed_in(Browser(), world["member"])
    verifier, challenge = pkce()
    answer = authorize(browser, auth_params(world["client"], challenge), act_as="self")
    assert "org" not in keys.verify(exchange(world, answer["code"], verifier).json()["id_token"])


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"code_challenge": "-", "code_challenge_method": "-"}, "invalid_request"),  # PKCE is mandatory
        ({"code_challenge_method": "plain"}, "invalid_request"),
        ({"code_challenge": "short"}, "invalid_request"),
        ({"response_type": "token"}, "unsupported_response_type"),
        ({"scope": "profile"}, "invalid_scope"),
        ({"scope": "openid email"}, "invalid_scope"),  # not registered for this client
        ({"scope": "openid verify.member"}, "invalid_scope"),  # an API scope is no person's
        ({"prompt": "none"}, "consent_required"),
        ({"prompt": "bogus"}, "invalid_request"),
        ({"nonce": "n" * 300}, "invalid_request"),
    ],
)
def test_bad_requests_are_redirected_with_their_error_and_state(
    world: dict[str, Any], changes: dict[str, str], error: str
) -> None:
    browser = signed_in(Browser(), world["member"])
    _verifier, challenge = pkce()
    answer = redirected(
        browser.get("/oauth/authorize?" + urlencode(auth_params(world["client"], challenge, **changes)))
    )
    assert (answer["error"], answer["state"], answer["iss"]) == (error, "st-123", settings.FEDERATION_ISSUER)
    assert "code" not in answer
    assert not AuthorizationCode.objects.exists()


@pytest.mark.parametrize(
    "changes",
    [{"client_id": "khong-co"}, {"redirect_uri": "https://attacker.example/cb"}, {"redirect_uri": RP + "/x"},
     {"redirect_uri": "-"}],
)  # fmt: skip
def test_an_untrusted_client_or_redirect_uri_is_never_redirected_to(
    world: dict[str, Any], changes: dict[str, str]
) -> None:
    browser = signed_in(Browser(), world["member"])
    _verifier, challenge = pkce()
    response = browser.get("/oauth/authorize?" + urlencode(auth_params(world["client"], challenge, **changes)))
    assert response.status_code == 400
    assert "Location" not in response


def test_a_duplicated_parameter_is_refused(world: dict[str, Any]) -> None:
    browser = signed_in(Browser(), world["member"])
    _verifier, challenge = pkce()
    query = urlencode(auth_params(world["client"], challenge)) + "&state=other"
    assert redirected(browser.get("/oauth/authorize?" + query))["error"] == "invalid_request"


def test_signing_in_first_and_declining(world: dict[str, Any]) -> None:
    _verifier, challenge = pkce()
    params = auth_params(world["client"], challenge)
    anonymous = Browser().get("/oauth/authorize?" + urlencode(params))
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/signin/")  # back here after signing in
    browser = signed_in(Browser(), world["member"])
    declined = redirected(browser.post("/oauth/authorize", {**params, "decision": "deny"}))
    assert declined["error"] == "access_denied"
    assert not AuthorizationCode.objects.exists()


def test_an_organization_not_offered_cannot_be_chosen(world: dict[str, Any]) -> None:
    other = make_organization(representative=make_user("Đại Diện B"), name="Công ty B")
    browser = signed_in(Browser(), world["member"])
    _verifier, challenge = pkce()
    params = auth_params(world["client"], challenge)
    assert (
        redirected(browser.post("/oauth/authorize", {**params, "decision": "allow", "act_as": other.eid}))["error"]
        == "access_denied"
    )
    Organization.objects.filter(pk=world["org"].pk).update(status=OrganizationStatus.LOCKED)
    assert (
        redirected(browser.post("/oauth/authorize", {**params, "decision": "allow", "act_as": world["org"].eid}))[
            "error"
        ]
        == "access_denied"
    )
    assert not AuthorizationCode.objects.exists()


@pytest.mark.parametrize("case", ["verifier", "redirect_uri", "other_client", "garbage_code", "revoked_grant"])
def test_a_code_is_exchanged_only_as_it_was_issued(world: dict[str, Any], case: str) -> None:
    browser = signed_in(Browser(), world["member"])
    verifier, challenge = pkce()
    code = authorize(browser, auth_params(world["client"], challenge), act_as=world["org"].eid)["code"]
    if case == "verifier":
        response = exchange(world, code, pkce()[0])
    elif case == "redirect_uri":
        response = exchange(world, code, verifier, redirect_uri="https://dvc.example.vn/other")
    elif case == "garbage_code":
        response = exchange(world, "x" * 43, verifier)
    elif case == "other_client":
        other, secret = client_register(actor=None, name="Khác", redirect_uris=[RP])
        data = {"grant_type": "authorization_code", "code": code, "code_verifier": verifier, "redirect_uri": RP}
        response = Browser().post("/oauth/token", data, **basic(other, secret or ""))
    else:
        membership = Membership.objects.get(user=world["member"], revoked_at__isnull=True)
        member_revoke(actor=world["rep"], membership=membership, reason="Nghỉ việc")
        response = exchange(world, code, verifier)
    assert (response.status_code, response.json()["error"]) == (400, "invalid_grant")
    assert not AccessToken.objects.exists()


def test_a_public_client_uses_pkce_alone_and_cannot_act_for_itself(world: dict[str, Any]) -> None:
    public, secret = client_register(actor=None, name="Ứng dụng di động", redirect_uris=[RP], auth_method="none")
    assert secret is None
    browser = signed_in(Browser(), world["member"])
    verifier, challenge = pkce()
    code = authorize(browser, auth_params(public, challenge, scope="openid"))["code"]
    data = {"grant_type": "authorization_code", "code": code, "code_verifier": verifier, "redirect_uri": RP,
            "client_id": public.client_id}  # fmt: skip
    assert Browser().post("/oauth/token", data).status_code == 200
    itself = Browser().post("/oauth/token", {"grant_type": "client_credentials", "client_id": public.client_id})
    assert itself.json()["error"] == "unauthorized_client"


def test_discovery_says_what_works(world: dict[str, Any]) -> None:
    meta = Browser().get("/.well-known/openid-configuration").json()
    assert meta["issuer"] == settings.FEDERATION_ISSUER
    assert meta["code_challenge_methods_supported"] == ["S256"]
    assert meta["authorization_response_iss_parameter_supported"] is True
    assert meta["token_endpoint"].endswith("/oauth/token")
    assert "none" not in meta["id_token_signing_alg_values_supported"]


def test_userinfo_refuses_what_is_not_a_live_person_token(world: dict[str, Any]) -> None:
    client, secret = client_register(
        actor=None, name="Máy", redirect_uris=[RP], scopes=["openid", "verify.member"]
    )
    machine = (
        Browser().post("/oauth/token", {"grant_type": "client_credentials"}, **basic(client, secret or "")).json()
    )
    for header in (f"Bearer {machine['access_token']}", "Bearer garbage", "Basic x", ""):
        response = Browser().get("/oauth/userinfo", HTTP_AUTHORIZATION=header)
        assert (response.status_code, response.json()["error"]) == (401, "invalid_token")
        assert response["WWW-Authenticate"].startswith("Bearer")
    assert User.objects.filter(pk=world["member"].pk).exists()


def test_the_consent_page_cannot_be_framed(world: dict[str, Any]) -> None:
    browser = signed_in(Browser(), world["member"])
    _verifier, challenge = pkce()
    page = browser.get("/oauth/authorize?" + urlencode(auth_params(world["client"], challenge)))
    assert page["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in page["Content-Security-Policy"]


def test_old_codes_are_pruned(world: dict[str, Any]) -> None:
    browser = signed_in(Browser(), world["member"])
    verifier, challenge = pkce()
    code = authorize(browser, auth_params(world["client"], challenge), act_as="self")["code"]
    assert exchange(world, code, verifier).status_code == 200
    pruned = prune_expired(timezone.now() + timedelta(days=2))
    assert (pruned["tokens"], pruned["codes"], pruned["assertions"]) == (1, 1, 0)


def test_introspection_of_a_person_token_names_the_person_and_the_organization(world: dict[str, Any]) -> None:
    browser = signed_in(Browser(), world["member"])
    verifier, challenge = pkce()
    code = authorize(browser, auth_params(world["client"], challenge), act_as=world["org"].eid)["code"]
    access = exchange(world, code, verifier).json()["access_token"]
    facts = (
        Browser().post("/oauth/introspect", {"token": access}, **basic(world["client"], world["secret"])).json()
    )
    assert (facts["active"], facts["sub"], facts["org"]) == (True, world["member"].subject, world["org"].eid)


def test_a_public_client_cannot_introspect(world: dict[str, Any]) -> None:
    public, _secret = client_register(actor=None, name="Di động", redirect_uris=[RP], auth_method="none")
    response = Browser().post("/oauth/introspect", {"token": "x", "client_id": public.client_id})
    assert (response.status_code, response.json()["error"]) == (400, "unauthorized_client")


def test_an_organization_cannot_be_named_to_a_client_that_takes_none(world: dict[str, Any]) -> None:
    plain, _secret = client_register(
        actor=None, name="Chỉ cá nhân", redirect_uris=[RP], scopes=["openid", "profile"]
    )
    browser = signed_in(Browser(), world["member"])
    _verifier, challenge = pkce()
    params = auth_params(plain, challenge, scope="openid profile")
    answer = redirected(
        browser.post("/oauth/authorize", {**params, "decision": "allow", "act_as": world["org"].eid})
    )
    assert answer["error"] == "invalid_request"
    assert not AuthorizationCode.objects.exists()

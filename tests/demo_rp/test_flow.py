"""The demo relying party's pieces against the real provider (pytest-django's live server): PAR with
a DPoP proof and the nonce retry, the code exchange with private_key_jwt and DPoP, the ID token from the
JWKS, userinfo; and the refusals — another state, another issuer, another nonce, a declined request."""

from __future__ import annotations

import stat
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest
from django.test import Client as Browser

from dinhdanh.demo.relying_party import DEMO_RP_NAME, demo_rp_register
from dinhdanh.federation.models import Client
from dinhdanh_demo_rp.app import DemoApp
from dinhdanh_demo_rp.client import FlowError, Pending
from dinhdanh_demo_rp.keys import KEY_FILE, load_or_create_key
from tests.conftest import signed_in
from tests.demo_rp.support import ORG_NAME, TAX_CODE, World, world

pytestmark = pytest.mark.django_db(transaction=True)
PORT = 8001  # registered only: these tests never serve on it


@pytest.fixture
def demo(live_server: Any, settings: Any, tmp_path: Path) -> World:
    settings.FEDERATION_ISSUER = live_server.url
    return world(live_server.url, tmp_path / "demo-rp", PORT)


def _consent(demo: World, authorize_url: str, **post: str) -> dict[str, str]:
    """The person's part at the provider (signed in, chooses, allows); the redirect's query."""
    browser = signed_in(Browser(), demo.person)
    path = authorize_url[len(demo.rp.issuer) :]
    assert browser.get(path).status_code == 200
    form = dict(parse_qsl(urlsplit(authorize_url).query))
    answer = browser.post("/oauth/authorize", {**form, "decision": "allow", **post})
    location = answer["Location"]
    assert location.startswith(demo.rp.redirect_uri + "?"), location
    return dict(parse_qsl(urlsplit(location).query))


def test_par_with_dpop_retries_with_the_server_nonce(demo: World) -> None:
    url, pending = demo.rp.begin()
    query = dict(parse_qsl(urlsplit(url).query))
    assert set(query) == {"client_id", "request_uri"}  # everything else was pushed (RFC 9126 §4)
    assert query["request_uri"].startswith("urn:ietf:params:oauth:request_uri:")
    assert pending.dpop.nonce  # the provider asked for a nonce, and the hook retried with it


def test_signs_in_as_the_organization(demo: World) -> None:
    url, pending = demo.rp.begin()
    answer = _consent(demo, url, act_as=demo.organization.eid)
    signed = demo.rp.complete(pending, answer)
    org = signed.claims["org"]
    assert (org["name"], org["tax_code"], org["id"], org["role"]) == (
        ORG_NAME, TAX_CODE, demo.organization.eid, "representative",
    )  # fmt: skip
    assert signed.userinfo["org"]["id"] == demo.organization.eid
    assert signed.claims["aud"] == demo.rp.client_id


def test_switching_keeps_the_person_and_asks_again(demo: World) -> None:
    url, pending = demo.rp.begin()
    first = demo.rp.complete(pending, _consent(demo, url, act_as="self"))
    assert "org" not in first.claims
    url, pending = demo.rp.begin(prompt="select_account", login_hint=first.claims["sub"])
    second = demo.rp.complete(pending, _consent(demo, url, act_as=demo.organization.eid))
    assert (second.claims["sub"], second.claims["org"]["id"]) == (first.claims["sub"], demo.organization.eid)


def _refusal(demo: World, pending: Pending, answer: dict[str, str]) -> str:
    with pytest.raises(FlowError) as refused:
        demo.rp.complete(pending, answer)
    return refused.value.code


def test_refuses_answers_it_did_not_ask_for(demo: World) -> None:
    """One world for every refusal (each transactional test reloads the units, which is slow)."""
    for change, code in [
        ({"state": "another"}, "state"),
        ({"iss": "https://evil.example"}, "iss"),
        ({"iss": ""}, "iss"),
    ]:
        url, pending = demo.rp.begin()
        assert _refusal(demo, pending, {**_consent(demo, url, act_as="self"), **change}) == code, change
    url, pending = demo.rp.begin()
    answer = _consent(demo, url, act_as="self")
    other = Pending(state=pending.state, nonce="another", verifier=pending.verifier, dpop=pending.dpop)
    assert _refusal(demo, other, answer) == "id_token"
    url, pending = demo.rp.begin()  # declined at the provider: an error with the right state and iss
    browser = signed_in(Browser(), demo.person)
    assert browser.get(url[len(demo.rp.issuer) :]).status_code == 200
    location = browser.post("/oauth/authorize", {**dict(parse_qsl(urlsplit(url).query)), "decision": "deny"})
    assert _refusal(demo, pending, dict(parse_qsl(urlsplit(location["Location"]).query))) == "refused"


def test_the_app_refuses_a_callback_it_did_not_start(demo: World) -> None:
    app = DemoApp(demo.rp)
    with httpx.Client(transport=httpx.WSGITransport(app=app), base_url="http://127.0.0.1:8001") as browser:
        home = browser.get("/")
        assert "Đăng nhập bằng định danh tổ chức" in home.text
        assert "HttpOnly" in home.headers["set-cookie"]
        started = browser.post("/login")
        assert started.status_code == 303
        assert started.headers["location"].startswith(demo.rp.issuer + "/oauth/authorize?")
        forged = browser.get("/callback", params={"code": "x", "state": "forged", "iss": demo.rp.issuer})
        assert forged.status_code == 400
        assert "(state)" in forged.text
        assert "The answer matches no sign-in" in browser.get("/callback?state=x&lang=en").text


def test_the_key_is_private_and_kept(tmp_path: Path) -> None:
    key = load_or_create_key(tmp_path / "demo-rp")
    assert stat.S_IMODE((tmp_path / "demo-rp" / KEY_FILE).stat().st_mode) == 0o600
    assert load_or_create_key(tmp_path / "demo-rp").thumbprint() == key.thumbprint()


def test_registration_is_idempotent_and_follows_the_port(demo: World, tmp_path: Path) -> None:
    directory = tmp_path / "demo-rp"
    again = demo_rp_register(port=PORT, data_dir=directory)
    assert again.client_id == demo.rp.client_id
    moved = demo_rp_register(port=8101, data_dir=directory)
    assert moved.client_id != again.client_id
    assert moved.redirect_uris == ["http://127.0.0.1:8101/callback"]
    assert list(Client.objects.filter(name=DEMO_RP_NAME, active=True)) == [moved]
    assert moved.jwks is not None
    assert "d" not in moved.jwks["keys"][0]  # only the public half left the data folder

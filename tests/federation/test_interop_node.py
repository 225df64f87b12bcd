"""Issue 12.6 (Node half): the certified Node.js ``openid-client`` — a relying party we did not write —
runs the whole FAPI 2.0 journey against the running provider: discovery, PAR, authorization code with
PKCE, the token endpoint with private_key_jwt and DPoP (with the server's nonces), userinfo, refresh
and revocation, and verifies the ID token from the published JWKS (``node/rp.mjs``).

The person's part — signed in, choosing to act for their organization, consenting — is played here
with a session cookie over HTTP against the same server. The script and this test talk over pipes in
JSON lines; every wait is bounded.

Needs Node.js 20 or later and ``make node-deps`` (``npm ci`` in ``node/``); without them the test is skipped, unless
``DINHDANH_REQUIRE_NODE=1`` (CI), where it fails."""

from __future__ import annotations

import json
import os
import queue
import shutil
import subprocess
import threading
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import IO, Any
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest
from django.conf import settings
from django.test import Client as Browser
from joserfc.jwk import ECKey

from dinhdanh.federation.clients import client_register
from dinhdanh.federation.models import AccessToken, RefreshToken
from dinhdanh.geo.services import units_load
from tests.conftest import make_user, signed_in
from tests.organizations.factories import make_organization, make_service

pytestmark = pytest.mark.django_db(transaction=True)

NODE_DIR = Path(__file__).parent / "node"
SCRIPT = NODE_DIR / "rp.mjs"
RP = "https://nganhang.example.vn/cb"
SCOPE = "openid profile organization offline_access"
MIN_NODE = 20
STEP_SECONDS = 60  # one step of the script: a few HTTP requests to a server on loopback


def _node_missing(binary: str | None) -> str:
    """Why the script cannot run here, or ""."""
    if binary is None:
        return "node is not installed"
    version = subprocess.run(  # noqa: S603 - node from PATH, fixed arguments
        [binary, "--version"], capture_output=True, text=True, timeout=30, check=False
    )
    major = version.stdout.strip().lstrip("v").partition(".")[0]
    # openid-client 6 and jose 6 use the global Web Crypto API, there by default from Node.js 20 on.
    if not major.isdigit() or int(major) < MIN_NODE:
        return f"node {version.stdout.strip()} is older than {MIN_NODE}"
    if not (NODE_DIR / "node_modules" / "openid-client").is_dir():
        return f"{NODE_DIR / 'node_modules'} is missing"
    return ""


@pytest.fixture
def node() -> str:
    binary = shutil.which("node")
    if missing := _node_missing(binary):
        if os.environ.get("DINHDANH_REQUIRE_NODE") == "1":
            pytest.fail(f"{missing} (CI requires the Node interoperability test)")
        pytest.skip(f"{missing}; `make node-deps` (npm ci) to run the openid-client test")
    assert binary is not None
    return binary


class Script:
    """``rp.mjs`` as a child process: JSON lines in and out, each read bounded by a timeout."""

    def __init__(self, node: str, stderr: IO[str]) -> None:
        self.process = subprocess.Popen(  # noqa: S603 - node from PATH, our own script
            [node, str(SCRIPT)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
            encoding="utf-8",  # names are Vietnamese, whatever the locale
            cwd=NODE_DIR,
        )
        self.lines: queue.Queue[str | None] = queue.Queue()
        # A thread reads stdout, so that waiting for a line can have a timeout (a pipe read cannot).
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line)
        self.lines.put(None)

    def send(self, message: dict[str, Any], *, last: bool = False) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps(message) + "\n")
        self.process.stdin.flush()
        if last:
            self.process.stdin.close()

    def receive(self) -> dict[str, Any]:
        try:
            line = self.lines.get(timeout=STEP_SECONDS)
        except queue.Empty:
            pytest.fail(f"rp.mjs said nothing for {STEP_SECONDS} s")
        assert line is not None, "rp.mjs ended without answering"
        message: dict[str, Any] = json.loads(line)
        assert message.get("step") != "error", message
        return message

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=STEP_SECONDS)


@pytest.fixture
def script(node: str, tmp_path: Path) -> Iterator[Script]:
    with (tmp_path / "rp.stderr").open("w+") as stderr:
        running = Script(node, stderr)
        try:
            yield running
        finally:
            running.close()
            stderr.seek(0)
            if output := stderr.read():
                print("rp.mjs stderr:\n" + output)  # shown by pytest only when the test fails


class _Form(HTMLParser):
    """The consent form's fields: its hidden inputs and the choices of whom to act for."""

    def __init__(self) -> None:
        super().__init__()
        self.hidden: dict[str, str] = {}
        self.act_as: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag != "input":
            return
        if found.get("type") == "hidden" and found.get("name"):
            self.hidden[str(found["name"])] = found.get("value") or ""
        elif found.get("name") == "act_as":
            self.act_as.append(found.get("value") or "")


def consent(base: str, cookie: str, authorization_url: str, act_as: str) -> str:
    """The person's browser: the consent page of the URL the relying party built, then "allow" for
    ``act_as``; returns where the provider sends the browser back."""
    assert authorization_url.startswith(base + "/oauth/authorize?"), authorization_url
    with httpx.Client(cookies={settings.SESSION_COOKIE_NAME: cookie}, timeout=10) as browser:
        page = browser.get(authorization_url)
        assert page.status_code == 200, page.text[:500]
        form = _Form()
        form.feed(page.text)
        assert act_as in form.act_as, form.act_as
        answer = browser.post(
            f"{base}/oauth/authorize", data={**form.hidden, "act_as": act_as, "decision": "allow"}
        )
    assert answer.status_code == 302, answer.text[:500]
    return answer.headers["Location"]


def test_openid_client_runs_the_fapi2_journey(live_server: Any, settings: Any, script: Script) -> None:
    base = live_server.url
    # Discovery builds every address from the issuer, and DPoP's htu is checked against it: it must be
    # the address openid-client discovers from (it checks that the document's issuer is that address).
    settings.FEDERATION_ISSUER = base
    units_load(actor=None)  # an earlier transactional test may have emptied the database
    make_service("dvc")
    person = make_user("Người Dùng Node", personal_id="091085000777")
    org = make_organization(representative=person, name="Công ty Node Interop")
    key = ECKey.generate_key("P-256", parameters={"kid": "rp-node-1"})
    client, _secret = client_register(
        actor=None, name="Ngân hàng Node", redirect_uris=[RP], scopes=SCOPE.split(), profile="fapi2",
        auth_method="private_key_jwt", jwks={"keys": [key.as_dict(private=False)]}, service="dvc",
    )  # fmt: skip
    cookie = signed_in(Browser(), person).cookies[settings.SESSION_COOKIE_NAME].value

    # The private key goes to the script over its stdin: nowhere else, not in its environment.
    setup = {"issuer": base, "client_id": client.client_id, "redirect_uri": RP, "scope": SCOPE}
    script.send({**setup, "key": key.as_dict(private=True)})
    authorization_url = script.receive()["url"]
    # FAPI 2.0: only client_id and the pushed request's reference travel through the browser.
    assert {name for name, _value in parse_qsl(urlsplit(authorization_url).query)} == {"client_id", "request_uri"}
    callback = consent(base, cookie, authorization_url, act_as=org.eid)
    script.send({"callback": callback}, last=True)
    result = script.receive()
    assert script.process.wait(timeout=STEP_SECONDS) == 0

    assert result["issuer"] == base
    # The ID token, as openid-client checked it and as jose verified it from the JWKS.
    id_token = result["id_token"]
    assert id_token == result["id_token_jose"]
    assert (id_token["iss"], id_token["aud"], id_token["azp"]) == (base, client.client_id, client.client_id)
    assert (id_token["name"], id_token["org"]["id"], id_token["org"]["role"]) == (
        "Người Dùng Node", org.eid, "representative",
    )  # fmt: skip
    assert id_token["org"]["service"] == "dvc"
    # Sender-constrained (RFC 9449 §6.1): the access token is bound to openid-client's DPoP key.
    assert result["token_type"] == "dpop"
    access = result["access_token"]
    assert (access["typ"], access["cnf"], access["org"]) == ("at+jwt", {"jkt": result["dpop_jkt"]}, org.eid)
    assert access["client_id"] == client.client_id
    info = result["userinfo"]
    assert (info["sub"], info["name"], info["org"]["id"]) == (id_token["sub"], "Người Dùng Node", org.eid)
    # Refreshed with the same key; a FAPI client's refresh token is not rotated (FAPI 2.0 §5.3.2.1).
    refreshed = result["refreshed"]
    assert result["has_refresh_token"] is True
    assert (refreshed["token_type"], refreshed["rotated"]) == ("dpop", False)
    assert refreshed["cnf"] == {"jkt": result["dpop_jkt"]}
    assert (refreshed["id_token"]["sub"], refreshed["id_token"]["org"]["id"]) == (id_token["sub"], org.eid)
    assert "nonce" not in refreshed["id_token"]  # OIDC Core §12.2
    assert result["userinfo_after_refresh"]["sub"] == id_token["sub"]
    # Revoked: the refresh token and the access tokens issued under it no longer work.
    assert result["refresh_after_revoke"] == {"status": 400, "error": "invalid_grant"}
    assert result["userinfo_after_revoke"] == {"status": 401, "error": "invalid_token"}
    assert RefreshToken.objects.get(client=client).revoked_at is not None
    assert not AccessToken.objects.filter(client=client, revoked_at__isnull=True).exists()

    # What went over the wire. The DPoP nonce dance (RFC 9449 §8): the first proof, without a nonce, is
    # refused with one to use and openid-client retries with it; the nonce then serves every endpoint
    # (the provider's nonces are not per endpoint). The ID tokens' signatures were checked by
    # openid-client with the keys it fetched from the JWKS.
    exchanges = [(e["method"], e["path"], e["status"]) for e in result["exchanges"]]
    assert exchanges[:3] == [
        ("GET", "/.well-known/openid-configuration", 200),
        ("POST", "/oauth/par", 400),
        ("POST", "/oauth/par", 201),
    ]
    assert ("GET", "/.well-known/jwks.json", 200) in exchanges
    assert [e for e in exchanges if e[1] in {"/oauth/token", "/oauth/userinfo"}] == [
        ("POST", "/oauth/token", 200),  # the code
        ("GET", "/oauth/userinfo", 200),
        ("POST", "/oauth/token", 200),  # the refresh
        ("GET", "/oauth/userinfo", 200),
        ("POST", "/oauth/token", 400),  # the refresh, revoked
        ("GET", "/oauth/userinfo", 401),  # the refreshed access token, revoked with its family
    ]
    assert all(
        e["dpop"] for e in result["exchanges"] if e["path"] in {"/oauth/par", "/oauth/token", "/oauth/userinfo"}
    )

"""Checking an attestation: the public page (no sign-in; hostile tokens refused plainly) and the offline
command (`dinhdanh attestation verify`, and the module alone without Django), from files written by a
live issuance."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client as Browser
from joserfc import jwt
from joserfc.jwk import ECKey

from dinhdanh.federation import keys
from dinhdanh.organizations.models import LockGround
from dinhdanh.organizations.services import organization_lock
from dinhdanh.people.models import User
from dinhdanh.trust.attestations import MAX_TOKEN, attestation_issue, attestation_revoke
from dinhdanh.trust.tasks_attestations import follow_organizations
from tests.conftest import make_user
from tests.trust.attestation_support import officer, organization_with, parts, quiet_outbox

pytestmark = pytest.mark.django_db
_outbox = pytest.fixture(autouse=True)(quiet_outbox)
CHECK = "/trust/attestations/check"


@pytest.fixture
def rep(db: None) -> User:
    return make_user("Trần Thị Đại Diện", personal_id="091185000111")


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def pasted(token: str) -> Any:
    return Browser().post(CHECK, {"token": token})


def test_anyone_checks_a_genuine_one_and_sees_its_facts_and_status(rep: User) -> None:
    org = organization_with(rep)
    issued = attestation_issue(actor=rep, organization=org, user=rep)
    assert Browser().get(CHECK).status_code == 200
    page = pasted(issued.token)
    text = page.content.decode()
    assert page.status_code == 200
    assert page.context["result"].usable
    assert org.eid in text
    assert org.name in text
    assert "Thị Đại Diện" in text
    assert "091185000111" not in text
    organization_lock(actor=officer(), organization=org, ground=LockGround.BREACH, reason="Vi phạm")
    follow_organizations()
    suspended = pasted(issued.token)
    assert suspended.context["result"].genuine
    assert not suspended.context["result"].usable
    assert "tạm dừng" in suspended.content.decode()


def _forged_headers(token: str) -> list[str]:
    _header, payload, signature = token.split(".")
    kid = parts(token)[0]["kid"]
    ours = next(k for k in keys.jwks()["keys"] if k["kid"] == kid)
    pem = ECKey.import_key(ours).as_pem(private=False)
    hs_input = f"{b64(json.dumps({'typ': 'por+jwt', 'alg': 'HS256', 'kid': kid}).encode())}.{payload}"
    hs256 = hs_input + "." + b64(hmac.new(pem, hs_input.encode(), hashlib.sha256).digest())
    none = f"{b64(json.dumps({'typ': 'por+jwt', 'alg': 'none'}).encode())}.{payload}."
    stranger = ECKey.generate_key("P-256")
    foreign = jwt.encode({"typ": "por+jwt", "alg": "ES256", "kid": kid}, parts(token)[1], stranger)
    nested = b64(b"[" * 5000 + b"]" * 5000) + f".{payload}.{signature}"
    return [hs256, none, none + "AAAA", foreign, nested, b64(b'"str"') + f".{payload}.{signature}"]


def test_hostile_tokens_are_refused_plainly(rep: User) -> None:
    issued = attestation_issue(actor=rep, organization=organization_with(rep), user=rep)
    access = keys.sign({"iss": "x", "sub": "y"}, typ="at+jwt")
    tampered = issued.token[:-4] + ("AAAA" if not issued.token.endswith("AAAA") else "BBBB")
    hostile = ["garbage", "", "a.b.c", "....", "\x00\x01", access, tampered, *_forged_headers(issued.token)]
    for token in hostile:
        page = pasted(token)
        assert page.status_code == 400, token[:40]
        assert not page.context["result"].genuine
    oversized = pasted("a" * (MAX_TOKEN + 1))
    assert oversized.status_code == 400
    assert "a" * 100 not in oversized.content.decode()  # not echoed back
    assert Browser(enforce_csrf_checks=True).post(CHECK, {"token": issued.token}).status_code == 403


# --- offline ---------------------------------------------------------------------------------------------


def _files(tmp_path: Path, rep: User, *, revoke: bool = False) -> dict[str, str]:
    issued = attestation_issue(actor=rep, organization=organization_with(rep), user=rep)
    if revoke:
        attestation_revoke(actor=rep, attestation=issued.attestation)
    browser = Browser()
    uri = parts(issued.token)[1]["status"]["status_list"]["uri"]
    status_path = "/trust/status-lists/" + uri.rsplit("/", 1)[1]
    files = {
        "token": issued.token,
        "jwks": browser.get("/.well-known/jwks.json").content.decode(),
        "status": browser.get(status_path).content.decode(),
    }
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    return {name: str(tmp_path / name) for name in files}


def _command(*args: str) -> tuple[int, str, str]:
    out, err = _Capture(), _Capture()
    try:
        call_command("attestation", "verify", *args, stdout=out, stderr=err)
    except SystemExit as exit_:
        return int(exit_.code or 0), out.text, err.text
    return 0, out.text, err.text


class _Capture:
    def __init__(self) -> None:
        self.text = ""

    def write(self, text: str) -> None:
        self.text += text

    def flush(self) -> None:
        pass


def test_the_command_checks_a_valid_one_with_its_status_list(tmp_path: Path, rep: User) -> None:
    files = _files(tmp_path, rep)
    code, out, _err = _command(files["token"], "--jwks", files["jwks"], "--status-list", files["status"])
    assert code == 0, out
    assert "VALID" in out
    assert "status: valid" in out
    code, out, _err = _command(files["token"], "--jwks", files["jwks"])
    assert code == 0
    assert "status not checked" in out


def test_the_command_says_revoked_with_1_and_unusable_input_with_2(tmp_path: Path, rep: User) -> None:
    files = _files(tmp_path, rep, revoke=True)
    code, out, _err = _command(files["token"], "--jwks", files["jwks"], "--status-list", files["status"])
    assert (code, "status: invalid" in out) == (1, True)
    (tmp_path / "bad.json").write_text("{not json", encoding="utf-8")
    assert _command(files["token"], "--jwks", str(tmp_path / "bad.json"))[0] == 2
    assert _command(files["token"], "--jwks", str(tmp_path / "missing.json"))[0] == 2
    assert _command(files["token"], "--jwks", files["jwks"], "--status-list", files["jwks"])[0] == 2
    (tmp_path / "garbage").write_text("garbage", encoding="utf-8")
    assert _command(str(tmp_path / "garbage"), "--jwks", files["jwks"])[0] == 1


def test_the_module_runs_alone_without_django_or_a_database(tmp_path: Path, rep: User) -> None:
    files = _files(tmp_path, rep)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO", "DINHDANH"))}
    guard = "import sys; sys.modules['django'] = None; import runpy; sys.argv = ['v', *sys.argv[1:]]; " \
            "runpy.run_module('dinhdanh.trust.offline_verify', run_name='__main__')"  # fmt: skip
    args = [files["token"], "--jwks", files["jwks"], "--status-list", files["status"]]
    result = subprocess.run(  # noqa: S603  # our own interpreter and module
        [sys.executable, "-c", guard, *args], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    assert "status: valid" in result.stdout

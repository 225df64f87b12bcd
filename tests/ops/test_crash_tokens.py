"""Crash safety of token issuance (operations issue, in the manner of ``test_crash``): a real server
(`dinhdanh serve`, gunicorn with two workers) answers refresh-token grants with rotation for many
families at once and is killed with SIGKILL — master and workers together — while requests are in
flight, then started again.

The rules (``federation.protocol.refresh``) for a ``basic`` client: a refresh token is spent when
used and a new one of its family returned, in one transaction with the access token it issues; a
spent token presented again revokes the whole family and what it issued. So, after the crash:

- every token the client got a 200 for and presented again with a 200 is spent, once;
- the last token of each family whose refresh was not in flight is live, and usable exactly once:
  presented, 200 and a new token; presented again, refused and the family revoked;
- a refresh in flight at the kill either committed whole (its token spent, one new row and its access
  token, which the client never saw: presenting the spent token is then reuse, and revokes the
  family, as documented) or not at all (the token still live) — never half;
- each family holds one unspent token and one access token per refresh token; no task is ``running``;
  the audit chain verifies, before and after the reuse detections the test provokes.

Bounded: a fixed number of families and rotations, each wait under ``LIMIT``; the kill point comes
from a seeded draw, so a run is reproducible up to the scheduler.
"""

from __future__ import annotations

import base64
import json
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from tests.ops.sites import Site, databases, new_site, wait_ready

__all__ = ["databases"]  # the module-scoped fixture, used by name

ROOT = Path(__file__).resolve().parents[2]
LIMIT = 120.0
FAMILIES = 24
THREADS = 8
MAX_ROTATIONS = 40  # per family: the whole run is at most FAMILIES * MAX_ROTATIONS refreshes
ENV = {
    "DJANGO_SETTINGS_MODULE": "dinhdanh.settings.dev",
    "DINHDANH_TASK_BACKEND": "database",
    "DINHDANH_ARGON2_TIME_COST": "1",
    "DINHDANH_ARGON2_MEMORY_KIB": "8192",
    "DINHDANH_ARGON2_PARALLELISM": "1",
}

# A client and a person, and FAMILIES authorization codes with their PKCE verifiers, made through the
# real authorization endpoint by a browser session (Django's test client, in the site's own process).
SETUP = f"""
import json
from urllib.parse import urlencode, urlsplit, parse_qs
from django.test import Client as Browser
from dinhdanh.federation.clients import client_register
from tests.conftest import make_user, signed_in
from tests.federation.fapi import pkce
RP = "https://cong.example.vn/cb"
client, secret = client_register(
    actor=None, name="Cổng thử", redirect_uris=[RP], scopes=["openid", "profile", "offline_access"]
)
person = make_user("Người Làm Mới", personal_id="091085000777")
browser = signed_in(Browser(HTTP_HOST="127.0.0.1"), person)
codes = []
for n in range({FAMILIES}):
    verifier, challenge = pkce()
    params = {{
        "client_id": client.client_id, "redirect_uri": RP, "response_type": "code",
        "scope": "openid profile offline_access", "state": str(n), "code_challenge": challenge,
        "code_challenge_method": "S256",
    }}
    assert browser.get("/oauth/authorize?" + urlencode(params)).status_code == 200
    answer = browser.post("/oauth/authorize", {{**params, "decision": "allow"}})
    code = parse_qs(urlsplit(answer["Location"]).query)["code"][0]
    codes.append({{"code": code, "verifier": verifier}})
print(json.dumps({{"client_id": client.client_id, "secret": secret, "codes": codes, "redirect": RP}}))
"""

# What the database holds for the tokens the client received (read from TOKENS_FILE): each token's
# row, and each family's rows, spent rows, revoked rows and access tokens.
STATE = """
import json, os
from django_tasks_db.models import DBTaskResult
from dinhdanh.core.models import AuditEvent
from dinhdanh.federation.audit_actions import FederationAction
from dinhdanh.federation.models import AccessToken, RefreshToken
from dinhdanh.federation.protocol.code_grant import refresh_digest
families = json.loads(open(os.environ["TOKENS_FILE"], encoding="utf-8").read())
tokens, family_of = {}, {}
for name, values in families.items():
    for value in values:
        row = RefreshToken.objects.filter(digest=refresh_digest(value)).first()
        tokens[value] = None if row is None else {
            "family": row.family, "used": row.used_at is not None, "revoked": row.revoked_at is not None,
        }
        if row is not None:
            family_of.setdefault(name, set()).add(row.family)
report = {}
for name, ids in family_of.items():
    rows = RefreshToken.objects.filter(family__in=ids)
    access = [AccessToken.objects.filter(refresh_id=pk).count() for pk in rows.values_list("pk", flat=True)]
    report[name] = {
        "ids": len(ids), "rows": rows.count(), "used": rows.filter(used_at__isnull=False).count(),
        "revoked": rows.filter(revoked_at__isnull=False).count(), "access_per_row": sorted(set(access)),
        "live_access": AccessToken.objects.filter(refresh__in=rows, revoked_at__isnull=True).count(),
    }
print(json.dumps({
    "tokens": tokens, "families": report,
    "running_tasks": DBTaskResult.objects.filter(status="RUNNING").count(),
    "reuse_audited": AuditEvent.objects.filter(action=FederationAction.REFRESH_REUSED).count(),
}))
"""


@dataclass
class Chain:
    """One family as the client saw it: every refresh token it got a 200 for, in order, and the one it
    had sent when the server died (``None``: no request of this family was in flight)."""

    received: list[str] = field(default_factory=list)
    in_flight: str | None = None
    failures: list[str] = field(default_factory=list)


def _env(site: Site) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "DINHDANH_"))}
    clean.update({"DINHDANH_DATA_DIR": str(site.data_dir), "PYTHONPATH": str(ROOT), **site.env})
    return clean


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _serve(site: Site, port: int) -> subprocess.Popen[bytes]:
    """The server in a session of its own, so that one SIGKILL to its group takes master and workers."""
    return subprocess.Popen(  # noqa: S603 - our interpreter, our command
        [sys.executable, "-m", "dinhdanh", "serve", "--bind", f"127.0.0.1:{port}", "--workers", "2"],
        env=_env(site), cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip


def _kill(server: subprocess.Popen[bytes]) -> None:
    os.killpg(server.pid, signal.SIGKILL)  # the group this test started (start_new_session)
    server.wait(timeout=LIMIT)


def _stop(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=LIMIT)


def _ready(base: str) -> None:
    wait_ready(base, LIMIT)


def _shell(site: Site, code: str, **env: str) -> dict[str, object]:
    shown = Site(site.data_dir, {**site.env, **env}).run("shell", "-v", "0", "-c", code)
    assert shown.code == 0, shown.err
    return dict(json.loads(shown.out.strip().splitlines()[-1]))


def _verified(site: Site) -> None:
    verified = site.run("audit", "verify")
    assert verified.code == 0, verified.out + verified.err
    assert "OK" in verified.out


class Rp:
    """The relying party's back channel: client_secret_basic on the token endpoint."""

    def __init__(self, base: str, client_id: str, secret: str) -> None:
        auth = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
        self.http = httpx.Client(base_url=base, timeout=30, headers={"Authorization": f"Basic {auth}"})

    def token(self, data: dict[str, str]) -> httpx.Response:
        return self.http.post("/oauth/token", data=data)

    def refresh(self, value: str) -> httpx.Response:
        return self.token({"grant_type": "refresh_token", "refresh_token": value})

    def close(self) -> None:
        self.http.close()


def _rotate(rp: Rp, chains: list[Chain], stop: threading.Event, answered: list[int], lock: threading.Lock) -> None:
    """Refresh each family of ``chains`` in turn until told to stop, the server dies or the bound."""
    for _round in range(MAX_ROTATIONS):
        for chain in chains:
            if stop.is_set():
                return
            current = chain.received[-1]
            chain.in_flight = current
            try:
                response = rp.refresh(current)
            except httpx.HTTPError:
                return  # the server died with this request in flight: its outcome is unknown
            chain.in_flight = None
            if response.status_code != 200:
                chain.failures.append(f"{response.status_code} {response.text[:200]}")
                return
            chain.received.append(str(response.json()["refresh_token"]))
            with lock:
                answered[0] += 1


def _kill_mid_refresh(site: Site, made: dict[str, object]) -> list[Chain]:
    """Exchange every code, refresh every family from THREADS threads, and SIGKILL the server after a
    seeded number of answers, with requests in flight."""
    codes = made["codes"]
    assert isinstance(codes, list)
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = _serve(site, port)
    chains = [Chain() for _ in range(FAMILIES)]
    try:
        _ready(base)
        rp = Rp(base, str(made["client_id"]), str(made["secret"]))
        for chain, grant in zip(chains, codes, strict=True):
            response = rp.token({
                "grant_type": "authorization_code", "code": grant["code"], "code_verifier": grant["verifier"],
                "redirect_uri": str(made["redirect"]),
            })  # fmt: skip
            assert response.status_code == 200, response.text
            chain.received.append(str(response.json()["refresh_token"]))
        rp.close()

        # THREADS relying-party threads, each refreshing its share of the families as fast as answered.
        stop, lock, answered = threading.Event(), threading.Lock(), [0]
        clients = [Rp(base, str(made["client_id"]), str(made["secret"])) for _ in range(THREADS)]
        workers = [
            threading.Thread(target=_rotate, args=(clients[t], chains[t::THREADS], stop, answered, lock))
            for t in range(THREADS)
        ]
        for worker in workers:
            worker.start()
        kill_after = random.Random(16_42).randint(60, 160)  # answers before the kill: reproducible
        deadline = time.monotonic() + LIMIT
        while answered[0] < kill_after and time.monotonic() < deadline and any(w.is_alive() for w in workers):
            time.sleep(0.01)
        _kill(server)  # with requests in flight: every thread has one out, or is about to
        stop.set()
        for worker in workers:
            worker.join(timeout=LIMIT)
            assert not worker.is_alive()
        for client in clients:
            client.close()
    finally:
        _stop(server)
    assert [c.failures for c in chains] == [[]] * FAMILIES  # before the kill, every refresh was answered 200
    assert answered[0] >= kill_after
    assert any(c.in_flight is not None for c in chains)  # the kill did land in the middle
    return chains


def _after_the_crash(state: dict[str, object], chains: list[Chain]) -> dict[int, bool]:
    """The invariants before anything is presented again; for each family whose refresh was in flight,
    whether it committed."""
    rows, families = state["tokens"], state["families"]
    assert isinstance(rows, dict)
    assert isinstance(families, dict)
    assert state["running_tasks"] == 0
    assert state["reuse_audited"] == 0
    committed: dict[int, bool] = {}
    for i, chain in enumerate(chains):
        seen = [rows[value] for value in chain.received]
        assert None not in seen, "a token answered 200 has no row: its refresh was lost"
        assert len({row["family"] for row in seen}) == 1  # one family, as rotation keeps it
        assert not any(row["revoked"] for row in seen)
        assert all(row["used"] for row in seen[:-1])  # each presented and answered: spent, once
        last = seen[-1]
        family = families[str(i)]
        assert family["access_per_row"] == [1]  # one access token per refresh token: nothing half-written
        assert family["revoked"] == 0
        assert family["live_access"] == family["rows"]
        assert family["rows"] == family["used"] + 1  # exactly one unspent token per family
        if chain.in_flight is None:
            assert not last["used"], f"family {i}: its last token was spent though no refresh was out"
            assert family["rows"] == len(chain.received)
        else:
            assert chain.in_flight == chain.received[-1]
            # Committed whole (spent, one row the client never saw) or not at all (live, no extra row).
            committed[i] = bool(last["used"])
            assert family["rows"] == len(chain.received) + int(last["used"])
    return committed


def _present_again(site: Site, made: dict[str, object], chains: list[Chain], committed: dict[int, bool]) -> int:
    """Started again: each family's last token usable exactly once, per the rotation rules; the number
    of reuses provoked (each revokes its family)."""
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = _serve(site, port)
    reused = 0
    try:
        _ready(base)
        rp = Rp(base, str(made["client_id"]), str(made["secret"]))
        for i, chain in enumerate(chains):
            last = chain.received[-1]
            if committed.get(i):
                # Its refresh committed as the server died: the token is spent, so presenting it is
                # reuse, and the family (with the token the client never saw) is revoked.
                _refused(rp.refresh(last))
            elif i % 2 and len(chain.received) > 1:
                _refused(rp.refresh(chain.received[-2]))  # spent before the crash: reuse, the family goes
                _refused(rp.refresh(last))  # so even the live last token is refused now
            else:
                first = rp.refresh(last)  # once: 200 and a new token
                assert first.status_code == 200, (i, first.text)
                _refused(rp.refresh(last))  # twice: reuse, and the family goes
                _refused(rp.refresh(str(first.json()["refresh_token"])))  # revoked with its family
            reused += 1
        rp.close()
    finally:
        _stop(server)
    return reused


def _refused(response: httpx.Response) -> None:
    assert response.status_code == 400, response.text
    assert response.json()["error"] == "invalid_grant"


def test_a_server_killed_mid_refresh_loses_no_token_it_answered_and_half_writes_none(
    tmp_path: Path, databases: list[str]
) -> None:
    site = new_site(tmp_path, "tokens", databases)
    site.env.update(ENV, PYTHONPATH=str(ROOT))
    assert site.run("migrate").code == 0
    made = _shell(site, SETUP)
    chains = _kill_mid_refresh(site, made)

    tokens_file = tmp_path / "tokens.json"
    tokens_file.write_text(json.dumps({str(i): c.received for i, c in enumerate(chains)}), encoding="utf-8")
    committed = _after_the_crash(_shell(site, STATE, TOKENS_FILE=str(tokens_file)), chains)
    _verified(site)

    reused = _present_again(site, made, chains, committed)
    state = _shell(site, STATE, TOKENS_FILE=str(tokens_file))
    families = state["families"]
    assert isinstance(families, dict)
    for i in range(FAMILIES):
        family = families[str(i)]
        assert family["revoked"] == family["rows"], f"family {i} not wholly revoked: {family}"
        assert family["live_access"] == 0
        assert family["access_per_row"] == [1]
    assert state["reuse_audited"] == reused == FAMILIES
    assert state["running_tasks"] == 0
    _verified(site)

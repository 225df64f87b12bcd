"""Token endpoint and introspection against the peer OpenID provider, side by side in one run (issue 12).

    make bench            # or: .venv/bin/python bench/oidc_vs_peer.py [--seconds 5] [--postgres] [--no-peer]

Both servers run on loopback, each pinned to core 0; the load generator (below: raw keep-alive HTTP/1.1
sockets, the same for both servers, bounded by a request count and a deadline) runs on core 1. A rate
is requests per second of the server's CPU time (user + system of the server's processes, from
/proc), so it is a rate per core whatever else the machine does; p50/p99 are client-side latencies
with 32 connections; RSS is the server's processes' resident memory after the run.

  ours   dinhdanh with a fresh SQLite database (PostgreSQL with --postgres: DATABASE_URL, default the
         bench database on 127.0.0.1), served by granian (one worker, one thread) through the lean
         path of decision 0034, or by gunicorn (gthread) when granian is not installed;
  peer   panva's oidc-provider (shared/peers/oidc-provider), installed with npm into a cache dir on
         first use; JWT ES256 access tokens for client credentials, opaque tokens for introspection
         (it cannot introspect its own JWTs). Without node/npm it reports "peer unavailable" and ours.

Scenarios: client credentials with client_secret_basic and with private_key_jwt (a fresh ES256 client
assertion per request, made before the run; the peer has no such client, so its basic figure is the
reference), introspection of a live token, the same two client-credentials requests through Django's
whole handler (what the lean path saves), and the authorization-code flow of a signed-in person
(authorize page, consent, code exchange) on our side only.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import http.client
import importlib.util
import json
import os
import re
import secrets
import selectors
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from procs import cpu_seconds, rss_mib

ROOT = Path(__file__).resolve().parent.parent
PEER_SOURCE = Path(os.environ.get("DINHDANH_PEER_DIR", ROOT.parent / "shared" / "peers" / "oidc-provider"))
PEER_CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "dinhdanh-bench" / "oidc-provider"
SERVER_CORE, LOAD_CORE = 0, 1
CONNECTIONS = 32
MAX_REQUESTS = 200_000  # per measured run, whatever the duration
RP = "https://rp.example.vn/cb"
HEADER_END = b"\r\n\r\n"


# --- the load generator ----------------------------------------------------------------------------------


@dataclass
class Run:
    done: int = 0
    errors: dict[int, int] = field(default_factory=dict)
    latencies: list[float] = field(default_factory=list)
    wall: float = 0.0
    bodies: list[bytes] = field(default_factory=list)


def _content_length(head: bytes) -> int:
    match = re.search(rb"\r\ncontent-length:\s*(\d+)", head, re.IGNORECASE)
    if match is None:
        raise RuntimeError("a response without Content-Length: " + head[:200].decode(errors="replace"))
    return int(match.group(1))


def _body_length(head: bytes) -> int:
    """What follows the head: nothing after a 204 or 304 (RFC 9110 §6.4.1), else Content-Length."""
    return 0 if head[9:12] in (b"204", b"304") else _content_length(head)


def load(
    port: int,
    requests: Iterator[bytes],
    *,
    count: int,
    seconds: float,
    keep: int = 0,
    connections: int = CONNECTIONS,
) -> Run:
    """Up to ``count`` requests from ``requests`` for at most ``seconds``, ``connections`` at a time, each
    connection sending its next request when the previous answer is complete (no pipelining)."""
    run, sel = Run(), selectors.DefaultSelector()
    deadline = time.monotonic() + seconds
    sent = 0
    state: dict[socket.socket, tuple[float, bytearray]] = {}
    state_of: dict[int, socket.socket] = {}

    def send(sock: socket.socket) -> None:
        nonlocal sent
        request = next(requests, None) if sent < count and time.monotonic() < deadline else None
        if request is None:
            sel.unregister(sock)
            sock.close()
            return
        sent += 1
        state[sock] = (time.perf_counter(), bytearray())
        sock.sendall(request)

    for _ in range(connections):
        sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sel.register(sock, selectors.EVENT_READ)
        state[sock], state_of[sock.fileno()] = (0.0, bytearray()), sock
    start = time.perf_counter()
    for sock in list(state):
        send(sock)
    while sel.get_map():
        events = sel.select(timeout=10)
        if not events:
            raise RuntimeError("the server stopped answering")
        for key, _mask in events:
            sock = state_of[key.fd]
            began, buffer = state[sock]
            chunk = sock.recv(65536)
            if not chunk:
                raise RuntimeError("the server closed a keep-alive connection")
            buffer += chunk
            end = buffer.find(HEADER_END)
            if end < 0 or len(buffer) < end + 4 + _body_length(bytes(buffer[:end])):
                continue
            run.latencies.append(time.perf_counter() - began)
            run.done += 1
            status = int(buffer[9:12])
            if status != 200:
                run.errors[status] = run.errors.get(status, 0) + 1
            elif len(run.bodies) < keep:
                run.bodies.append(bytes(buffer[end + 4 :]))
            send(sock)
    run.wall = time.perf_counter() - start
    return run


def post(path: str, form: dict[str, str], *, auth: str = "") -> bytes:
    body = urlencode(form).encode()
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n"
        f"Content-Length: {len(body)}\r\n" + (f"Authorization: {auth}\r\n" if auth else "") + "\r\n"
    )
    return head.encode() + body


def basic(client_id: str, secret: str) -> str:
    return "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()


# --- servers ---------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start(command: list[str], *, env: dict[str, str], cwd: Path, port: int, log: Path) -> subprocess.Popen[bytes]:
    mine = os.sched_getaffinity(0)
    os.sched_setaffinity(0, ({SERVER_CORE} & mine) or mine)  # the server inherits its core
    try:
        with log.open("wb") as out:
            process = subprocess.Popen(  # noqa: S603  (our own interpreter or node, fixed arguments)
                command, env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )
    finally:
        os.sched_setaffinity(0, mine)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{command[0]} exited: {log.read_text()[-800:]}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return process
        except OSError:
            time.sleep(0.2)
    stop(process)
    raise RuntimeError(f"nothing listens on {port} after 60 s: {log.read_text()[-800:]}")


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=15)


@dataclass
class Figure:
    name: str
    rate: float  # requests per server CPU-second
    wall_rate: float
    p50_ms: float
    p99_ms: float
    rss_mib: float
    requests: int


def measure(
    name: str, server: subprocess.Popen[bytes], port: int, requests: Iterator[bytes], seconds: float
) -> Figure:
    load(port, requests, count=500, seconds=2)  # warm-up: imports, caches, JIT on the peer's side
    before = cpu_seconds(server.pid)
    run = load(port, requests, count=MAX_REQUESTS, seconds=seconds)
    used = cpu_seconds(server.pid) - before
    if run.errors:
        raise RuntimeError(f"{name}: answers other than 200: {run.errors}")
    ordered = sorted(run.latencies)
    return Figure(
        name=name, rate=run.done / max(used, 1e-9), wall_rate=run.done / run.wall,
        p50_ms=statistics.median(ordered) * 1000, p99_ms=ordered[int(len(ordered) * 0.99)] * 1000,
        rss_mib=rss_mib(server.pid), requests=run.done,
    )  # fmt: skip


def cycle(items: list[bytes]) -> Iterator[bytes]:
    while True:
        yield from items


# --- ours ------------------------------------------------------------------------------------------------

SETTINGS = """\
from dinhdanh.settings.dev import *  # noqa: F403

# Decision 0034: connections persist between requests. A SQLite connection costs ~2 ms to open
# (pragmas, Django's SQL functions); Django's default, 0, opens one per request.
if not DATABASES["default"].get("CONN_MAX_AGE"):
    DATABASES["default"]["CONN_MAX_AGE"] = None
LOGGING["root"]["level"] = "ERROR"
"""

ENTRY = """\
from django.core.wsgi import get_wsgi_application

from dinhdanh.federation.fastpath import wrap

django_path = get_wsgi_application()
application = wrap(django_path)
"""


@dataclass
class Ours:
    workdir: Path
    env: dict[str, str]
    port: int
    server_name: str
    basic_auth: str = ""
    key_client: str = ""
    key: Any = None
    issuer: str = ""


def prepare_ours(workdir: Path, *, postgres: bool) -> Ours:
    port = free_port()
    (workdir / "bench_settings.py").write_text(SETTINGS)
    (workdir / "bench_entry.py").write_text(ENTRY)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench_settings",
        "DINHDANH_DATA_DIR": str(workdir / "data"),
        "DINHDANH_ISSUER": f"http://127.0.0.1:{port}",
        "DINHDANH_ACCESS_TOKEN_SECONDS": "3600",  # the introspected tokens outlive the run
        "PYTHONPATH": os.pathsep.join([str(workdir), *filter(None, [os.environ.get("PYTHONPATH")])]),
    }
    if postgres:
        env["DATABASE_URL"] = os.environ.get(
            "DATABASE_URL", "postgres://dinhdanh:dinhdanh@127.0.0.1:5432/dinhdanh_bench"
        )
    else:
        env.pop("DATABASE_URL", None)
    server = "granian" if importlib.util.find_spec("granian") else "gunicorn"
    ours = Ours(workdir=workdir, env=env, port=port, server_name=server, issuer=f"http://127.0.0.1:{port}")
    os.environ.update({k: env[k] for k in ("DJANGO_SETTINGS_MODULE", "DINHDANH_DATA_DIR", "DINHDANH_ISSUER")})
    os.environ.pop("DATABASE_URL", None)
    if postgres:
        os.environ["DATABASE_URL"] = env["DATABASE_URL"]
    sys.path.insert(0, str(workdir))
    import django

    django.setup()
    from django.core.management import call_command
    from joserfc.jwk import ECKey

    from dinhdanh.federation import keys
    from dinhdanh.federation.clients import client_register

    if postgres:
        call_command("flush", interactive=False, verbosity=0)
    call_command("migrate", verbosity=0)
    keys.keys_maintain()
    scopes = ["openid", "verify.organization", "verify.member"]
    client, secret = client_register(actor=None, name="Đo hiệu năng", redirect_uris=[RP], scopes=scopes)
    assert secret is not None
    ours.basic_auth = basic(client.client_id, secret)
    ours.key = ECKey.generate_key("P-256")
    jwks = {"keys": [{**ours.key.as_dict(private=False), "kid": "bench-1", "alg": "ES256"}]}
    # The basic profile: a FAPI 2.0 client's tokens are DPoP-bound, and the peer's figure is without DPoP.
    key_client, _none = client_register(
        actor=None, name="Đo hiệu năng", redirect_uris=[RP], scopes=scopes, auth_method="private_key_jwt",
        jwks=jwks,
    )  # fmt: skip
    ours.key_client = key_client.client_id
    return ours


def serve_ours(ours: Ours, app: str) -> subprocess.Popen[bytes]:
    if ours.server_name == "granian":
        command = [
            sys.executable, "-m", "granian", "--interface", "wsgi", "--workers", "1", "--blocking-threads", "1",
            "--runtime-threads", "1", "--host", "127.0.0.1", "--port", str(ours.port), "--no-ws",
            "--log-level", "warning", f"bench_entry:{app}",
        ]  # fmt: skip
    else:
        command = [
            sys.executable, "-m", "gunicorn", "-k", "gthread", "--threads", "4", "--workers", "1",
            "--bind", f"127.0.0.1:{ours.port}", "--log-level", "warning", f"bench_entry:{app}",
        ]  # fmt: skip
    return start(command, env=ours.env, cwd=ours.workdir, port=ours.port, log=ours.workdir / f"{app}.log")


def assertions(ours: Ours, count: int) -> Iterator[bytes]:
    """Single-use client assertions (RFC 7523), made before the run so the generator only sends them."""
    from joserfc import jwt

    now = int(time.time())
    made = []
    for _ in range(count):
        claims = {
            "iss": ours.key_client, "sub": ours.key_client, "aud": ours.issuer, "iat": now, "exp": now + 240,
            "jti": secrets.token_urlsafe(16),
        }  # fmt: skip
        signed = jwt.encode({"alg": "ES256", "kid": "bench-1"}, claims, ours.key, algorithms=["ES256"])
        made.append(
            post(
                "/oauth/token",
                {
                    "grant_type": "client_credentials",
                    "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                    "client_assertion": signed,
                },
            )
        )
    return iter(made)


def token_pool(port: int, request: bytes, count: int) -> list[str]:
    run = load(port, iter([request] * count), count=count, seconds=30, keep=count, connections=4)
    return [str(json.loads(body)["access_token"]) for body in run.bodies]


class CodeFlow:
    """A signed-in person's authorization-code flow over one keep-alive connection: the authorize page,
    the consent (as themselves), the code exchange (RFC 6749 §4.1 with PKCE, RFC 7636)."""

    def __init__(self, ours: Ours, personal_id: str = "079085009999") -> None:
        from django.test import Client as Browser

        from dinhdanh.federation.clients import client_register
        from dinhdanh.people.authflow import ACCOUNT_SESSION, STEPPED_UP_AT
        from dinhdanh.people.models import SignInMethod
        from dinhdanh.people.services import user_create
        from dinhdanh.people.signin import Client as SignInClient
        from dinhdanh.people.signin import signin_complete

        password = secrets.token_urlsafe(16)
        user = user_create(actor=None, personal_id=personal_id, full_name="Người Đo Luồng", password=password)
        rp, secret = client_register(
            actor=None, name="Cổng đo luồng", redirect_uris=[RP], scopes=["openid", "profile"]
        )
        assert secret is not None
        self.client_id, self.auth = rp.client_id, basic(rp.client_id, secret)
        browser = Browser()
        browser.force_login(user)  # signed in as after password and second factor (tests/conftest.signed_in)
        session = browser.session
        row = signin_complete(user=user, method=SignInMethod.PASSWORD_TOTP, client=SignInClient())
        session[ACCOUNT_SESSION], session[STEPPED_UP_AT] = str(row.pk), time.time()
        session.save()
        self.cookie = f"dinhdanh_session={session.session_key}"
        self.conn = http.client.HTTPConnection("127.0.0.1", ours.port, timeout=10)

    def _send(self, method: str, path: str, body: str = "", **headers: str) -> http.client.HTTPResponse:
        form = {"Content-Type": "application/x-www-form-urlencoded"} if body else {}
        self.conn.request(method, path, body=body or None, headers={**form, **headers})
        return self.conn.getresponse()

    def one(self) -> dict[str, Any]:
        """One flow; the token response (bench/mixed_load.py looks its access token up afterwards)."""
        verifier = secrets.token_urlsafe(48)
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        params = {
            "client_id": self.client_id, "redirect_uri": RP, "response_type": "code", "scope": "openid profile",
            "state": secrets.token_urlsafe(8), "nonce": secrets.token_urlsafe(8), "code_challenge": challenge,
            "code_challenge_method": "S256",
        }  # fmt: skip
        page = self._send("GET", "/oauth/authorize?" + urlencode(params), Cookie=self.cookie)
        html = page.read().decode()
        if page.status != 200:
            raise RuntimeError(f"authorize page: {page.status}")
        for header in page.headers.get_all("Set-Cookie") or []:
            name, _eq, rest = header.partition("=")
            if name == "csrftoken" and "csrftoken=" not in self.cookie:
                self.cookie += f"; csrftoken={rest.split(';', 1)[0]}"
        csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
        consent = {**params, "decision": "allow", "act_as": "self", "csrfmiddlewaretoken": csrf[1] if csrf else ""}
        answer = self._send("POST", "/oauth/authorize", urlencode(consent), Cookie=self.cookie)
        answer.read()
        location = answer.headers.get("Location", "")
        code = parse_qs(urlsplit(location).query).get("code", [""])[0]
        if answer.status != 302 or not code:
            raise RuntimeError(f"consent: {answer.status} {location[:80]}")
        exchange = {
            "grant_type": "authorization_code",
            "code": code,
            "code_verifier": verifier,
            "redirect_uri": RP,
        }
        tokens = self._send("POST", "/oauth/token", urlencode(exchange), Authorization=self.auth)
        body = tokens.read()
        if tokens.status != 200:
            raise RuntimeError(f"code exchange: {tokens.status}")
        return dict(json.loads(body))

    def rate(self, server: subprocess.Popen[bytes], seconds: float) -> tuple[float, float, int, str]:
        """Flows per server CPU-second, flows per second, flows; or why it could not be measured."""
        try:
            for _ in range(5):
                self.one()
            before, began, flows = cpu_seconds(server.pid), time.perf_counter(), 0
            deadline = time.monotonic() + seconds
            while flows < 10_000 and time.monotonic() < deadline:
                self.one()
                flows += 1
            used, wall = cpu_seconds(server.pid) - before, time.perf_counter() - began
        except (RuntimeError, OSError, http.client.HTTPException) as exc:
            return 0.0, 0.0, 0, str(exc)
        finally:
            self.conn.close()
        return flows / max(used, 1e-9), flows / wall, flows, ""


def run_ours(ours: Ours, seconds: float) -> tuple[dict[str, Figure], str]:
    figures: dict[str, Figure] = {}
    token_request = post("/oauth/token", {"grant_type": "client_credentials"}, auth=ours.basic_auth)
    server = serve_ours(ours, "application")
    try:
        figures["basic"] = measure("client_secret_basic", server, ours.port, cycle([token_request]), seconds)
        pool = assertions(ours, 500 + int(seconds * 6000))
        figures["key"] = measure("private_key_jwt", server, ours.port, pool, seconds)
        tokens = token_pool(ours.port, token_request, 200)
        asks = [post("/oauth/introspect", {"token": t}, auth=ours.basic_auth) for t in tokens]
        figures["introspect"] = measure("introspection", server, ours.port, cycle(asks), seconds)
        flow_rate, flow_wall, flows, failure = CodeFlow(ours).rate(server, seconds)
    finally:
        stop(server)
    flow = (
        f"authorization-code flow (signed in; authorize page + consent + code exchange): "
        f"{flow_rate:,.0f} flows per server CPU-second, {flow_wall:,.0f}/s on one connection ({flows} flows)"
        if not failure
        else f"authorization-code flow: not measured ({failure})"
    )
    server = serve_ours(ours, "django_path")
    try:
        figures["django_basic"] = measure(
            "client_secret_basic, Django's handler", server, ours.port, cycle([token_request]), seconds / 2
        )
        figures["django_introspect"] = measure(
            "introspection, Django's handler", server, ours.port, cycle(asks), seconds / 2
        )
    finally:
        stop(server)
    return figures, flow


# --- the peer --------------------------------------------------------------------------------------------


def install_peer() -> Path:
    """The peer's directory with its node_modules, installed once per package-lock into the cache."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if not node or not npm:
        raise RuntimeError("node and npm are not installed")
    if not (PEER_SOURCE / "server.mjs").exists():
        raise RuntimeError(f"no peer configuration at {PEER_SOURCE}")
    lock = hashlib.sha256((PEER_SOURCE / "package-lock.json").read_bytes()).hexdigest()[:16]
    target = PEER_CACHE / lock
    if not (target / "node_modules" / "oidc-provider").is_dir():
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(PEER_SOURCE, target)
        for each in target.rglob("*"):
            each.chmod(each.stat().st_mode | 0o200)  # the shared copy is read-only
        target.chmod(target.stat().st_mode | 0o200)
        result = subprocess.run(  # noqa: S603
            [npm, "install", "--no-audit", "--no-fund"], cwd=target, capture_output=True, text=True, timeout=300,
            check=False,
        )  # fmt: skip
        if result.returncode != 0:
            shutil.rmtree(target, ignore_errors=True)
            raise RuntimeError("npm install failed: " + (result.stderr or result.stdout).strip()[-300:])
    return target


def run_peer(seconds: float, workdir: Path) -> dict[str, Figure]:
    directory = install_peer()
    node = shutil.which("node") or "node"
    auth = basic("bench-client", "bench-secret")
    token_request = post("/token", {"grant_type": "client_credentials", "scope": "api"}, auth=auth)
    figures: dict[str, Figure] = {}
    for mode in ("jwt", "opaque"):
        port = free_port()
        env = {**os.environ, "OP_PORT": str(port), "OP_TOKEN": mode, "OP_JWT_ALG": "ES256", "OP_WORKERS": "1"}
        server = start([node, "server.mjs"], env=env, cwd=directory, port=port, log=workdir / f"peer-{mode}.log")
        try:
            figures[f"basic_{mode}"] = measure(
                f"client_secret_basic ({mode})", server, port, cycle([token_request]), seconds
            )
            if mode == "opaque":
                tokens = token_pool(port, token_request, 200)
                asks = [post("/token/introspection", {"token": t}, auth=auth) for t in tokens]
                figures["introspect"] = measure("introspection (opaque)", server, port, cycle(asks), seconds)
        finally:
            stop(server)
    return figures


def _node_version() -> str:
    node = [shutil.which("node") or "node", "--version"]
    found = subprocess.run(node, capture_output=True, text=True, check=False)  # noqa: S603
    return found.stdout.strip()


# --- report ----------------------------------------------------------------------------------------------


def line(figure: Figure, peer: Figure | None) -> str:
    ratio = f"{figure.rate / peer.rate:5.2f}x" if peer else "    - "
    return (
        f"  {figure.name:<40} {figure.rate:>8,.0f} {ratio}  {figure.wall_rate:>8,.0f}  "
        f"{figure.p50_ms:>6.2f} {figure.p99_ms:>7.2f}  {figure.rss_mib:>6.0f}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--seconds", type=float, default=5.0, help="measured seconds per scenario (default 5)")
    parser.add_argument("--postgres", action="store_true", help="ours on PostgreSQL (DATABASE_URL)")
    parser.add_argument("--no-peer", action="store_true", help="ours only")
    args = parser.parse_args()
    if len(os.sched_getaffinity(0)) < 2:
        print("note: fewer than 2 cores: server and load generator share one")
    workdir = Path(tempfile.mkdtemp(prefix="dinhdanh-oidc-bench-"))
    try:
        ours = prepare_ours(workdir, postgres=args.postgres)
        os.sched_setaffinity(0, {LOAD_CORE} if LOAD_CORE in os.sched_getaffinity(0) else os.sched_getaffinity(0))
        figures, flow = run_ours(ours, args.seconds)
        peer: dict[str, Figure] = {}
        why = "--no-peer"
        if not args.no_peer:
            try:
                peer = run_peer(args.seconds, workdir)
            except (RuntimeError, OSError, subprocess.SubprocessError) as exc:
                why = str(exc)
        database = "PostgreSQL" if args.postgres else "SQLite"
        print(f"command: {' '.join([Path(sys.executable).name, *sys.argv])}")
        print(
            f"ours: {ours.server_name} ({'1 worker, 1 thread' if ours.server_name == 'granian' else '1 worker, 4 threads'}) + lean path, {database}; load: {CONNECTIONS} "
            f"keep-alive connections, server on core {SERVER_CORE}, generator on core {LOAD_CORE}"
        )
        if ours.server_name != "granian":
            print("note: granian is not installed; gunicorn serves ours (decision 0034 chooses granian)")
        print(
            f"\n  {'':<40} {'req/CPU-s':>8} {'× peer':>6}  {'req/s':>8}  {'p50 ms':>6} {'p99 ms':>7}  {'RSS MiB':>6}"
        )
        print("  ours")
        reference = {"basic": "basic_jwt", "key": "basic_jwt", "introspect": "introspect"}
        for key, figure in figures.items():
            print(line(figure, peer.get(reference.get(key, "basic_jwt" if "basic" in key else "introspect"))))
        if peer:
            print("  peer: oidc-provider (node " + _node_version() + ")")
            for figure in peer.values():
                print(line(figure, None))
        else:
            print(f"  peer unavailable: {why}")
        print(f"\n  {flow}")
        print(
            textwrap.dedent("""
            req/CPU-s: requests per second of server CPU time (one core); × peer: ours / the peer's JWT ES256
            client_secret_basic rate (token rows) or its opaque introspection rate (introspection rows).""")
        )
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

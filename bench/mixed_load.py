"""A mixed load on one server process and one task worker, then a count of lost writes (issue 16).

    .venv/bin/python bench/mixed_load.py [operations] [--seconds 120] [--threads 8] [--server-threads 4]
    DATABASE_URL=postgres://dinhdanh:dinhdanh@127.0.0.1:5432/dinhdanh_bench .venv/bin/python bench/mixed_load.py 200

Builds a site of its own: a fresh data dir with SQLite, or, when DATABASE_URL is set, a fresh database
on that server (created beside the named one, dropped at the end). It seeds through the services and the
test helpers (units, accounts with stepped-up sessions, officers, a partner clerk per client thread,
relying parties, submitted requests for the officers to decide), then starts `dinhdanh serve` (gunicorn,
one worker process, `--server-threads` threads) and `dinhdanh worker` on 127.0.0.1, and runs
`operations` operations (default 200, at most 5,000) from `--threads` client threads, in a seeded
weighted mix, for at most `--seconds`:

  portal   an anonymous portal page (home, units, a province, the sign-in page, OIDC discovery)
  signin   a password sign-in over the API at the real argon2 cost (CSRF token, then the sign-in)
  submit   a new organization request over the API, created then submitted (stepped-up session)
  approve  an officer's approval over the API (a seeded request, or one a client submitted)
  import   a registry CSV of 5 rows uploaded on the partner page, imported by the worker (until done)
  token    the token endpoint, client credentials (RFC 6749 §4.4)
  code     the authorization-code flow: authorize page, consent, code exchange (PKCE)

An operation's time covers all its requests. Afterwards every write the client was told succeeded is
looked for in the database (sessions of the sign-ins, requests submitted and approved with their
organization, import jobs completed with their records, access tokens of the code flows), the audit
chain is verified, and the peak resident memory (VmHWM, sampled during the run) of each server and
worker process is read from /proc. Targets: 0 errors, 0 lost writes, <= 150 MB per process; the exit
code is 1 when one is missed. Loopback only; bounded by the count, the time cap and per-request timeouts.
Server and worker run from compiled modules (a bytecode cache of the bench's own, made once), as
`make install` ships them; `--no-bytecode` runs them as this environment has its modules.
"""

from __future__ import annotations

import argparse
import base64
import http.client
import json
import logging
import os
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

import oidc_vs_peer as base
from procs import tree

ROOT = Path(__file__).resolve().parents[1]
WEIGHTS = {"portal": 30, "signin": 10, "submit": 15, "approve": 12, "import": 3, "token": 18, "code": 12}
PORTAL = ["/", "/units/", "/units/91/", "/signin/", "/.well-known/openid-configuration"]
MAX_OPERATIONS = 5000
MEMORY_TARGET_MB = 150
COMMUNE, PROVINCE = "30292", "91"  # An Giang: the officers' commune, the clerks' province
TIMEOUT = 30.0
IMPORT_WAIT = 60.0
IMPORT_ROWS = 5
SEED = 20260416


# --- the site --------------------------------------------------------------------------------------------


@dataclass
class Site:
    workdir: Path
    env: dict[str, str]
    port: int
    database: str = ""  # the PostgreSQL database made for this run, dropped at the end
    admin_url: str = ""

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def bytecode_cache() -> Path:
    """Compiled modules of the project and its dependencies in a cache dir of the bench's own
    (PYTHONPYCACHEPREFIX), made once: what a site that ships bytecode runs. Without it, and with
    PYTHONDONTWRITEBYTECODE or a read-only virtualenv, every process compiles every module it imports,
    which costs time and, for large data modules, memory."""
    cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "dinhdanh-bench" / "pycache"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(cache)
    packages = [sysconfig.get_paths()["purelib"], str(ROOT / "src")]
    subprocess.run(  # noqa: S603 - our interpreter, the standard library's compileall
        [sys.executable, "-m", "compileall", "-q", "-j", "2", *packages], env=env, check=False,
        stdout=subprocess.DEVNULL, timeout=900,
    )  # fmt: skip
    return cache


def make_site(workdir: Path, *, bytecode: bool) -> Site:
    port = base.free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "DINHDANH_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="dinhdanh.settings.dev", DINHDANH_DATA_DIR=str(workdir / "data"),
        DINHDANH_ISSUER=f"http://127.0.0.1:{port}", DINHDANH_TASK_BACKEND="database",
        PYTHONPATH=os.pathsep.join([str(ROOT), str(ROOT / "src")]),
    )  # fmt: skip
    if bytecode:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(bytecode_cache())
    site = Site(workdir=workdir, env=env, port=port)
    given = os.environ.get("DATABASE_URL", "")
    if given:
        import psycopg

        site.admin_url, site.database = given, f"dinhdanh_mixed_load_{os.getpid()}"
        with psycopg.connect(given, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{site.database}" WITH (FORCE)')
            admin.execute(f'CREATE DATABASE "{site.database}"')
        env["DATABASE_URL"] = urlunsplit(urlsplit(given)._replace(path=f"/{site.database}"))
    return site


def drop_database(site: Site) -> None:
    if site.database:
        import psycopg

        with psycopg.connect(site.admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{site.database}" WITH (FORCE)')


def launch(site: Site, name: str, *args: str) -> subprocess.Popen[bytes]:
    with (site.workdir / f"{name}.log").open("wb") as log:
        return subprocess.Popen(  # noqa: S603 - our interpreter, our command
            [sys.executable, "-m", "dinhdanh", *args], env=site.env, cwd=ROOT, stdout=log,
            stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip


def wait_ready(site: Site, server: subprocess.Popen[bytes], log: str = "server") -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("the server exited: " + (site.workdir / f"{log}.log").read_text()[-800:])
        try:
            if httpx.get(f"{site.base}/readyz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise RuntimeError("the server never became ready")


# --- seed ------------------------------------------------------------------------------------------------


@dataclass
class Seeded:
    applicants: list[tuple[str, str]]  # (session key, personal ID number)
    officers: list[str]
    clerks: list[str]
    signins: list[str]  # personal ID numbers, password tests.conftest.PASSWORD
    flows: list[base.CodeFlow]
    basic_auth: str
    decisions: list[int]  # submitted requests waiting for a decision


def seed(site: Site, threads: int, decisions: int) -> Seeded:
    """Through the services and the test helpers, in this process (then its connections are closed)."""
    os.environ.update(
        {k: v for k, v in site.env.items() if k.startswith(("DJANGO_", "DATABASE_URL", "DINHDANH_"))}
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    logging.getLogger("httpx").setLevel(logging.WARNING)  # Django's logging configuration says INFO
    from django.core.management import call_command
    from django.db import connections
    from django.test import Client as Browser
    from tests.applications.support import commune, province, start
    from tests.conftest import make_user, signed_in

    from dinhdanh.applications import services as applications
    from dinhdanh.core.services import role_grant
    from dinhdanh.federation import keys
    from dinhdanh.federation.clients import client_register
    from dinhdanh.geo.models import AdministrativeUnit
    from dinhdanh.geo.services import units_load
    from dinhdanh.people.models import AccountLevel, User
    from dinhdanh.people.permissions import PeopleRole
    from dinhdanh.people.services import user_create
    from dinhdanh.registries.permissions import RegistryRole

    call_command("migrate", verbosity=0)
    if not AdministrativeUnit.objects.exists():
        units_load(actor=None)
    keys.keys_maintain()

    def account(pid: str, name: str) -> User:  # no password: signed in by the test helper, not a hash
        return user_create(actor=None, personal_id=pid, full_name=name, password=None, level=AccountLevel.LEVEL_2)

    def session(user: User) -> str:
        return str(signed_in(Browser(), user).session.session_key)

    applicants = [(f"0910941{n:05d}", account(f"0910941{n:05d}", f"Người Nộp {n}")) for n in range(threads)]
    officers = [account(f"0910942{n:05d}", f"Cán Bộ Thẩm Định {n}") for n in range(threads)]
    clerks = [account(f"0910943{n:05d}", f"Cán Bộ Đối Tác {n}") for n in range(threads)]
    for officer in officers:
        role_grant(actor=None, user=officer, role=PeopleRole.REVIEWING_OFFICER, unit=commune(COMMUNE))
    for clerk in clerks:
        role_grant(
            actor=None,
            user=clerk,
            role=RegistryRole.PARTNER_CLERK,
            unit=province(PROVINCE),
            partner_source="business",
        )
    signins = [f"0910944{n:05d}" for n in range(threads)]
    for n, pid in enumerate(signins):
        make_user(f"Người Đăng Nhập {n}", personal_id=pid)
    ours = base.Ours(workdir=site.workdir, env=site.env, port=site.port, server_name="gunicorn")
    flows = [base.CodeFlow(ours, personal_id=f"0910945{n:05d}") for n in range(threads)]
    client, secret = client_register(
        actor=None,
        name="Hệ thống đo tải",
        redirect_uris=[base.RP],
        scopes=["openid", "verify.organization", "verify.member"],
    )
    assert secret is not None
    waiting = []
    pid = "091094600000"
    applicant = account(pid, "Người Nộp Trước")
    for n in range(decisions):
        draft = start(applicant, pid, name=f"Công ty TNHH Chờ Duyệt {n}", code=tax_code(n, 6_000_000))
        waiting.append(applications.application_submit(actor=applicant, application=draft).pk)
    seeded = Seeded(
        applicants=[(session(user), pid) for pid, user in applicants],
        officers=[session(user) for user in officers],
        clerks=[session(user) for user in clerks],
        signins=signins,
        flows=flows,
        basic_auth=base.basic(client.client_id, secret),
        decisions=waiting,
    )
    connections.close_all()
    return seeded


def tax_code(n: int, offset: int) -> str:
    """The ``n``-th valid 10-digit tax code from ``offset`` (each kind of write has a range of its own)."""
    from stdnum.vn import mst

    serial = offset + n * 3
    while True:
        body = f"0{serial:08d}"
        code = body + mst.calc_check_digit(body)
        if mst.is_valid(code):
            return code
        serial += 1


# --- the load --------------------------------------------------------------------------------------------


@dataclass
class Outcome:
    kind: str
    seconds: float
    ok: bool
    detail: str = ""


@dataclass
class Ledger:
    """What the clients were told succeeded, to be found in the database afterwards."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    signins: dict[str, int] = field(default_factory=dict)
    submitted: list[int] = field(default_factory=list)
    approved: list[int] = field(default_factory=list)
    jobs: list[int] = field(default_factory=list)
    records: list[str] = field(default_factory=list)
    jtis: list[str] = field(default_factory=list)
    decisions: deque[int] = field(default_factory=deque)
    serial: int = 0

    def next_serial(self) -> int:
        with self.lock:
            self.serial += 1
            return self.serial


class UnexpectedError(Exception):
    pass


def expect(answer: httpx.Response, status: int) -> dict[str, Any]:
    if answer.status_code != status:
        raise UnexpectedError(
            f"{answer.request.method} {answer.request.url.path}: {answer.status_code} {answer.text[:160]!r}"
        )
    return dict(answer.json()) if "json" in answer.headers.get("content-type", "") else {}


def submit_request(
    client: httpx.Client, headers: dict[str, str], *, name: str, code: str, representative: tuple[str, str]
) -> int:
    """A new organization request over the API, created then submitted by its representative
    (``representative``: name, personal ID number); its id."""
    data = {
        "name": name, "code": code, "head_office_code": COMMUNE, "street": "Số 1 đường Mạc Cửu",
        "representative_name": representative[0], "representative_id": representative[1],
        "representative_position": "Giám đốc",
    }  # fmt: skip
    body = {"kind": "new", "channel": "online", "capacity": "representative", "category": "enterprise"}
    made = expect(client.post("/api/v1/applications/", json={**body, "data": data}, headers=headers), 201)
    sent = expect(client.post(f"/api/v1/applications/{made['id']}/submit", json={}, headers=headers), 200)
    if sent.get("status") not in {"submitted", "checking"}:
        raise UnexpectedError(f"submitted request is {sent.get('status')}")
    return int(made["id"])


def approve_request(client: httpx.Client, headers: dict[str, str], number: int) -> None:
    """An officer's approval over the API; the organization must come out issued."""
    answer = client.post(
        f"/api/v1/applications/{number}/approve",
        json={"note": "Đủ điều kiện", "acknowledge_failed_checks": True},
        headers=headers,
    )
    done = expect(answer, 200)
    if done.get("status") != "approved" or not done.get("organization_eid"):
        raise UnexpectedError(f"approval answered {done.get('status')}")


class Actor:
    """One client thread: its own sessions (an applicant, an officer, a clerk, a person at a relying
    party) and connections."""

    def __init__(self, site: Site, seeded: Seeded, n: int, ledger: Ledger) -> None:
        self.site, self.ledger, self.n = site, ledger, n
        self.rng = random.Random(SEED + n)
        self.anonymous = httpx.Client(base_url=site.base, timeout=TIMEOUT)
        key, self.applicant_pid = seeded.applicants[n]
        self.applicant = self._signed_in(key)
        self.officer = self._signed_in(seeded.officers[n])
        self.clerk = self._signed_in(seeded.clerks[n])
        self.login = seeded.signins[n]
        self.flow = seeded.flows[n]
        self.basic_auth = seeded.basic_auth
        self.tokens: dict[int, str] = {}

    def _signed_in(self, session_key: str) -> httpx.Client:
        return httpx.Client(base_url=self.site.base, timeout=TIMEOUT, cookies={"dinhdanh_session": session_key})

    def _csrf(self, client: httpx.Client) -> dict[str, str]:
        if id(client) not in self.tokens:
            self.tokens[id(client)] = expect(client.get("/api/v1/auth/csrf"), 200)["csrf_token"]
        return {"X-CSRFToken": self.tokens[id(client)], "Referer": self.site.base + "/"}

    def close(self) -> None:
        for client in (self.anonymous, self.applicant, self.officer, self.clerk):
            client.close()
        self.flow.conn.close()

    # each returns when the server said "done"; UnexpectedError (or a transport error) otherwise

    def portal(self) -> None:
        self.anonymous.cookies.clear()
        expect(self.anonymous.get(self.rng.choice(PORTAL)), 200)

    def signin(self) -> None:
        from tests.conftest import PASSWORD

        with httpx.Client(base_url=self.site.base, timeout=TIMEOUT) as fresh:
            token = expect(fresh.get("/api/v1/auth/csrf"), 200)["csrf_token"]
            body = expect(
                fresh.post(
                    "/api/v1/auth/signin",
                    json={"personal_id": self.login, "password": PASSWORD},
                    headers={"X-CSRFToken": token, "Referer": self.site.base + "/"},
                ),
                200,
            )
        if body.get("status") != "signed_in":
            raise UnexpectedError(f"sign-in answered {body}")
        with self.ledger.lock:
            self.ledger.signins[self.login] = self.ledger.signins.get(self.login, 0) + 1

    def submit(self) -> None:
        serial = self.ledger.next_serial()
        number = submit_request(
            self.applicant,
            self._csrf(self.applicant),
            name=f"Công ty TNHH Tải Hỗn Hợp {serial}",
            code=tax_code(serial, 7_000_000),
            representative=(f"Người Nộp {self.n}", self.applicant_pid),
        )
        with self.ledger.lock:
            self.ledger.submitted.append(number)
            self.ledger.decisions.append(number)

    def approve(self) -> None:
        with self.ledger.lock:
            if not self.ledger.decisions:
                raise UnexpectedError("no request left to decide")
            number = self.ledger.decisions.popleft()
        approve_request(self.officer, self._csrf(self.officer), number)
        with self.ledger.lock:
            self.ledger.approved.append(number)

    def import_(self) -> None:
        from tests.registries.web.support import csv_bytes

        serial = self.ledger.next_serial()
        codes = [tax_code(serial * IMPORT_ROWS + i, 8_000_000) for i in range(IMPORT_ROWS)]
        rows = [[c, f"Công ty TNHH Danh Sách {c}", "17/05/2019", COMMUNE, "Đang hoạt động"] for c in codes]
        headers = {**self._csrf(self.clerk), "X-Requested-With": "XMLHttpRequest"}
        answer = self.clerk.post(
            "/registries/upload/",
            data={"source": "business", "coverage": "partial", "territory": ""},
            files={"file": (f"dn-{serial}.csv", csv_bytes(rows), "text/csv")},
            headers=headers,
        )
        job = expect(answer, 201)
        deadline = time.monotonic() + IMPORT_WAIT
        while time.monotonic() < deadline:
            status = expect(self.clerk.get(job["status_url"], headers={"X-Requested-With": "XMLHttpRequest"}), 200)
            if status.get("status") == "completed":
                if (status.get("summary") or {}).get("accepted") != IMPORT_ROWS:
                    raise UnexpectedError(f"import accepted {(status.get('summary') or {}).get('accepted')}")
                with self.ledger.lock:
                    self.ledger.jobs.append(int(job["job"]))
                    self.ledger.records += codes
                return
            if status.get("status") == "failed":
                raise UnexpectedError(f"import failed: {status.get('error')}")
            time.sleep(0.2)
        raise UnexpectedError(f"import not done after {IMPORT_WAIT:.0f} s")

    def token(self) -> None:
        answer = self.anonymous.post(
            "/oauth/token", data={"grant_type": "client_credentials"}, headers={"Authorization": self.basic_auth}
        )
        if not expect(answer, 200).get("access_token"):
            raise UnexpectedError("no access token")

    def code(self) -> None:
        self.flow.conn.close()  # a fresh connection: the server closes idle keep-alive ones after 2 s
        try:
            body = self.flow.one()
        except (RuntimeError, OSError, http.client.HTTPException) as exc:
            raise UnexpectedError(f"code flow: {exc}") from exc
        payload = str(body["access_token"]).split(".")[1]
        jti = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))["jti"]
        with self.ledger.lock:
            self.ledger.jtis.append(str(jti))


def schedule(count: int, skip: list[str]) -> list[str]:
    rng = random.Random(SEED)
    kinds = [k for k in WEIGHTS if k not in skip]
    return rng.choices(kinds, weights=[WEIGHTS[k] for k in kinds], k=count)


def run_load(actors: list[Actor], plan: list[str], seconds: float) -> tuple[list[Outcome], float]:
    outcomes: list[Outcome] = []
    lock = threading.Lock()
    queue = iter(plan)
    deadline = time.monotonic() + seconds

    def client(actor: Actor) -> None:
        operations: dict[str, Callable[[], None]] = {
            "portal": actor.portal, "signin": actor.signin, "submit": actor.submit, "approve": actor.approve,
            "import": actor.import_, "token": actor.token, "code": actor.code,
        }  # fmt: skip
        while time.monotonic() < deadline:
            with lock:
                kind = next(queue, None)
            if kind is None:
                return
            began = time.perf_counter()
            try:
                operations[kind]()
                outcome = Outcome(kind, time.perf_counter() - began, ok=True)
            except (UnexpectedError, httpx.HTTPError, ValueError, KeyError) as exc:
                outcome = Outcome(
                    kind, time.perf_counter() - began, ok=False, detail=f"{type(exc).__name__}: {exc}"
                )
            with lock:
                outcomes.append(outcome)

    started = time.perf_counter()
    workers = [threading.Thread(target=client, args=(actor,), daemon=True) for actor in actors]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=seconds + IMPORT_WAIT + 4 * TIMEOUT)
    return outcomes, time.perf_counter() - started


# --- memory ----------------------------------------------------------------------------------------------


class MemorySampler:
    """Peak resident memory (VmHWM) of every process of the server's and the worker's trees, sampled
    every half second, so a child that ends before the run does is counted too."""

    def __init__(self, roots: dict[str, int]) -> None:
        self.roots = roots
        self.peaks: dict[tuple[str, int], float] = {}
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._loop, daemon=True)

    def _loop(self) -> None:
        while not self.stopped.wait(0.5):
            self.sample()

    def sample(self) -> None:
        for label, root in self.roots.items():
            for pid in tree(root):
                try:
                    status = Path(f"/proc/{pid}/status").read_text()
                except (FileNotFoundError, ProcessLookupError):
                    continue
                found = re.search(r"VmHWM:\s+(\d+) kB", status)
                if found:
                    name = label if pid == root else f"{label} (child {pid})"
                    key = (name, pid)
                    self.peaks[key] = max(self.peaks.get(key, 0.0), int(found.group(1)) / 1024)

    def __enter__(self) -> MemorySampler:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopped.set()
        self.thread.join(timeout=5)
        self.sample()


# --- lost writes -----------------------------------------------------------------------------------------


def lost_writes(ledger: Ledger) -> tuple[dict[str, tuple[int, int]], str]:
    """(writes the clients were told succeeded, of which not found) per kind; and the audit verdict."""
    from django.db import connections

    from dinhdanh.applications.models import Application, Status
    from dinhdanh.core import audit
    from dinhdanh.federation.models import AccessToken
    from dinhdanh.people.logins import login_digest
    from dinhdanh.people.models import AccountSession
    from dinhdanh.registries.models import ImportJob, JobStatus, Record

    connections.close_all()  # the database as the server left it
    found: dict[str, tuple[int, int]] = {}
    told = sum(ledger.signins.values())
    sessions = AccountSession.objects.filter(
        user__login_digest__in=[login_digest(p) for p in ledger.signins]
    ).count()
    found["signin"] = (told, max(0, told - sessions))
    submitted = Application.objects.filter(pk__in=ledger.submitted).exclude(status=Status.DRAFT).count()
    found["submit"] = (len(ledger.submitted), len(ledger.submitted) - submitted)
    approved = Application.objects.filter(
        pk__in=ledger.approved, status=Status.APPROVED, organization__isnull=False
    ).count()
    found["approve"] = (len(ledger.approved), len(ledger.approved) - approved)
    jobs = ImportJob.objects.filter(pk__in=ledger.jobs, status=JobStatus.COMPLETED).count()
    records = Record.objects.filter(source="business", code__in=ledger.records).values("code").distinct().count()
    found["import"] = (
        len(ledger.jobs) + len(ledger.records),
        len(ledger.jobs) - jobs + len(ledger.records) - records,
    )
    tokens = AccessToken.objects.filter(jti__in=ledger.jtis).count()
    found["code"] = (len(ledger.jtis), len(ledger.jtis) - tokens)
    checked = audit.verify()
    verdict = (
        f"intact, {checked.checked} events" if checked.ok else f"BROKEN at {checked.broken_seq} ({checked.reason})"
    )
    connections.close_all()
    return found, verdict


# --- report ----------------------------------------------------------------------------------------------


def percentile(ordered: list[float], share: float) -> float:
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))] if ordered else 0.0


def report(
    *,
    args: argparse.Namespace,
    plan: list[str],
    outcomes: list[Outcome],
    wall: float,
    lost: dict[str, tuple[int, int]],
    audit_verdict: str,
    memory: dict[tuple[str, int], float],
    database: str,
) -> bool:  # fmt: skip
    command = " ".join([".venv/bin/python", "bench/mixed_load.py", *sys.argv[1:]])
    print(f"command: {'DATABASE_URL=… ' if database == 'PostgreSQL' else ''}{command}")
    print(
        f"site: {database}; gunicorn, 1 worker process × {args.server_threads} threads; 1 task worker; "
        f"{args.threads} client threads on loopback; {os.cpu_count()} CPUs; argon2id at its configured cost; "
        f"modules {'compiled, as make install ships them' if args.bytecode else 'as this environment has them (--no-bytecode)'}"
    )
    errors = [o for o in outcomes if not o.ok]
    print(
        f"\n{len(outcomes)} of {len(plan)} operations in {wall:.1f} s: {len(outcomes) / wall:.2f} ops/s; "
        f"errors {len(errors)}; not started (time cap) {len(plan) - len(outcomes)}"
    )
    print(
        f"\n  {'kind':<8} {'ops':>5} {'ops/s':>7} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7} {'writes':>7} {'lost':>5}"
    )
    for kind in WEIGHTS:
        mine = [o for o in outcomes if o.kind == kind]
        times = sorted(o.seconds * 1000 for o in mine if o.ok)
        writes, missing = lost.get(kind, (0, 0))
        print(
            f"  {kind:<8} {len(mine):>5} {len(mine) / wall:>7.2f} {statistics.median(times) if times else 0:>8.0f} "
            f"{percentile(times, 0.99):>8.0f} {sum(not o.ok for o in mine):>7} "
            f"{writes if kind in lost else '-':>7} {missing if kind in lost else '-':>5}"
        )
    for detail in sorted({f"{o.kind}: {o.detail}" for o in errors})[:10]:
        print(f"  error: {detail}")
    lost_total = sum(missing for _writes, missing in lost.values())
    print(f"\nlost writes: {lost_total}; audit chain: {audit_verdict}")
    print("peak resident memory (VmHWM) per process:")
    for (name, pid), mb in sorted(memory.items(), key=lambda item: item[0][1]):
        print(f"  {name:<32} pid {pid:<8} {mb:6.0f} MB")
    heaviest = max(memory.values(), default=0.0)
    passed = not errors and lost_total == 0 and heaviest <= MEMORY_TARGET_MB and "intact" in audit_verdict
    print(
        f"\nverdict: {'PASS' if passed else 'FAIL'} (targets: 0 errors → {len(errors)}; 0 lost writes → {lost_total}; "
        f"≤ {MEMORY_TARGET_MB} MB per process → {heaviest:.0f} MB at most)"
    )
    return passed


def stop(process: subprocess.Popen[bytes]) -> None:
    try:
        base.stop(process)
    except ProcessLookupError:
        pass
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("operations", type=int, nargs="?", default=200, help="operations (default 200)")
    parser.add_argument("--seconds", type=float, default=120.0, help="time cap of the load (default 120)")
    parser.add_argument("--threads", type=int, default=8, help="client threads (default 8)")
    parser.add_argument("--server-threads", type=int, default=4, help="threads of the server process (default 4)")
    parser.add_argument(
        "--skip",
        action="append",
        default=[],
        choices=list(WEIGHTS),
        help="leave a kind out of the mix (repeatable)",
    )
    parser.add_argument(
        "--bytecode",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="server and worker run from compiled modules, as `make install` ships them (default); "
        "--no-bytecode: as this environment has them",
    )
    parser.add_argument("--keep", action="store_true", help="keep the work dir (logs) and the database")
    args = parser.parse_args()
    args.operations = max(1, min(args.operations, MAX_OPERATIONS))
    args.threads = max(1, min(args.threads, 64))
    plan = schedule(args.operations, args.skip)
    workdir = Path(tempfile.mkdtemp(prefix="dinhdanh-bench-mixed-"))
    site = make_site(workdir, bytecode=args.bytecode)
    database = "PostgreSQL" if site.database else "SQLite"
    processes: list[subprocess.Popen[bytes]] = []
    actors: list[Actor] = []
    try:
        began = time.perf_counter()
        seeded = seed(site, args.threads, decisions=plan.count("approve"))
        print(f"seeded in {time.perf_counter() - began:.0f} s ({workdir})", flush=True)
        server = launch(
            site, "server", "serve", "--bind", f"127.0.0.1:{site.port}", "--workers", "1",
            "--threads", str(args.server_threads),
        )  # fmt: skip
        processes.append(server)
        worker = launch(site, "worker", "worker", "--interval", "0.2")
        processes.append(worker)
        wait_ready(site, server)
        ledger = Ledger(decisions=deque(seeded.decisions))
        actors = [Actor(site, seeded, n, ledger) for n in range(args.threads)]
        with MemorySampler({"server": server.pid, "task worker": worker.pid}) as sampler:
            outcomes, wall = run_load(actors, plan, args.seconds)
        lost, audit_verdict = lost_writes(ledger)
        passed = report(
            args=args,
            plan=plan,
            outcomes=outcomes,
            wall=wall,
            lost=lost,
            audit_verdict=audit_verdict,
            memory=sampler.peaks,
            database=database,
        )
    finally:
        for actor in actors:
            actor.close()
        for process in reversed(processes):
            stop(process)
        if not args.keep:
            drop_database(site)
            shutil.rmtree(workdir, ignore_errors=True)
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())

"""Public reads per server CPU-second through the production server (issue 17.3, decision 0050).

    .venv/bin/python bench/public_reads.py [--seconds 2] [--no-rate-limits]
    DATABASE_URL=postgres://dinhdanh:dinhdanh@127.0.0.1:5432/dinhdanh_a .venv/bin/python bench/public_reads.py

The site: a fresh SQLite data dir (migrated with the units loaded once, then copied from a cache dir of the
bench's own), or the PostgreSQL database DATABASE_URL names (migrated, units loaded if missing). Settings:
``dinhdanh.settings.dev`` with production's HTTPS posture (behind a TLS proxy: X-Forwarded-Proto, SSL
redirect, HSTS, secure cookies); rate limits off as in dev (one client address), except in the row that
says so. Servers on 127.0.0.1 pinned to core 0, the load generator (``oidc_vs_peer.load``: raw keep-alive
HTTP/1.1, 32 connections, bounded by a request count and a deadline) on core 1. A rate is requests per
second of the server processes' CPU time (/proc: user + system), so a rate per core whatever else runs;
the database server's own CPU (PostgreSQL) is not in it.

  lean        ``dinhdanh serve --workers 1 --threads 4`` (gunicorn gthread, access log on, as shipped):
              ``dinhdanh.wsgi``, the lean path of public reads in front
  django      the same server and composition without the lean path of public reads: Django's whole handler
              (the views still keep their bodies per version, so this is already faster than before 17.3)
  noop        a WSGI app that answers 12 bytes, under the same gunicorn: the server's own ceiling
  limits      ``dinhdanh serve`` with rate limits on, counted in Redis (as production counts them), if
              Redis answers on 127.0.0.1:6379

Each read is measured plain (200) and revalidated (``If-None-Match`` with its ETag: 304). A page's validator
names the reader's CSRF cookie, so its 304 comes with that cookie (taken by the lean path since it is the only cookie).
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import os
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import oidc_vs_peer as base
from layers import load_average
from procs import cpu_seconds, largest_rss_mib

ROOT = Path(__file__).resolve().parents[1]
CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "dinhdanh-bench" / "public-reads"
MAX_REQUESTS = 100_000  # per measured run, whatever the duration
COOKIE = "csrftoken=" + "b" * 32  # a reader who holds a CSRF cookie already (the page's 304)
TARGET = 2000
ALL_CORES = os.sched_getaffinity(0)  # the servers start from here: base.start pins them to SERVER_CORE
READS = (  # (name, path)
    ("units detail", "/api/v1/units/2008/province/91"),
    ("units list", "/api/v1/units?level=province"),
    ("discovery", "/.well-known/openid-configuration"),
    ("JWKS", "/.well-known/jwks.json"),
    ("units page", "/units/91/"),
)
SETTINGS = """\
from dinhdanh.settings.dev import *  # noqa: F403

# Production's HTTPS posture behind a TLS proxy (settings.production), without its static manifest.
SECURE_SSL_REDIRECT = True
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = 31536000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = LANGUAGE_COOKIE_SECURE = True
LOGGING["root"]["level"] = "ERROR"  # noqa: F405
"""
ENTRY = """\
from django.core.wsgi import get_wsgi_application

from dinhdanh.federation.fastpath import wrap
from dinhdanh.http.ratelimits import wrap as limit_rates

# dinhdanh.wsgi's composition without the lean path of public reads: Django's whole handler answers them.
django_path = limit_rates(wrap(get_wsgi_application()))
"""
NOOP = """\
def application(environ, start_response):
    body = b'{"ok": true}'
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]
"""


@dataclass(frozen=True)
class Row:
    name: str
    rate: float
    wall_rate: float
    p50_ms: float
    p99_ms: float
    rss_mib: float
    requests: int


@dataclass
class Site:
    workdir: Path
    env: dict[str, str]
    database: str


def _migrations_digest() -> str:
    digest = hashlib.sha256()
    for path in sorted((ROOT / "src" / "dinhdanh").glob("*/migrations/*.py")):
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()[:16]


def prepare(workdir: Path) -> Site:
    """Migrated, the units loaded, signing keys made; in this process (the servers are others)."""
    (workdir / "bench_settings.py").write_text(SETTINGS)
    (workdir / "bench_entry.py").write_text(ENTRY)
    (workdir / "bench_noop.py").write_text(NOOP)
    data = workdir / "data"
    data.mkdir()
    postgres = bool(os.environ.get("DATABASE_URL"))
    template = CACHE / f"{_migrations_digest()}.sqlite3"
    if not postgres and template.exists():
        shutil.copyfile(template, data / "dinhdanh.sqlite3")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DINHDANH_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="bench_settings", DINHDANH_DATA_DIR=str(data),
        PYTHONPATH=os.pathsep.join([str(workdir), *filter(None, [os.environ.get("PYTHONPATH")])]),
    )  # fmt: skip
    os.environ.update({k: env[k] for k in ("DJANGO_SETTINGS_MODULE", "DINHDANH_DATA_DIR")})
    sys.path.insert(0, str(workdir))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from dinhdanh.federation import keys
    from dinhdanh.geo.models import AdministrativeUnit
    from dinhdanh.geo.services import units_load

    call_command("migrate", verbosity=0)
    if not AdministrativeUnit.objects.exists():
        units_load(actor=None)
    keys.keys_maintain()
    if not postgres and not template.exists():
        connection.close()
        with sqlite3.connect(data / "dinhdanh.sqlite3") as db:
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        template.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(data / "dinhdanh.sqlite3", template)
    connection.close()
    return Site(workdir, env, "PostgreSQL" if postgres else "SQLite")


def serve(site: Site, name: str, app: str, port: int, **extra: str) -> subprocess.Popen[bytes]:
    """``dinhdanh serve`` for the production entry point, else gunicorn with the flags it passes."""
    env = {**site.env, **extra}
    if app == "dinhdanh.wsgi:application":
        command = [sys.executable, "-m", "dinhdanh", "serve", "--bind", f"127.0.0.1:{port}", "--workers", "1",
                   "--threads", "4"]  # fmt: skip
    else:
        command = [
            sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "1", "--worker-class",
            "gthread", "--threads", "4", "--access-logfile", "-", "--forwarded-allow-ips", "127.0.0.1", app,
        ]  # fmt: skip
    mine = os.sched_getaffinity(0)
    os.sched_setaffinity(0, ALL_CORES)  # else the server would inherit the generator's core
    try:
        return base.start(command, env=env, cwd=site.workdir, port=port, log=site.workdir / f"{name}.log")
    finally:
        os.sched_setaffinity(0, mine)


def request(path: str, port: int, **headers: str) -> bytes:
    lines = [f"GET {path} HTTP/1.1", f"Host: 127.0.0.1:{port}", "X-Forwarded-Proto: https", "Accept-Language: vi"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def etag_of(port: int, path: str, **headers: str) -> str:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path, headers={"X-Forwarded-Proto": "https", "Accept-Language": "vi", **headers})
        answer = connection.getresponse()
        answer.read()
        if answer.status != 200 or not answer.getheader("ETag"):
            raise RuntimeError(f"{path}: {answer.status}, ETag {answer.getheader('ETag')!r}")
        return str(answer.getheader("ETag"))
    finally:
        connection.close()


def measure(
    name: str, server: subprocess.Popen[bytes], port: int, raw: bytes, seconds: float, *, expect: int
) -> Row:
    base.load(port, base.cycle([raw]), count=300, seconds=1)  # warm-up: the first answer is Django's, then kept
    before = cpu_seconds(server.pid)
    run = base.load(port, base.cycle([raw]), count=MAX_REQUESTS, seconds=seconds)
    used = cpu_seconds(server.pid) - before
    wrong = {status: n for status, n in run.errors.items() if status != expect}
    if wrong or (expect != 200 and run.errors.get(expect) != run.done):
        raise RuntimeError(f"{name}: answers other than {expect}: {run.errors}")
    ordered = sorted(run.latencies)
    return Row(
        name=name, rate=run.done / max(used, 1e-9), wall_rate=run.done / run.wall,
        p50_ms=statistics.median(ordered) * 1000, p99_ms=ordered[int(len(ordered) * 0.99)] * 1000,
        rss_mib=largest_rss_mib(server.pid), requests=run.done,
    )  # fmt: skip


def reads(server: subprocess.Popen[bytes], port: int, seconds: float, label: str) -> dict[str, Row]:
    rows: dict[str, Row] = {}
    for name, path in READS:
        rows[name] = measure(f"{name} ({label})", server, port, request(path, port), seconds, expect=200)
        page = path.startswith("/units/")
        cookie = {"Cookie": COOKIE} if page else {}
        etag = etag_of(port, path, **cookie)
        revalidated = request(path, port, **{"If-None-Match": etag, **cookie})
        rows[f"{name} 304"] = measure(f"{name}, 304 ({label})", server, port, revalidated, seconds, expect=304)
    return rows


def redis_answers() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        return False
    return True


def run(site: Site, seconds: float, *, limits: bool) -> dict[str, dict[str, Row]]:
    table: dict[str, dict[str, Row]] = {}
    for label, app in (("lean", "dinhdanh.wsgi:application"), ("django", "bench_entry:django_path")):
        port = base.free_port()
        server = serve(site, label, app, port)
        try:
            table[label] = reads(server, port, seconds if label == "lean" else seconds / 2, label)
        finally:
            base.stop(server)
    port = base.free_port()
    server = serve(site, "noop", "bench_noop:application", port)
    try:
        table["noop"] = {"noop": measure("noop", server, port, request("/", port), seconds, expect=200)}
    finally:
        base.stop(server)
    if limits and redis_answers():
        port = base.free_port()
        counted = {
            "DINHDANH_RATE_LIMITS": "1", "DINHDANH_CACHE_URL": "redis://127.0.0.1:6379/14",
            "DINHDANH_RATE_LIMIT_READ": "100000000/m",  # counted, never refused: the count is what costs
        }  # fmt: skip
        server = serve(site, "limits", "dinhdanh.wsgi:application", port, **counted)
        try:
            raw = request(READS[0][1], port)
            table["limits"] = {
                "units detail": measure("units detail (limits, Redis)", server, port, raw, seconds, expect=200)
            }
        finally:
            base.stop(server)
    return table


def report(site: Site, table: dict[str, dict[str, Row]], args: argparse.Namespace) -> None:
    noop = table["noop"]["noop"].rate
    database = os.environ.get("DATABASE_URL", "")
    named = f"DATABASE_URL={database.split('@')[-1]} " if database else ""  # the host and name, no password
    print(f"command: {named}{' '.join([Path(sys.executable).name, *sys.argv])}")
    print(f"{load_average()} (at the end)")
    print(
        f"site: {site.database}; server: gunicorn gthread, 1 worker × 4 threads, access log on; load: "
        f"{base.CONNECTIONS} keep-alive connections; server on core {base.SERVER_CORE}, generator on core {base.LOAD_CORE}"
    )
    print(
        f"\n  {'read':<34} {'req/CPU-s':>9} {'× django':>8} {'of noop':>7}  {'req/s':>7}  {'p50 ms':>6} {'p99 ms':>7}  {'RSS MiB':>7}"
    )
    for key, row in table["lean"].items():
        reference = table["django"].get(key)
        ratio = f"{row.rate / reference.rate:7.2f}x" if reference else "      - "
        mark = "" if row.rate >= TARGET else "  < target"
        print(
            f"  {row.name:<34} {row.rate:>9,.0f} {ratio} {row.rate / noop:>6.0%}  {row.wall_rate:>7,.0f}  "
            f"{row.p50_ms:>6.2f} {row.p99_ms:>7.2f}  {row.rss_mib:>7.0f}{mark}"
        )
    print("  references, same run:")
    for group in ("django", "noop", "limits"):
        for row in table.get(group, {}).values():
            print(
                f"  {row.name:<34} {row.rate:>9,.0f} {'':>8} {row.rate / noop:>6.0%}  {row.wall_rate:>7,.0f}  "
                f"{row.p50_ms:>6.2f} {row.p99_ms:>7.2f}  {row.rss_mib:>7.0f}"
            )
    if args.limits and "limits" not in table:
        print("  (rate limits in Redis: not measured, nothing answers on 127.0.0.1:6379)")
    print(
        f"\nreq/CPU-s: requests per second of the server processes' CPU time (one core); target {TARGET:,}. "
        "× django: against Django's whole\nhandler for the same read (lean path off); of noop: share of the "
        "server's own ceiling. RSS: the largest process (the worker). A units page's 304 carries the reader's\nCSRF cookie "
        "(its only cookie, which the lean path takes)."
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--seconds", type=float, default=2.0, help="measured seconds per lean read (default 2)")
    parser.add_argument("--no-rate-limits", dest="limits", action="store_false", help="skip the Redis row")
    args = parser.parse_args()
    seconds = min(max(args.seconds, 0.5), 30.0)
    workdir = Path(tempfile.mkdtemp(prefix="dinhdanh-public-reads-"))
    try:
        site = prepare(workdir)
        mine = os.sched_getaffinity(0)
        os.sched_setaffinity(0, {base.LOAD_CORE} if base.LOAD_CORE in mine else mine)
        began = time.monotonic()
        table = run(site, seconds, limits=args.limits)
        report(site, table, args)
        print(f"measured in {time.monotonic() - began:.0f} s")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

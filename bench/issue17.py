"""Issue 17's figures on SQLite and PostgreSQL in one bounded run (`make bench-17`; sizes in docs/performance.md).

    .venv/bin/python bench/issue17.py [--only NAME ...] [--sqlite-only]

Runs each issue-17 benchmark at a size that keeps the whole run, both databases, within 10 minutes on
the 2-core machine, one after another: the child's output streams under a header naming the target, the
command and the load average before (and after, with its time and outcome). PostgreSQL is the server
DINHDANH_BENCH_POSTGRES names (default below); its database (a name starting with dinhdanh_b17) is
dropped, re-created and migrated once as a template, and each benchmark gets a fresh copy of it,
``<name>_<benchmark>``, dropped afterwards. When PostgreSQL cannot be used the run says why and goes on
with SQLite. Every child has a timeout; a failing child is reported and the run goes on; the exit code
is 1 when any failed. `--only` keeps the benchmarks whose script name contains one of the given words.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_URL = "postgres://dinhdanh:dinhdanh@127.0.0.1:5432/dinhdanh_b17"
BUDGET = 600  # seconds: issue 17's "fits 10 minutes"
GRACE = 20  # seconds a timed-out child gets after SIGINT to stop its servers and drop what it made


@dataclass(frozen=True)
class Step:
    target: str
    script: str
    args: tuple[str, ...]
    timeout: float
    both: bool = False  # the script runs SQLite, then PostgreSQL when DATABASE_URL is set, itself


STEPS = (
    Step("17.1 registry import", "registry_import.py", ("50000",), 300, both=True),
    Step("17.2 password sign-ins", "signin_throughput.py", ("15",), 120),
    Step("17.2 passkey sign-ins", "passkey_signin.py", ("300",), 120),
    Step("17.3 public reads", "public_reads.py", ("--seconds", "1"), 180),
    Step("17.4 officer pages", "officer_queue.py", ("10000", "10", "100000"), 180),
    Step("17.4 submit and decide", "applications_throughput.py", ("100000", "100", "1000", "--servers", "2"), 240),
    Step("17.5 memory per process", "mixed_load.py", ("200",), 240),
)


@dataclass(frozen=True)
class Outcome:
    target: str
    database: str
    seconds: float
    status: str


def load() -> str:
    return "load average " + " ".join(f"{each:.2f}" for each in os.getloadavg())


def reason(error: Exception) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0]


def shown(url: str) -> str:
    """The URL without its password, for headers and logs."""
    parts = urlsplit(url)
    host = parts.netloc.rsplit("@", 1)[-1]
    user = (parts.username or "") + (":***" if parts.password else "")
    return urlunsplit(parts._replace(netloc=f"{user}@{host}" if user else host))


class Postgres:
    """The bench server: a template database migrated once, and a fresh copy of it per benchmark."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.base = urlsplit(url).path.lstrip("/")

    def url_of(self, name: str) -> str:
        return urlunsplit(urlsplit(self.url)._replace(path=f"/{name}"))

    def _execute(self, name: str, *, create: bool, template: str = "") -> None:
        """DROP (and CREATE, from ``template``) database ``name``, from the server's maintenance database."""
        import psycopg
        from psycopg import sql

        statements = [sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))]
        if create:
            create_sql = "CREATE DATABASE {} TEMPLATE {}" if template else "CREATE DATABASE {}"
            statements.append(sql.SQL(create_sql).format(sql.Identifier(name), sql.Identifier(template)))
        with psycopg.connect(self.url_of("postgres"), autocommit=True, connect_timeout=5) as admin:
            for statement in statements:
                admin.execute(statement)

    def _name(self, suffix: str = "") -> str:
        name = f"{self.base}_{suffix}" if suffix else self.base
        if not re.fullmatch(r"dinhdanh_b17\w*", name):  # never drop a database that is not the bench's
            raise ValueError(f"database {name!r}: the bench only drops and creates dinhdanh_b17*")
        return name

    def prepare(self) -> str | None:
        """The template re-created and migrated; the reason PostgreSQL cannot be used, or None."""
        try:
            name = self._name()
            self._execute(name, create=True)
        except Exception as error:  # any failure means: run SQLite only, and say why
            return f"{shown(self.url)}: {reason(error)}"
        env = children_env()
        env.update(DATABASE_URL=self.url, DJANGO_SETTINGS_MODULE="dinhdanh.settings.dev")
        with tempfile.TemporaryDirectory(prefix="dinhdanh-b17-") as data:
            env["DINHDANH_DATA_DIR"] = data
            print(f"PostgreSQL: migrating the template {name} on {shown(self.url)} …", flush=True)
            try:
                done = subprocess.run(  # our interpreter, our command
                    [sys.executable, "-m", "dinhdanh", "migrate", "-v0"], env=env, cwd=ROOT, timeout=300,
                    capture_output=True, text=True, check=False,
                )  # fmt: skip
            except subprocess.TimeoutExpired:
                return "migrating the template took over 300 s"
        if done.returncode != 0:
            return f"migrating the template failed: {(done.stderr or done.stdout).strip()[-400:]}"
        return None

    def fresh(self, suffix: str) -> str:
        name = self._name(suffix)
        self._execute(name, create=True, template=self._name())
        return self.url_of(name)

    def drop(self, suffix: str = "") -> None:
        try:
            self._execute(self._name(suffix), create=False)
        except Exception as error:  # a leftover database is worth a line, not a failure
            print(f"== could not drop the database {self._name(suffix)}: {reason(error)}", flush=True)


def children_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DINHDANH_DATA_DIR"}}
    env["PYTHONUNBUFFERED"] = "1"  # the output streams as the child prints it
    return env


def descendants(pid: int) -> list[int]:
    """Every process below ``pid``: the servers a bench starts in sessions of their own included."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, IndexError, ValueError):
            parent = int(stat.read_text().rsplit(")", 1)[1].split()[1])
            children.setdefault(parent, []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def stop(child: subprocess.Popen[bytes]) -> None:
    """SIGINT first, so the bench's own cleanup stops its servers; then SIGKILL what is left of its tree."""
    tree = descendants(child.pid)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(child.pid, signal.SIGINT)
    with contextlib.suppress(subprocess.TimeoutExpired):
        child.wait(timeout=GRACE)
    for pid in [child.pid, *tree]:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGKILL)
    child.wait()


def run(step: Step, database: str, url: str | None) -> Outcome:
    env = children_env()
    if url:
        env["DATABASE_URL"] = url
    command = [sys.executable, str(ROOT / "bench" / step.script), *step.args]
    python = os.path.relpath(sys.executable, ROOT) if sys.executable.startswith(str(ROOT)) else sys.executable
    written = " ".join([python, f"bench/{step.script}", *step.args])
    print(f"\n{'=' * 100}\n== {step.target} — {database}", flush=True)
    print(f"== command: {f'DATABASE_URL={shown(url)} ' if url else ''}{written}", flush=True)
    print(f"== {load()} (before)\n{'=' * 100}", flush=True)
    started = time.monotonic()
    child = subprocess.Popen(command, cwd=ROOT, env=env, stdin=subprocess.DEVNULL, start_new_session=True)  # noqa: S603
    try:
        code = child.wait(timeout=step.timeout)
        status = "ok" if code == 0 else f"FAILED (exit {code})"
    except subprocess.TimeoutExpired:
        stop(child)
        status = f"FAILED (timed out after {step.timeout:.0f} s)"
    except KeyboardInterrupt:
        stop(child)
        raise
    seconds = time.monotonic() - started
    print(f"== {step.target} — {database}: {status} in {seconds:.0f} s; {load()} (after)", flush=True)
    return Outcome(step.target, database, seconds, status)


def run_on_postgres(step: Step, postgres: Postgres, database: str) -> Outcome:
    suffix = step.script.removesuffix(".py")
    try:
        url = postgres.fresh(suffix)
    except Exception as error:  # reported as this benchmark's failure; the run goes on
        print(f"\n== {step.target} — {database}: FAILED, no fresh database: {reason(error)}", flush=True)
        return Outcome(step.target, database, 0.0, "FAILED (no fresh database)")
    try:
        return run(step, database, url)
    finally:
        postgres.drop(suffix)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--only", nargs="+", default=[], help="benchmarks whose script name contains a word")
    parser.add_argument("--sqlite-only", action="store_true", help="leave PostgreSQL out")
    args = parser.parse_args()
    steps = [s for s in STEPS if not args.only or any(word in s.script for word in args.only)]
    if not steps:
        parser.error(f"no benchmark matches {args.only}; they are {', '.join(s.script for s in STEPS)}")
    began = time.monotonic()
    print(f"issue 17 benchmarks: {len(steps)} of {len(STEPS)}; {load()} on {os.cpu_count()} CPUs", flush=True)
    server = Postgres(os.environ.get("DINHDANH_BENCH_POSTGRES", DEFAULT_URL))
    skipped = "--sqlite-only" if args.sqlite_only else server.prepare()
    postgres = None if skipped else server
    if skipped:
        print(f"PostgreSQL: skipped ({skipped})", flush=True)
    outcomes: list[Outcome] = []
    try:
        for step in steps:
            if not step.both:  # a script that runs both databases itself is run once, with DATABASE_URL
                outcomes.append(run(step, "SQLite", None))
            if postgres:
                outcomes.append(
                    run_on_postgres(step, postgres, "SQLite + PostgreSQL" if step.both else "PostgreSQL")
                )
            elif step.both:
                outcomes.append(run(step, "SQLite", None))
    finally:
        if postgres:
            postgres.drop()  # the template: the next run makes it anew from the migrations of its day
    total = time.monotonic() - began
    print(f"\n{'=' * 100}\nissue 17 summary\n  {'target':<32} {'database':<20} {'seconds':>7}  outcome")
    for each in outcomes:
        print(f"  {each.target:<32} {each.database:<20} {each.seconds:>7.0f}  {each.status}")
    if skipped:
        print(f"PostgreSQL: skipped ({skipped})")
    failed = sum(not each.status.startswith("ok") for each in outcomes)
    within = "within" if total <= BUDGET else "OVER"
    print(f"total wall time {total:.0f} s (budget {BUDGET} s: {within}); {load()}")
    print(f"{failed} of {len(outcomes)} runs failed" if failed else f"all {len(outcomes)} runs ok", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

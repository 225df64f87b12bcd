"""Sites for tests that run the `dinhdanh` command for real: a fresh data dir, and on the PostgreSQL run
(DATABASE_URL set) a fresh database of its own, dropped when the module ends."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest

from tests.test_cli import Run, dinhdanh

POSTGRES = os.environ.get("DATABASE_URL", "")


@dataclass
class Site:
    data_dir: Path
    env: dict[str, str]

    def run(self, *args: str) -> Run:
        return dinhdanh(list(args), self.data_dir, **self.env)


def _database_url(name: str) -> str:
    return urlunsplit(urlsplit(POSTGRES)._replace(path=f"/{name}"))


def drop_database(admin: Any, name: str) -> None:
    """DROP … WITH (FORCE), again a few times if it is refused: an autovacuum worker that just started on a
    fresh database is a superuser's process, which a non-superuser may not terminate (the worker ends by
    itself within moments)."""
    import psycopg

    for attempt in range(20):  # bounded: at most about 10 s
        try:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            return
        except (psycopg.errors.InsufficientPrivilege, psycopg.errors.ObjectInUse):
            if attempt == 19:
                raise
            time.sleep(0.5)


@pytest.fixture(scope="module")
def databases() -> Iterator[list[str]]:
    """Fresh PostgreSQL databases for the sites of a module (none on SQLite)."""
    made: list[str] = []
    yield made
    if POSTGRES and made:
        import psycopg

        with psycopg.connect(POSTGRES, autocommit=True) as admin:
            for name in made:
                drop_database(admin, name)


def new_site(root: Path, name: str, databases: list[str], **env: str) -> Site:
    if POSTGRES:
        import psycopg

        database = f"dinhdanh_ops_{name}_{os.getpid()}"
        with psycopg.connect(POSTGRES, autocommit=True) as admin:
            drop_database(admin, database)
            admin.execute(f'CREATE DATABASE "{database}"')
        databases.append(database)
        env["DATABASE_URL"] = _database_url(database)
    return Site(root / name, env)


def wait_ready(base: str, limit: float) -> None:
    """Until ``base``/readyz answers 200, at most ``limit`` seconds."""
    import httpx

    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise AssertionError(f"{base} never became ready")

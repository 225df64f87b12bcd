"""Sites for tests that run the `dinhdanh` command for real: a fresh data dir, and on the PostgreSQL run
(DATABASE_URL set) a fresh database of its own, dropped when the module ends."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
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


@pytest.fixture(scope="module")
def databases() -> Iterator[list[str]]:
    """Fresh PostgreSQL databases for the sites of a module (none on SQLite)."""
    made: list[str] = []
    yield made
    if POSTGRES and made:
        import psycopg

        with psycopg.connect(POSTGRES, autocommit=True) as admin:
            for name in made:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def new_site(root: Path, name: str, databases: list[str], **env: str) -> Site:
    if POSTGRES:
        import psycopg

        database = f"dinhdanh_ops_{name}_{os.getpid()}"
        with psycopg.connect(POSTGRES, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
            admin.execute(f'CREATE DATABASE "{database}"')
        databases.append(database)
        env["DATABASE_URL"] = _database_url(database)
    return Site(root / name, env)

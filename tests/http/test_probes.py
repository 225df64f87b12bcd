"""/healthz and /readyz (issue 16.8), in a subprocess against real states of a site: migrated, one
migration behind (a new version started before `dinhdanh migrate`), and its database unreachable."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_cli import dinhdanh

pytestmark = pytest.mark.skipif(bool(os.environ.get("DATABASE_URL")), reason="the embedded SQLite site")

PROBE = """
from django.test import Client
import django
django.setup()
client = Client()
for path in ("/healthz", "/readyz"):
    response = client.get(path, HTTP_HOST="localhost")
    print(path, response.status_code, response["Cache-Control"], response.content.decode().strip())
"""


def probe(data_dir: Path, **env: str) -> dict[str, tuple[int, str]]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "DINHDANH_"))}
    clean.update(DINHDANH_DATA_DIR=str(data_dir), DJANGO_SETTINGS_MODULE="dinhdanh.settings.dev", **env)
    done = subprocess.run(  # noqa: S603 - our own interpreter
        [sys.executable, "-c", PROBE], env=clean, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    found = {}
    for line in done.stdout.splitlines():
        path, status, cache, text = line.split(" ", 3)
        assert cache == "no-store"
        found[path] = (int(status), text)
    return found


def test_ready_when_migrated_unready_one_migration_behind(tmp_path: Path) -> None:
    data_dir = tmp_path / "var"
    assert dinhdanh(["migrate"], data_dir).code == 0
    assert probe(data_dir) == {"/healthz": (200, "ok"), "/readyz": (200, "ready")}
    assert dinhdanh(["migrate", "notifications", "0001"], data_dir).code == 0
    assert probe(data_dir) == {"/healthz": (200, "ok"), "/readyz": (503, "unready: migrations")}


def test_unready_when_the_database_does_not_answer(tmp_path: Path) -> None:
    with socket.socket() as closed:  # a port nothing listens on
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    url = f"postgres://nobody:wrong@127.0.0.1:{port}/none"
    assert probe(tmp_path / "var", DATABASE_URL=url) == {
        "/healthz": (200, "ok"),
        "/readyz": (503, "unready: database"),
    }

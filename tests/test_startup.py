"""Start-up behaviour, in a subprocess with a fresh data directory: private files (issue 10, point 9)
and production settings without collected static files (issue 10, low)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from tests.test_cli import dinhdanh


def modes(root: Path) -> dict[str, int]:
    found = {".": stat.S_IMODE(root.stat().st_mode)}
    for path in root.rglob("*"):
        found[str(path.relative_to(root))] = stat.S_IMODE(path.lstat().st_mode)
    return found


def test_the_data_dir_and_everything_in_it_are_private(tmp_path: Path) -> None:
    data_dir = tmp_path / "var"  # created by the command itself
    run = dinhdanh(["migrate"], data_dir)
    assert run.code == 0, run.err
    found = modes(data_dir)
    assert "dinhdanh.sqlite3" in found
    assert "keys" in found or "secret_key" in found
    wider = {name: oct(mode) for name, mode in found.items() if mode & 0o077}
    assert wider == {}
    checked = dinhdanh(["check"], data_dir)
    assert checked.code == 0
    assert "core.W001" not in checked.out + checked.err


def test_a_data_dir_open_to_others_is_warned_at_start(tmp_path: Path) -> None:
    data_dir = tmp_path / "var"
    assert dinhdanh(["migrate"], data_dir).code == 0
    data_dir.chmod(0o755)
    (data_dir / "dinhdanh.sqlite3").chmod(0o644)
    run = dinhdanh(["check"], data_dir)
    assert run.code == 0  # a warning, not a refusal: the operator may have reasons
    output = run.out + run.err
    assert "core.W001" in output
    assert str(data_dir / "dinhdanh.sqlite3") in output
    assert "chmod" in output


SETTINGS, SECRET = "dinhdanh.settings.production", "vN8q-2xRk_7TzP4wLm9YcB3hJ6dFs1GaQe5UoXiWnVrKpEtMy0Zj"
PRODUCTION = {
    "DJANGO_SETTINGS_MODULE": SETTINGS,
    "DINHDANH_SECRET_KEY": SECRET,
    "DINHDANH_ISSUER": "https://id.example.vn",
    "DINHDANH_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
    "DINHDANH_ONE_PROCESS": "1",
    "DINHDANH_SMS_BACKEND": "gateway.sms.GatewaySmsBackend",  # the operator's own class, not imported at start
}
SERVE_HOME = """
import dinhdanh.wsgi
from django.test import Client
response = Client().get("/", secure=True, HTTP_HOST="localhost")
print(response.status_code, response.content.count(b"/static/"))
"""


def python(code: str, data_dir: Path, **env: str) -> tuple[int, str, str]:
    import subprocess
    import sys

    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "DINHDANH_"))}
    clean.update(DINHDANH_DATA_DIR=str(data_dir), PYTHONIOENCODING="utf-8", **{**PRODUCTION, **env})
    done = subprocess.run(  # noqa: S603 - our own interpreter
        [sys.executable, "-c", code],
        env=clean,
        cwd=data_dir,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        umask=0o022,
    )
    return done.returncode, done.stdout, done.stderr


def test_production_without_collected_static_files_refuses_to_start_with_a_clear_message(tmp_path: Path) -> None:
    assert dinhdanh(["migrate"], tmp_path, **PRODUCTION).code == 0
    code, out, err = python(SERVE_HOME, tmp_path)
    assert code != 0
    assert "collectstatic" in err
    assert "staticfiles.json" in err
    deploy = dinhdanh(["check", "--deploy"], tmp_path, **PRODUCTION)
    assert "core.E002" in deploy.out + deploy.err

    collected = dinhdanh(["collectstatic", "--noinput"], tmp_path, **PRODUCTION)
    assert collected.code == 0, collected.err
    collected_modes = modes(tmp_path / "static")
    assert len(collected_modes) > 10
    assert {name: oct(mode) for name, mode in collected_modes.items() if mode & 0o077} == {}
    code, out, err = python(SERVE_HOME, tmp_path)
    assert code == 0, err
    status, static_links = out.split()
    assert status == "200"
    assert int(static_links) > 0

    # Issue 16.1: Django's deploy checks and ours pass with the production settings, warnings included.
    deploy = dinhdanh(
        ["check", "--deploy", "--database", "default", "--fail-level", "WARNING"], tmp_path, **PRODUCTION
    )
    assert deploy.code == 0, deploy.out + deploy.err
    assert "no issues" in deploy.out

    # ... and one unsafe setting stops the server before its first request, naming it in both languages.
    unsafe = {"DINHDANH_ARGON2_MEMORY_KIB": "1024", "DINHDANH_ISSUER": "http://id.example.vn"}
    code, out, err = python(SERVE_HOME, tmp_path, **unsafe)
    assert code != 0
    assert "Không khởi động / refusing to start" in err
    assert "core.E011" in err
    assert "OWASP" in err
    assert "core.E012" in err
    assert "DINHDANH_ISSUER=http://id.example.vn" in err
    worker = dinhdanh(["worker", "--batch"], tmp_path, **{**PRODUCTION, **unsafe})
    assert worker.code != 0
    assert "core.E011" in worker.err
    assert "Traceback" not in worker.err

    # Rate limits counted in one process's memory, when nobody said one process serves the site.
    several = dinhdanh(["check", "--deploy"], tmp_path, **{**PRODUCTION, "DINHDANH_ONE_PROCESS": "0"})
    assert "core.E015" in several.out + several.err
    assert "DINHDANH_CACHE_URL" in several.out + several.err
    shared = {**PRODUCTION, "DINHDANH_ONE_PROCESS": "0", "DINHDANH_CACHE_URL": "redis://127.0.0.1:6379/0"}
    assert "core.E015" not in (run := dinhdanh(["check", "--deploy"], tmp_path, **shared)).out + run.err
    off = dinhdanh(["check", "--deploy"], tmp_path, **{**PRODUCTION, "DINHDANH_RATE_LIMITS": "0"})
    assert "core.E015" in off.out + off.err
    # One-time codes into a file: the development SMS backend is refused too.
    filed = {**PRODUCTION, "DINHDANH_SMS_BACKEND": "dinhdanh.notifications.backends.FileSmsBackend"}
    assert "notifications.E001" in (run := dinhdanh(["check", "--deploy"], tmp_path, **filed)).out + run.err

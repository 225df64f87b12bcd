"""The `dinhdanh` command, run for real in a subprocess against a fresh data directory (SQLite)."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from dinhdanh.demo.services import DEMO_PASSWORD, PEOPLE

pytestmark = pytest.mark.skipif(
    bool(os.environ.get("DATABASE_URL")), reason="the command's embedded mode is SQLite; run without DATABASE_URL"
)

# Variables of the surrounding run that would change what the command does.
_CLEARED = ("DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE", "DATABASE_URL", "DEPLOY_ZONE", "DINHDANH_")


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str


def dinhdanh(args: Sequence[str], data_dir: Path, **env: str) -> Run:
    """Run the command as from a login shell (umask 022: the program must make its files private itself)."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(_CLEARED)}
    clean.update(DINHDANH_DATA_DIR=str(data_dir), PYTHONIOENCODING="utf-8", **env)
    done = subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "dinhdanh", *args],
        env=clean,
        cwd=data_dir if data_dir.exists() else data_dir.parent,
        umask=0o022,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=300,
        check=False,
    )
    return Run(done.returncode, done.stdout, done.stderr)


def assert_one_bilingual_line(run: Run, *, vietnamese: str, english: str) -> None:
    assert run.code != 0
    assert "Traceback" not in run.out + run.err
    lines = run.err.strip().splitlines()
    assert len(lines) == 1, run.err
    assert lines[0].startswith("dinhdanh: ")
    assert vietnamese in lines[0]
    assert english in lines[0]
    assert " / " in lines[0]


def query(data_dir: Path, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(data_dir / "dinhdanh.sqlite3") as con:
        return con.execute(sql).fetchall()


def snapshot(data_dir: Path) -> dict[str, object]:
    registries = data_dir / "demo" / "registries"
    return {
        "manifest": (data_dir / "demo" / "manifest.json").read_bytes(),
        "registries": {p.name: p.read_bytes() for p in sorted(registries.iterdir())},
        "users": query(data_dir, "SELECT id, login_digest, full_name, is_staff FROM people_user ORDER BY id"),
        "roles": query(data_dir, "SELECT user_id, role, unit_id FROM core_roleassignment ORDER BY id"),
        "events": query(data_dir, "SELECT seq, action, hash FROM core_auditevent ORDER BY seq"),
        "units": query(data_dir, "SELECT count(*) FROM geo_administrativeunit"),
    }


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One `dinhdanh demo --no-serve` for the module (it takes a while): the first-run output is kept."""
    data_dir = tmp_path_factory.mktemp("demo")
    run = dinhdanh(["demo", "--no-serve"], data_dir)
    (data_dir / "first-run.json").write_text(json.dumps(run.__dict__), encoding="utf-8")
    return data_dir


def first_run(demo_dir: Path) -> Run:
    return Run(**json.loads((demo_dir / "first-run.json").read_text(encoding="utf-8")))


# --- migrate and verify ---------------------------------------------------------------------------


def test_migrate_then_audit_verify(tmp_path: Path) -> None:
    migrated = dinhdanh(["migrate"], tmp_path)
    assert migrated.code == 0, migrated.err
    assert "Traceback" not in migrated.err
    verified = dinhdanh(["audit", "verify"], tmp_path)
    assert verified.code == 0, verified.err
    # migrate loaded the administrative units (issue 11.8): that load is the one audited event.
    assert verified.out.strip().startswith("OK: 1 sự kiện nguyên vẹn / events intact")


def test_audit_verify_before_migrate_is_one_line(tmp_path: Path) -> None:
    run = dinhdanh(["audit", "verify"], tmp_path)
    assert_one_bilingual_line(run, vietnamese="dinhdanh migrate", english="The database cannot be used")


def test_secret_key_file_is_created_with_mode_0600_and_kept(tmp_path: Path) -> None:
    key_file = tmp_path / "secret_key"
    assert not key_file.exists()
    assert dinhdanh(["check"], tmp_path).code == 0
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    key = key_file.read_text()
    assert len(key.strip()) >= 50
    assert dinhdanh(["check"], tmp_path).code == 0
    assert key_file.read_text() == key


def test_secret_key_from_the_environment_writes_no_file(tmp_path: Path) -> None:
    assert dinhdanh(["check"], tmp_path, DINHDANH_SECRET_KEY="k" * 40).code == 0
    assert not (tmp_path / "secret_key").exists()


# --- bad configuration ----------------------------------------------------------------------------


@pytest.mark.parametrize("args", [["audit", "verify"], ["migrate"], ["demo", "--no-serve"]], ids=" ".join)
def test_a_bogus_deploy_zone_is_one_bilingual_line(tmp_path: Path, args: list[str]) -> None:
    run = dinhdanh(args, tmp_path, DEPLOY_ZONE="bogus")
    assert_one_bilingual_line(
        run, vietnamese="DEPLOY_ZONE phải là một trong", english="DEPLOY_ZONE must be one of"
    )
    assert "bogus" in run.err
    assert not (tmp_path / "dinhdanh.sqlite3").exists()


@pytest.mark.parametrize("args", [["audit", "verify"], ["migrate"]], ids=" ".join)
def test_a_short_secret_key_is_one_bilingual_line(tmp_path: Path, args: list[str]) -> None:
    run = dinhdanh(args, tmp_path, DINHDANH_SECRET_KEY="too-short")
    assert_one_bilingual_line(
        run, vietnamese="DINHDANH_SECRET_KEY phải dài ít nhất 32 ký tự", english="must be at least 32 characters"
    )
    assert "too-short" not in run.err  # the key itself is never printed


@pytest.mark.parametrize("name", ["DINHDANH_AUDIT_KEY", "DINHDANH_AUDIT_CHECKPOINT_KEY"])
@pytest.mark.parametrize("value", ["abc123", "zz" * 32, "a" * 63])
def test_a_malformed_audit_key_is_one_bilingual_line(tmp_path: Path, name: str, value: str) -> None:
    run = dinhdanh(["audit", "verify"], tmp_path, **{name: value})
    assert_one_bilingual_line(run, vietnamese="phải là khóa dạng hex", english="must be a hex key")
    assert value not in run.err  # a key is never printed


def test_audit_keys_from_the_environment_write_no_key_file(tmp_path: Path) -> None:
    keys = {"DINHDANH_AUDIT_KEY": "1f" * 32, "DINHDANH_AUDIT_CHECKPOINT_KEY": "2e" * 32}
    assert dinhdanh(["migrate"], tmp_path, **keys).code == 0
    assert dinhdanh(["load_units"], tmp_path, **keys).code == 0
    verified = dinhdanh(["audit", "verify"], tmp_path, **keys)
    assert verified.code == 0, verified.err
    assert "1 điểm chốt khớp" in verified.out
    assert not (tmp_path / "keys" / "audit-chain").exists()
    assert not (tmp_path / "keys" / "audit-checkpoint").exists()
    other_node = dinhdanh(["audit", "verify"], tmp_path, DINHDANH_AUDIT_KEY="3d" * 32)
    assert other_node.code == 1
    assert "unknown_key" in other_node.err


# --- the demo -------------------------------------------------------------------------------------


def test_demo_loads_and_prints_the_sign_ins(demo_dir: Path) -> None:
    run = first_run(demo_dir)
    assert run.code == 0, run.err
    assert "Traceback" not in run.err
    assert "http://127.0.0.1:8000/" in run.out
    assert "Tài khoản dùng thử / demo sign-ins" in run.out
    for person in PEOPLE:
        line = next((line for line in run.out.splitlines() if person.login in line), None)
        assert line is not None, f"{person.login} not printed"
        assert DEMO_PASSWORD in line
        assert str(person.role.label) in line
    manifest = json.loads((demo_dir / "demo" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["province_code"] == "91"
    assert manifest["province_name"] == "Tỉnh An Giang"
    assert len(manifest["signins"]) == len(PEOPLE)
    assert query(demo_dir, "SELECT count(*) FROM people_user") == [(len(PEOPLE) + 1,)]  # + a foreigner to review
    assert query(
        demo_dir, "SELECT count(*) FROM geo_administrativeunit WHERE scheme = '2025' AND level = 'province'"
    )
    assert dinhdanh(["audit", "verify"], demo_dir).code == 0


def test_demo_twice_changes_nothing(demo_dir: Path) -> None:
    assert first_run(demo_dir).code == 0
    before = snapshot(demo_dir)
    again = dinhdanh(["demo", "--no-serve"], demo_dir)
    assert again.code == 0, again.err
    assert snapshot(demo_dir) == before
    assert [line for line in again.out.splitlines() if DEMO_PASSWORD in line] == [
        line for line in first_run(demo_dir).out.splitlines() if DEMO_PASSWORD in line
    ]
    verified = dinhdanh(["audit", "verify"], demo_dir)
    assert verified.code == 0
    assert verified.out.startswith("OK: ")


@pytest.fixture
def demo_copy(demo_dir: Path, tmp_path: Path) -> Path:
    assert first_run(demo_dir).code == 0
    copy = tmp_path / "copy"
    # The database goes through SQLite's backup API: its -wal and -shm files come and go while
    # other tests read the demo, and copying them file by file races with that.
    shutil.copytree(demo_dir, copy, ignore=shutil.ignore_patterns("dinhdanh.sqlite3*"))
    with (
        sqlite3.connect(demo_dir / "dinhdanh.sqlite3") as source,
        sqlite3.connect(copy / "dinhdanh.sqlite3") as target,
    ):
        source.backup(target)
    source.close()
    target.close()
    return copy


def test_the_audit_table_refuses_updates(demo_copy: Path) -> None:
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        query(demo_copy, "UPDATE core_auditevent SET actor_label = 'x' WHERE seq = 1")


def test_tampering_is_named_by_audit_verify(demo_copy: Path) -> None:
    events = query(demo_copy, "SELECT seq FROM core_auditevent ORDER BY seq")
    assert len(events) > 5
    with sqlite3.connect(demo_copy / "dinhdanh.sqlite3") as con:
        con.execute("DROP TRIGGER core_auditevent_no_update")
        con.execute("UPDATE core_auditevent SET actor_label = 'Người khác' WHERE seq = 4")
    con.close()
    run = dinhdanh(["audit", "verify"], demo_copy)
    assert run.code == 1
    assert "Traceback" not in run.err
    assert run.out == ""
    lines = run.err.strip().splitlines()
    assert len(lines) == 1
    assert "sự kiện số 4" in lines[0]
    assert "event #4" in lines[0]
    assert "content_mismatch" in lines[0]
    assert "3 earlier events intact" in lines[0]


def test_the_audit_table_refuses_deletes(demo_copy: Path) -> None:
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        query(demo_copy, "DELETE FROM core_auditevent WHERE seq = 2")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        query(demo_copy, "DELETE FROM core_auditevent")


def test_a_deleted_event_is_named_by_audit_verify(demo_copy: Path) -> None:
    with sqlite3.connect(demo_copy / "dinhdanh.sqlite3") as con:
        con.execute("DROP TRIGGER core_auditevent_no_delete")
        con.execute("DELETE FROM core_auditevent WHERE seq = 2")
    con.close()
    run = dinhdanh(["audit", "verify"], demo_copy)
    assert run.code == 1
    assert "event #2" in run.err
    assert "missing" in run.err


# An intruder with write access to the database (not to the data dir): rewrite event 4, then recompute
# every hash and the head with plain SHA-256, claiming the events predate the keyed chain.
REWRITE = """
import hashlib, json
from django.db.models import Count
from dinhdanh.core import audit
from dinhdanh.core.models import AuditChainHead, AuditEvent
chain = AuditEvent.objects.values("chain").annotate(n=Count("pk")).order_by("-n")[0]["chain"]
prev = audit.GENESIS
legacy = {"key_id": ""}
for e in AuditEvent.objects.filter(chain=chain).order_by("seq"):
    if e.seq == 4:
        e.actor_label = "Người khác"
    for name, value in legacy.items():
        setattr(e, name, value)
    e.prev_hash = prev
    canonical = json.dumps(audit._content(e), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    prev = hashlib.sha256(canonical.encode()).hexdigest()
    AuditEvent.objects.filter(pk=e.pk).update(actor_label=e.actor_label, prev_hash=e.prev_hash, hash=prev, **legacy)
AuditChainHead.objects.filter(chain=chain).update(last_hash=prev, **legacy)
"""


def test_a_database_rewritten_without_the_key_fails_audit_verify(demo_copy: Path) -> None:
    with sqlite3.connect(demo_copy / "dinhdanh.sqlite3") as con:
        for trigger in ("core_auditevent_no_update", "core_auditevent_no_delete"):
            con.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    con.close()
    rewritten = dinhdanh(["shell", "-c", REWRITE], demo_copy)
    assert rewritten.code == 0, rewritten.err
    assert query(demo_copy, "SELECT count(*) FROM core_auditevent WHERE actor_label = 'Người khác'") == [(1,)]

    run = dinhdanh(["audit", "verify"], demo_copy)
    assert run.code == 1
    assert "Traceback" not in run.err
    # Only the main chain (events from before the partitioning) may hold unkeyed events (decision 0019).
    assert "unkeyed_after_keyed" in run.err
    refused = dinhdanh(["audit", "checkpoint"], demo_copy)
    assert refused.code == 1
    assert "no checkpoint written" in refused.err


def test_the_demo_is_pinned_and_audit_checkpoint_pins_the_tip(demo_copy: Path) -> None:
    pinned = (demo_copy / "audit" / "checkpoints.jsonl").read_text().splitlines()
    assert json.loads(pinned[0])["seq"] == 1  # the first keyed event
    tips = query(demo_copy, "SELECT chain, max(seq) FROM core_auditevent GROUP BY chain ORDER BY chain")
    assert len(tips) > 1  # the demo writes in the province and centrally: one chain each (decision 0019)
    run = dinhdanh(["audit", "checkpoint"], demo_copy)
    assert run.code == 0, run.err
    for chain, tip in tips:
        assert f"checkpoint of chain {chain}, event #{tip} written" in run.out
    verified = dinhdanh(["audit", "verify"], demo_copy)
    assert verified.code == 0, verified.err
    total = sum(int(str(tip)) for _, tip in tips)
    assert f"OK: {total} sự kiện nguyên vẹn / events intact ({len(tips)} chuỗi / chains)" in verified.out
    assert f"{len(pinned) + len(tips)} điểm chốt khớp" in verified.out


def test_flush_empties_the_audit_log_and_keeps_it_append_only(demo_copy: Path) -> None:
    flushed = dinhdanh(["flush", "--noinput"], demo_copy)
    assert flushed.code == 0, flushed.err
    assert query(demo_copy, "SELECT count(*) FROM core_auditevent") == [(0,)]
    triggers = query(
        demo_copy,
        "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'core_auditevent' ORDER BY name",
    )
    assert triggers == [("core_auditevent_no_delete",), ("core_auditevent_no_update",)]


# --- the demo relying party (issue 12.5) ----------------------------------------------------------


def test_demo_registers_the_demo_relying_party(demo_dir: Path) -> None:
    run = first_run(demo_dir)
    assert run.code == 0, run.err
    assert "http://127.0.0.1:8001/" in run.out
    assert stat.S_IMODE((demo_dir / "demo-rp" / "client-key.json").stat().st_mode) == 0o600
    client_id = json.loads((demo_dir / "demo-rp" / "client.json").read_text(encoding="utf-8"))["client_id"]
    rows = query(demo_dir, "SELECT client_id, profile, redirect_uris FROM federation_client WHERE active")
    assert rows == [(client_id, "fapi2", '["http://127.0.0.1:8001/callback"]')]

"""`dinhdanh backup` and `dinhdanh restore` for real (issue 16.3): the demo's data, backed up from a
version one migration behind, restored into a fresh target, migrated and verified. On SQLite by default;
with DATABASE_URL set, against two fresh PostgreSQL databases made here (pg_dump/pg_restore)."""

from __future__ import annotations

import io
import json
import sqlite3
import tarfile
from pathlib import Path

import pytest

from tests.ops.sites import POSTGRES, Site, databases, new_site

__all__ = ["databases"]  # the module-scoped fixture, used by name


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory, databases: list[str]) -> tuple[Site, Path, Path]:
    """The demo site, one migration behind this version, and its backup and keys."""
    root = tmp_path_factory.mktemp("backup")
    source = new_site(root, "source", databases)
    demo = source.run("demo", "--no-serve")
    assert demo.code == 0, demo.err
    older = source.run("migrate", "notifications", "0001")  # as if made by the version before
    assert older.code == 0, older.err
    archive, keys = root / "site.tgz", root / "site.keys"
    backed = source.run("backup", str(archive), "--keys", str(keys))
    assert backed.code == 0, backed.err
    assert "OK:" in backed.out
    return source, archive, keys


def manifest_of(archive: Path) -> dict[str, object]:
    with tarfile.open(archive) as tar:
        member = tar.extractfile("manifest.json")
        assert member is not None
        return dict(json.loads(member.read()))


def test_a_backup_restores_into_a_fresh_site_migrated_and_verified(
    made: tuple[Site, Path, Path], tmp_path: Path, databases: list[str]
) -> None:
    source, archive, keys = made
    assert oct(archive.stat().st_mode & 0o777) == oct(0o600)
    assert oct(keys.stat().st_mode & 0o777) == oct(0o600)
    manifest = manifest_of(archive)
    with tarfile.open(archive) as tar:
        names = tar.getnames()
    assert not [n for n in names if n.startswith("keys") or "secret_key" in n]  # the keys travel apart
    assert any(n.startswith("documents/") for n in names)
    assert "audit/checkpoints.jsonl" in names
    counts = manifest["counts"]
    assert isinstance(counts, dict)
    assert counts["core_auditevent"] > 10
    assert counts["people_user"] > 5

    target = new_site(tmp_path, "target", databases)
    restored = target.run("restore", str(archive), "--keys", str(keys))
    assert restored.code == 0, restored.out + restored.err
    assert "restored and verified" in restored.out
    assert "migrations applied" in restored.out  # notifications 0002, which the backup predates
    verified = target.run("audit", "verify")
    assert verified.code == 0, verified.err
    assert "checkpoints agree" in verified.out
    documents = sorted(p.name for p in (target.data_dir / "documents").rglob("*") if p.is_file())
    assert documents == sorted(p.name for p in (source.data_dir / "documents").rglob("*") if p.is_file())
    assert documents
    # The restored site works: a sealed personal number is read back with the restored keys.
    read_back = (
        "from dinhdanh.people.identifiers import sealed_number; from django.contrib.auth import get_user_model; "
        "print(sum(sealed_number(u) is not None for u in get_user_model().objects.all()))"
    )
    shown = target.run("shell", "-v", "0", "-c", read_back)
    assert shown.code == 0, shown.err
    assert int(shown.out.strip().splitlines()[-1]) > 5

    again = target.run("restore", str(archive), "--keys", str(keys))
    assert again.code != 0
    assert "--replace" in again.err
    assert "Traceback" not in again.err
    replaced = target.run("restore", str(archive), "--keys", str(keys), "--replace")
    assert replaced.code == 0, replaced.err


def test_without_its_keys_a_backup_is_refused_before_anything_changes(
    made: tuple[Site, Path, Path], tmp_path: Path, databases: list[str]
) -> None:
    _source, archive, _keys = made
    target = new_site(tmp_path, "nokeys", databases)
    refused = target.run("restore", str(archive))
    assert refused.code != 0
    assert "audit-chain" in refused.err
    assert "sealing" in refused.err
    assert "Traceback" not in refused.err
    assert not (target.data_dir / "documents").exists() or not any((target.data_dir / "documents").iterdir())
    if not POSTGRES:
        database = target.data_dir / "dinhdanh.sqlite3"
        assert (
            not database.exists()
            or not sqlite3.connect(database)
            .execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            .fetchall()
        )


def _rewritten(archive: Path, target: Path, change: dict[str, object] | None = None, extra: bytes = b"") -> Path:
    """A copy of ``archive`` with its manifest changed, or a hostile member added."""
    with tarfile.open(archive) as tar, tarfile.open(target, "w:gz") as out:
        for member in tar.getmembers():
            data = tar.extractfile(member) if member.isfile() else None
            if member.name == "manifest.json" and change is not None and data is not None:
                body = {**json.loads(data.read()), **change}
                encoded = json.dumps(body).encode()
                member.size = len(encoded)
                out.addfile(member, io.BytesIO(encoded))
            else:
                out.addfile(member, data)
        if extra:
            evil = tarfile.TarInfo("../../escaped.txt")
            evil.size = len(extra)
            out.addfile(evil, io.BytesIO(extra))
    return target


def test_a_restore_that_does_not_match_its_backup_says_broken(
    made: tuple[Site, Path, Path], tmp_path: Path, databases: list[str]
) -> None:
    _source, archive, keys = made
    counts = manifest_of(archive)["counts"]
    assert isinstance(counts, dict)
    lying = _rewritten(
        archive, tmp_path / "lying.tgz", {"counts": {**counts, "people_user": counts["people_user"] + 1}}
    )
    target = new_site(tmp_path, "lying", databases)
    restored = target.run("restore", str(lying), "--keys", str(keys))
    assert restored.code != 0
    assert "BROKEN" in restored.err
    assert f"people_user: {counts['people_user'] + 1} → {counts['people_user']}" in restored.err


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("not_a_tar", "không phải bản sao lưu"),
        ("no_manifest", "không phải bản sao lưu"),
        ("newer", "phiên bản mới hơn"),
        ("other_database", "Bản sao lưu là của"),
        ("forged_manifest", "không phải bản sao lưu"),
        ("escaping_member", "không phải bản sao lưu"),
        ("bad_keys", "không phải tệp khóa"),
        ("missing", "Không có tệp"),
    ],
)
def test_hostile_or_wrong_archives_are_refused_in_one_line_and_change_nothing(
    made: tuple[Site, Path, Path], tmp_path: Path, databases: list[str], case: str, expected: str
) -> None:
    _source, archive, keys = made
    bad, keys_given = tmp_path / "bad.tgz", keys
    if case == "not_a_tar":
        bad.write_bytes(b"PK\x03\x04 not a tar at all")
    elif case == "no_manifest":
        with tarfile.open(bad, "w:gz") as tar:
            tar.addfile(tarfile.TarInfo("database.sqlite3"), io.BytesIO(b""))
    elif case == "newer":
        manifest = manifest_of(archive)
        migrations = [*list(manifest["migrations"]), ["people", "9999_from_the_future"]]  # type: ignore[call-overload]
        _rewritten(archive, bad, {"migrations": migrations})
    elif case == "other_database":
        _rewritten(archive, bad, {"vendor": "oracle"})
    elif case == "forged_manifest":
        _rewritten(archive, bad, {"keys": ["audit-chain"], "counts": {"people_user": "many"}})
    elif case == "escaping_member":
        _rewritten(archive, bad, extra=b"outside")
    elif case == "bad_keys":
        bad = archive
        keys_given = tmp_path / "bad.keys"
        keys_given.write_text('{"format": "dinhdanh-keys/1", "keys": {"../x": "00"}}')
    else:
        bad = tmp_path / "nowhere.tgz"
    target = new_site(tmp_path, f"hostile_{case}", databases)
    refused = target.run("restore", str(bad), "--keys", str(keys_given))
    assert refused.code != 0
    lines = refused.err.strip().splitlines()
    assert len(lines) == 1, refused.err
    assert expected in lines[0]
    assert not (tmp_path / "escaped.txt").exists()
    assert not (target.data_dir.parent / "escaped.txt").exists()
    assert not (target.data_dir / "keys" / "sealing").exists()


def test_a_backup_into_a_missing_folder_or_over_its_own_keys_file_is_refused(tmp_path: Path) -> None:
    site = Site(tmp_path / "empty", {})
    missing = site.run("backup", str(tmp_path / "no-such-folder" / "b.tgz"))
    assert missing.code != 0
    assert "không tồn tại" in missing.err
    same = tmp_path / "b.tgz"
    clash = site.run("backup", str(same), "--keys", str(same))
    assert clash.code != 0
    assert "Tệp khóa phải khác tệp sao lưu" in clash.err
    assert not same.exists()
    for run in (missing, clash):
        assert "Traceback" not in run.err

"""`dinhdanh backup FILE` and `dinhdanh restore FILE` (issue 16.3, docs/operations/backup.md).

A backup is one tar file: ``manifest.json`` (the row count of every table, the applied migrations, the
ids of the keys it needs), the database (``backup_db``), the documents and the audit checkpoints. The
keys never go in it: whoever holds a backup and its keys reads every sealed personal number, so they are
written to a separate file (``--keys``) that the guide keeps on other media.

A restore refuses, before it changes anything, an archive that is not ours, one from a newer version,
one whose keys are not here, and a target that already holds data (unless told ``replace``). Then it
puts the database, documents and checkpoints back, migrates, and verifies: the audit chain against its
checkpoints, and every table's count against the manifest. ``Restored.ok`` is the verdict.
"""

from __future__ import annotations

import io
import json
import os
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone

from dinhdanh.core import audit, audit_checkpoints, backup_db
from dinhdanh.core.backup_errors import BackupError
from dinhdanh.core.errors import DomainError
from dinhdanh.core.keys import data_key, key_id

FORMAT = "dinhdanh-backup/1"
KEYS_FORMAT = "dinhdanh-keys/1"
MANIFEST = "manifest.json"
# Filled by `migrate` itself (post_migrate): a newer version adds rows here, so they are not compared.
NOT_COMPARED = frozenset({"django_migrations", "django_content_type", "auth_permission"})


@dataclass
class Made:
    path: Path
    manifest: dict[str, Any]
    keys_path: Path | None = None


@dataclass
class Restored:
    manifest: dict[str, Any]
    verification: audit.Verification
    mismatched: dict[str, tuple[int, int]] = field(default_factory=dict)  # table: (in the backup, now)
    migrated: int = 0  # migrations applied after the restore (a backup from an older version)

    @property
    def ok(self) -> bool:
        return self.verification.ok and not self.mismatched


# --- the keys' file --------------------------------------------------------------------------------------


def _key_dir() -> Path:
    return Path(settings.DATA_DIR) / "keys"


def _key_files() -> dict[str, bytes]:
    directory = _key_dir()
    if not directory.is_dir():
        return {}
    return {path.name: path.read_bytes() for path in sorted(directory.iterdir()) if path.is_file()}


def _ids(files: dict[str, bytes]) -> dict[str, str]:
    found = {}
    for name, raw in files.items():
        try:
            found[name] = key_id(bytes.fromhex(raw.decode().strip()))
        except (ValueError, UnicodeDecodeError):
            continue  # not a key of ours (an editor's backup file, a note): never travels, never compared
    return found


def _environment_key_ids() -> dict[str, str]:
    given = {
        "DINHDANH_AUDIT_KEY": settings.AUDIT_KEY,
        "DINHDANH_AUDIT_CHECKPOINT_KEY": settings.AUDIT_CHECKPOINT_KEY,
    }
    return {name: key_id(bytes.fromhex(value)) for name, value in given.items() if value}


def _write_private(path: Path, data: bytes) -> None:
    staged = path.with_name(f".{path.name}.partial")
    fd = os.open(staged, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(staged, path)


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.mtime = len(data), 0o600, int(timezone.now().timestamp())
    archive.addfile(info, io.BytesIO(data))


# --- backup ------------------------------------------------------------------------------------------------


def make(path: Path, *, keys_path: Path | None = None) -> Made:
    """Write the archive at ``path`` (and the keys at ``keys_path``); both appear whole or not at all."""
    path = path.expanduser().resolve()
    if keys_path is not None and keys_path.expanduser().resolve() == path:
        raise DomainError(BackupError.KEYS_SAME_FILE)
    if not path.parent.is_dir():
        raise DomainError(BackupError.NO_FOLDER, folder=str(path.parent))
    # Checkpoints first: they only grow, so this copy pins nothing the database copy below lacks.
    checkpoint_file = audit_checkpoints.location()
    checkpoints = checkpoint_file.read_bytes() if checkpoint_file and checkpoint_file.exists() else b""
    staged = path.with_name(f".{path.name}.partial")
    with tempfile.TemporaryDirectory(dir=path.parent, prefix=".dinhdanh-backup-") as scratch:
        try:
            database, counts, migrations = backup_db.dump(Path(scratch))
        except backup_db.ToolMissingError as exc:
            raise DomainError(BackupError.TOOL_MISSING, tool=str(exc)) from exc
        except OSError as exc:
            raise DomainError(BackupError.DATABASE, reason=str(exc)[:300]) from exc
        documents = Path(settings.MEDIA_ROOT)
        manifest = {
            "format": FORMAT,
            "made_at": timezone.now().isoformat(timespec="seconds"),
            "vendor": backup_db.vendor(),
            "database": database,
            "counts": counts,
            "migrations": migrations,
            "keys": _ids(_key_files()),
            "environment_keys": _environment_key_ids(),
            "documents": sum(1 for p in documents.rglob("*") if p.is_file()) if documents.is_dir() else 0,
            "checkpoints": checkpoints.count(b"\n"),
        }
        with tarfile.open(staged, "w:gz", compresslevel=6) as archive:
            _add_bytes(archive, MANIFEST, json.dumps(manifest, indent=1, ensure_ascii=False).encode())
            archive.add(Path(scratch) / database, arcname=database)
            if checkpoints:
                _add_bytes(archive, "audit/checkpoints.jsonl", checkpoints)
            if documents.is_dir():
                archive.add(documents, arcname="documents")
    os.chmod(staged, 0o600)
    os.replace(staged, path)
    made = Made(path, manifest)
    if keys_path is not None:
        made.keys_path = write_keys(keys_path)
    return made


def write_keys(path: Path) -> Path:
    path = path.expanduser().resolve()
    if not path.parent.is_dir():
        raise DomainError(BackupError.NO_FOLDER, folder=str(path.parent))
    files = {name: raw for name, raw in _key_files().items() if name in _ids({name: raw})}
    body = {"format": KEYS_FORMAT, "keys": {name: raw.decode().strip() for name, raw in files.items()}}
    _write_private(path, json.dumps(body, indent=1).encode())
    return path


# --- restore -----------------------------------------------------------------------------------------------


def _open(path: Path) -> tarfile.TarFile:
    if not path.is_file():
        raise DomainError(BackupError.NOT_FOUND, file=str(path))
    try:
        return tarfile.open(path, "r:*")
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise DomainError(BackupError.NOT_A_BACKUP, file=str(path)) from exc


def read_manifest(archive: tarfile.TarFile, path: Path) -> dict[str, Any]:
    try:
        member = archive.extractfile(MANIFEST)
        manifest = json.loads(member.read()) if member else None
    except (KeyError, tarfile.TarError, OSError, EOFError, ValueError) as exc:
        raise DomainError(BackupError.NOT_A_BACKUP, file=str(path)) from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise DomainError(BackupError.NOT_A_BACKUP, file=str(path))
    if manifest.get("database") not in backup_db.LOADERS or not _well_formed(manifest):
        raise DomainError(BackupError.NOT_A_BACKUP, file=str(path))
    return manifest


def _well_formed(manifest: dict[str, Any]) -> bool:
    """The manifest's parts have the shapes the restore relies on (a damaged or forged one is refused)."""
    counts, migrations = manifest.get("counts"), manifest.get("migrations", [])
    keys, environment = manifest.get("keys", {}), manifest.get("environment_keys", {})
    return (
        isinstance(counts, dict)
        and all(isinstance(t, str) and isinstance(n, int) and not isinstance(n, bool) for t, n in counts.items())
        and isinstance(migrations, list)
        and all(isinstance(m, list) and len(m) == 2 and all(isinstance(x, str) for x in m) for m in migrations)
        and all(isinstance(d, dict) and all(isinstance(v, str) for v in d.values()) for d in (keys, environment))
    )


def _read_keys(path: Path) -> dict[str, str]:
    try:
        body = json.loads(path.read_bytes())
        keys = body["keys"] if body.get("format") == KEYS_FORMAT else None
    except (OSError, ValueError, AttributeError, KeyError, TypeError) as exc:
        raise DomainError(BackupError.NOT_KEYS, file=str(path)) from exc
    if not isinstance(keys, dict) or not all(
        isinstance(n, str) and n and "/" not in n and not n.startswith(".") and isinstance(v, str)
        for n, v in keys.items()
    ):
        raise DomainError(BackupError.NOT_KEYS, file=str(path))
    try:
        {name: bytes.fromhex(value) for name, value in keys.items()}
    except ValueError as exc:
        raise DomainError(BackupError.NOT_KEYS, file=str(path)) from exc
    return keys


def _check_keys(manifest: dict[str, Any], incoming: dict[str, str]) -> None:
    """Every key the backup was sealed with must be here or arriving. Arriving keys replace what is here:
    the target is fresh (its keys guard no data yet) or the operator said ``replace``."""
    present = _ids(_key_files())
    arriving = {name: key_id(bytes.fromhex(value)) for name, value in incoming.items()}
    available = {**present, **arriving}
    needed: dict[str, str] = manifest.get("keys") or {}
    missing = sorted(name for name, kid in needed.items() if available.get(name) != kid)
    environment = _environment_key_ids()
    missing += sorted(
        n for n, kid in (manifest.get("environment_keys") or {}).items() if environment.get(n) != kid
    )
    if missing:
        raise DomainError(BackupError.KEYS_MISSING, names=", ".join(missing))


def _check_version(manifest: dict[str, Any]) -> None:
    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    unknown = [f"{app}.{name}" for app, name in manifest.get("migrations") or [] if (app, name) not in known]
    if unknown:
        raise DomainError(BackupError.NEWER_VERSION, migrations=", ".join(unknown[:5]))


def _check_target(manifest: dict[str, Any], *, replace: bool) -> None:
    """A fresh target (no tables: a new data dir or database, not even migrated) is restored into; any
    other is overwritten only when told ``replace``."""
    if manifest.get("vendor") != backup_db.vendor():
        raise DomainError(BackupError.OTHER_DATABASE, made=str(manifest.get("vendor")), here=backup_db.vendor())
    if backup_db.has_tables() and not replace:
        raise DomainError(BackupError.TARGET_NOT_EMPTY)


def restore(path: Path, *, keys_path: Path | None = None, replace: bool = False) -> Restored:
    path = path.expanduser().resolve()
    incoming = _read_keys(keys_path.expanduser().resolve()) if keys_path is not None else {}
    with _open(path) as archive:
        manifest = read_manifest(archive, path)
        _check_version(manifest)
        _check_target(manifest, replace=replace)
        _check_keys(manifest, incoming)
        with tempfile.TemporaryDirectory(dir=Path(settings.DATA_DIR), prefix=".dinhdanh-restore-") as scratch:
            try:
                # "data": no absolute names, no "..", no links out, no devices (PEP 706).
                archive.extractall(scratch, filter="data")
            except (tarfile.TarError, OSError, EOFError) as exc:
                raise DomainError(BackupError.NOT_A_BACKUP, file=str(path)) from exc
            unpacked = Path(scratch)
            try:
                backup_db.LOADERS[manifest["database"]](unpacked / manifest["database"])
            except backup_db.ToolMissingError as exc:
                raise DomainError(BackupError.TOOL_MISSING, tool=str(exc)) from exc
            except OSError as exc:
                raise DomainError(BackupError.DATABASE, reason=str(exc)[:300]) from exc
            _put_back(unpacked / "documents", Path(settings.MEDIA_ROOT))
            checkpoint_file = audit_checkpoints.location()
            restored_checkpoints = unpacked / "audit" / "checkpoints.jsonl"
            if checkpoint_file is not None and restored_checkpoints.is_file():
                checkpoint_file.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
                _write_private(checkpoint_file, restored_checkpoints.read_bytes())
            _put_keys(incoming)
    return _migrate_and_verify(manifest)


def _put_keys(incoming: dict[str, str]) -> None:
    for name, value in incoming.items():
        _key_dir().mkdir(mode=0o700, exist_ok=True)
        _write_private(_key_dir() / name, value.encode() + b"\n")
    data_key.cache_clear()  # this process may have read a key file the restore just replaced


def _put_back(source: Path, target: Path) -> None:
    if not source.is_dir():
        return
    for item in sorted(source.rglob("*")):
        destination = target / item.relative_to(source)
        if item.is_dir():
            destination.mkdir(mode=0o700, parents=True, exist_ok=True)
        elif item.is_file() and not item.is_symlink():  # documents are files; a link is never put back
            destination.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            os.replace(item, destination)


def _migrate_and_verify(manifest: dict[str, Any]) -> Restored:
    before = {tuple(pair) for pair in manifest.get("migrations") or []}
    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("SELECT app, name FROM django_migrations")
        migrated = len({tuple(row) for row in cursor.fetchall()} - before)
    now = backup_db.live_counts()
    mismatched = {
        table: (int(count), now.get(table, -1))
        for table, count in manifest["counts"].items()
        if table not in NOT_COMPARED and now.get(table, -1) != count
    }
    return Restored(manifest, audit.verify(), mismatched, migrated)

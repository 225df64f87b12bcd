"""`dinhdanh restore FILE [--keys KEYS] [--replace]` (issue 16.3, docs/operations/backup.md): puts a
backup back, migrates it to this version, and verifies it (the audit chain against its checkpoints,
each table's count against the backup's). Stop the web servers and workers first."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dinhdanh.core import audit, backup
from dinhdanh.core.audit_actions import KernelAction


class Command(BaseCommand):
    help = "Phục hồi một bản sao lưu và kiểm tra nó. / Restore a backup and verify it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--keys", type=Path, default=None, help="the keys file written by backup --keys")
        parser.add_argument("--replace", action="store_true", help="overwrite a database that holds data")

    def handle(self, *args: Any, **options: Any) -> None:
        done = backup.restore(options["file"], keys_path=options["keys"], replace=options["replace"])
        result = done.verification
        for table, (then, now) in sorted(done.mismatched.items()):
            self.stderr.write(f"  {table}: {then} → {now}")
        if not done.ok:
            chain = "" if result.ok else f"; nhật ký / audit: {result.reason} #{result.broken_seq}"
            raise CommandError(
                f"HỎNG / BROKEN: đã phục hồi nhưng không khớp bản sao lưu ({len(done.mismatched)} bảng{chain}) "
                f"/ restored, but it does not match the backup ({len(done.mismatched)} tables{chain})"
            )
        audit.record(
            KernelAction.BACKUP_RESTORED, actor=None, object_type="backup", object_id=options["file"].name[:64],
            after={"made_at": done.manifest.get("made_at"), "migrated": done.migrated, "events": result.checked},
        )  # fmt: skip
        migrated = f", {done.migrated} bước nâng cấp / migrations applied" if done.migrated else ""
        self.stdout.write(
            f"OK: đã phục hồi và kiểm tra / restored and verified — {result.checked} sự kiện nhật ký nguyên vẹn "
            f"/ audit events intact, {len(done.manifest['counts'])} bảng khớp / tables match{migrated}"
        )

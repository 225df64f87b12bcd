"""`dinhdanh backup FILE [--keys KEYS]` (issue 16.3, docs/operations/backup.md): one archive of the
database, the documents and the audit checkpoints, made while the service runs; the keys, if asked,
into a file of their own to keep apart."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from dinhdanh.core import audit, backup
from dinhdanh.core.audit_actions import KernelAction


class Command(BaseCommand):
    help = "Sao lưu cơ sở dữ liệu, tài liệu và điểm chốt nhật ký. / Back up the database, documents and audit checkpoints."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--keys", type=Path, default=None, help="also write the keys to this separate file")

    def handle(self, *args: Any, **options: Any) -> None:
        made = backup.make(options["file"], keys_path=options["keys"])
        manifest = made.manifest
        rows = sum(manifest["counts"].values())
        audit.record(
            KernelAction.BACKUP_MADE, actor=None, object_type="backup", object_id=made.path.name[:64],
            after={"tables": len(manifest["counts"]), "rows": rows, "documents": manifest["documents"],
                   "keys_written": made.keys_path is not None},
        )  # fmt: skip
        self.stdout.write(
            f"OK: {made.path} — {len(manifest['counts'])} bảng / tables, {rows} dòng / rows, "
            f"{manifest['documents']} tài liệu / documents, {manifest['checkpoints']} điểm chốt / checkpoints"
        )
        if made.keys_path is not None:
            self.stdout.write(
                f"Khóa / keys: {made.keys_path} — hãy cất riêng, khác nơi với bản sao lưu "
                f"/ keep it apart from the backup"
            )

"""`dinhdanh keys list|rotate sealing|reseal` (issue 12.0): the data dir's keys by name and version
(their ids only, never the keys), a new version of the sealing key, and re-sealing every sealed column
and file under the current one. Rotating: `keys rotate sealing`, restart the web and worker
processes (they read the keys once), then `keys reseal`; keep the old key files until reseal reports
nothing unreadable, and in the backups for as long as backups made before it are kept."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dinhdanh.core import audit, reseal
from dinhdanh.core.audit_actions import KernelAction
from dinhdanh.core.keys import key_versions, rotate_key

# Keys that may rotate here: the sealing key (every blob names its key). The login index has its own
# command, which re-indexes what it digests (`dinhdanh login-index`, decision 0036); pairwise subjects
# must never change; the audit keys have their own procedure (decision 0012).
ROTATABLE = ("sealing",)
LISTED = ("sealing", "login-index", "subject-pairwise")


class Command(BaseCommand):
    help = "Khóa mã hóa: xem, thay, mã hóa lại. / Keys: list, rotate, re-seal."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("list")
        rotating = sub.add_parser("rotate")
        rotating.add_argument("name")
        sub.add_parser("reseal")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "list":
            for name in LISTED:
                for version, kid, _key in key_versions(name):
                    self.stdout.write(f"{name}\tv{version}\t{kid}")
            return
        if action == "rotate":
            name = options["name"]
            if name not in ROTATABLE:
                raise CommandError(
                    f"Không thay được khóa {name!r} bằng lệnh này (chỉ: {', '.join(ROTATABLE)}). "
                    f"/ {name!r} cannot be rotated by this command (only: {', '.join(ROTATABLE)})."
                )
            kid = rotate_key(name)
            audit.record(
                KernelAction.KEY_ROTATED, actor=None, object_type="keys", object_id=name, after={"key_id": kid}
            )
            self.stdout.write(f"OK: {name} {kid}")
            return
        result = reseal.reseal_all()
        facts = {"values": result.values, "files": result.files, "unreadable": result.unreadable}
        audit.record(KernelAction.KEYS_RESEALED, actor=None, object_type="keys", object_id="sealing", after=facts)
        self.stdout.write(json.dumps(facts))

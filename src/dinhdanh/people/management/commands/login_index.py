"""`dinhdanh login-index status|rotate|reindex|retire [--force]` (decision 0036): the key of the blind
index personal numbers are found by.

    rotate    a new key version, then every stored digest re-indexed under it, in one transaction;
    reindex   the same re-indexing again (after processes that had not seen the new version wrote);
    retire    re-index, then delete the old versions — refused while digests are left under them
              (--force: delete anyway; what is left can never be matched again);
    status    the versions (their ids, never the keys) and what a re-index would leave.

Restart the web server and the worker after `retire` (they keep version 1 of a key in memory).
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from dinhdanh.core import audit
from dinhdanh.core.keys import key_versions, rotate_key
from dinhdanh.people.audit_actions import PeopleAction
from dinhdanh.people.logins import LOGIN_KEY
from dinhdanh.people.reindex import reindex, retire_old_versions


class Command(BaseCommand):
    help = "Khóa chỉ mục số định danh: thay, lập lại chỉ mục, xóa bản cũ. / The login index key."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        for name in ("status", "rotate", "reindex"):
            sub.add_parser(name)
        sub.add_parser("retire").add_argument("--force", action="store_true")

    def _record(self, action: PeopleAction, facts: dict[str, Any]) -> None:
        audit.record(action, actor=None, object_type="keys", object_id=LOGIN_KEY, after=facts)
        self.stdout.write(json.dumps(facts))

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "status":
            for version, kid, _key in key_versions(LOGIN_KEY):
                self.stdout.write(f"{LOGIN_KEY}\tv{version}\t{kid}")
            with transaction.atomic():
                dry = reindex().as_json()
                transaction.set_rollback(True)  # a look only
            self.stdout.write(json.dumps({"would_move": dry["moved"], "left": dry["unreachable"]}))
        elif action == "rotate":
            kid = rotate_key(LOGIN_KEY)
            self._record(PeopleAction.LOGIN_INDEX_ROTATED, {"key_id": kid, **reindex().as_json()})
        elif action == "reindex":
            self._record(PeopleAction.LOGIN_INDEX_REINDEXED, reindex().as_json())
        else:
            result, removed = retire_old_versions(force=options["force"])
            if not removed and len(key_versions(LOGIN_KEY)) > 1:
                raise CommandError(
                    f"Còn {result.unreachable} chỉ mục theo khóa cũ: chưa xóa (--force để xóa). "
                    f"/ {result.unreachable} digests are still under an old version: nothing deleted (--force)."
                )
            self._record(PeopleAction.LOGIN_INDEX_RETIRED, {"versions_deleted": removed, **result.as_json()})

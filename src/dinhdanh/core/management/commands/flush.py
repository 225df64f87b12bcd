"""Django's `flush`, able to empty the audit log on SQLite.

SQLite refuses DELETE on the audit table by trigger (migration 0006), and Django empties SQLite tables
with DELETE (PostgreSQL uses TRUNCATE, which row triggers do not see). Emptying the whole database is
what `flush` is for (Django's test cases call it between tests), so the trigger is lifted for the
flush alone, in the same transaction, and is back when it commits or rolls back.
"""

from __future__ import annotations

from typing import Any

from django.core.management.commands import flush
from django.db import connections, transaction

TRIGGER = "core_auditevent_no_delete"
CREATE = f"""CREATE TRIGGER {TRIGGER} BEFORE DELETE ON core_auditevent
   BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;"""


class Command(flush.Command):
    def handle(self, **options: Any) -> None:
        connection = connections[options["database"]]
        if connection.vendor != "sqlite":
            super().handle(**options)
            return
        with transaction.atomic(using=connection.alias):
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1 FROM sqlite_master WHERE type = 'trigger' AND name = %s", [TRIGGER])
                present = cursor.fetchone() is not None
                if present:
                    cursor.execute(f"DROP TRIGGER {TRIGGER}")
            super().handle(**options)
            if present:
                with connection.cursor() as cursor:
                    cursor.execute(CREATE)

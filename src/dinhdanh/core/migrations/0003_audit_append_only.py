"""Seed the audit chain head and make the audit table refuse UPDATE (and DELETE on PostgreSQL).

SQLite gets no DELETE trigger: Django's test flush empties tables with DELETE. Deletion is still
caught by `dinhdanh audit verify` (gapless seq and the remembered tip)."""

from django.db import migrations

GENESIS = "0" * 64

SQLITE_FORWARD = [
    """CREATE TRIGGER core_auditevent_no_update BEFORE UPDATE ON core_auditevent
       BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;""",
]
SQLITE_BACKWARD = ["DROP TRIGGER IF EXISTS core_auditevent_no_update;"]

PG_FORWARD = [
    """CREATE OR REPLACE FUNCTION core_auditevent_append_only() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'audit log is append-only'; END; $$ LANGUAGE plpgsql;""",
    """CREATE TRIGGER core_auditevent_no_change BEFORE UPDATE OR DELETE ON core_auditevent
       FOR EACH ROW EXECUTE FUNCTION core_auditevent_append_only();""",
]
PG_BACKWARD = [
    "DROP TRIGGER IF EXISTS core_auditevent_no_change ON core_auditevent;",
    "DROP FUNCTION IF EXISTS core_auditevent_append_only();",
]


def seed_head(apps, schema_editor):
    apps.get_model("core", "AuditChainHead").objects.get_or_create(
        pk=1, defaults={"last_seq": 0, "last_hash": GENESIS}
    )


def triggers(forward):
    def run(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        statements = {
            ("sqlite", True): SQLITE_FORWARD,
            ("sqlite", False): SQLITE_BACKWARD,
            ("postgresql", True): PG_FORWARD,
            ("postgresql", False): PG_BACKWARD,
        }.get((vendor, forward), [])
        for sql in statements:
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("core", "0002_initial")]

    operations = [
        migrations.RunPython(seed_head, migrations.RunPython.noop),
        migrations.RunPython(triggers(True), triggers(False)),
    ]

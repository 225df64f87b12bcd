"""The keyed audit chain (decision 0012): a key id on each event and on the head, and DELETE refused on
SQLite too.

Existing events get an empty key id: they keep their plain SHA-256 and still verify. Adding a column
makes SQLite rebuild the table, which drops its triggers, so both are created again here. Django's
test flush empties tables with DELETE on SQLite: `core/management/commands/flush.py` lifts the DELETE
trigger for the flush alone.
"""

from django.db import migrations, models

SQLITE_FORWARD = [
    """CREATE TRIGGER IF NOT EXISTS core_auditevent_no_update BEFORE UPDATE ON core_auditevent
       BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;""",
    """CREATE TRIGGER IF NOT EXISTS core_auditevent_no_delete BEFORE DELETE ON core_auditevent
       BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;""",
]
SQLITE_BACKWARD = ["DROP TRIGGER IF EXISTS core_auditevent_no_delete;"]

# PostgreSQL keeps the row trigger of 0003 (BEFORE UPDATE OR DELETE): ADD COLUMN does not drop it.
PG_FORWARD = [
    """CREATE OR REPLACE FUNCTION core_auditevent_append_only() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'audit log is append-only'; END; $$ LANGUAGE plpgsql;""",
    "DROP TRIGGER IF EXISTS core_auditevent_no_change ON core_auditevent;",
    """CREATE TRIGGER core_auditevent_no_change BEFORE UPDATE OR DELETE ON core_auditevent
       FOR EACH ROW EXECUTE FUNCTION core_auditevent_append_only();""",
]


def triggers(forward):
    def run(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        statements = {
            ("sqlite", True): SQLITE_FORWARD,
            ("sqlite", False): SQLITE_BACKWARD,
            ("postgresql", True): PG_FORWARD,
        }.get((vendor, forward), [])
        for sql in statements:
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0005_sequence_alter_auditevent_action_idempotencyrecord"),
    ]

    operations = [
        migrations.AddField(
            model_name="auditchainhead",
            name="key_id",
            field=models.CharField(blank=True, default="", max_length=16),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="key_id",
            field=models.CharField(blank=True, default="", max_length=16),
        ),
        migrations.RunPython(triggers(True), triggers(False)),
    ]

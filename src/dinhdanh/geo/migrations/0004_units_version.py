"""A version number of the administrative units, moved by the database itself at every write to the units,
their successions or their schemes (issue 17.3, decision 0050): whoever writes — a reform, `load_units`,
a village import, the admin, another process, plain SQL — every process sees that its cached
representations of the units are out of date (``geo.freshness``).

Triggers, not a model: nothing in the ORM reads or writes the row but ``geo.freshness``. On SQLite a
migration that rebuilds one of these tables drops its triggers with it; ``tests/geo/test_freshness.py``
fails until they are made again.
"""

from django.db import NotSupportedError, migrations

TABLES = ("geo_administrativeunit", "geo_unitsuccession", "geo_unitscheme")
VERSION_TABLE = "geo_units_version"


# Every name below is a constant of this file: no value from outside reaches the SQL.
def _sqlite(tables: tuple[str, ...]) -> list[str]:
    return [
        f"CREATE TABLE {VERSION_TABLE} (id integer NOT NULL PRIMARY KEY CHECK (id = 1), version integer NOT NULL)",
        f"INSERT INTO {VERSION_TABLE} (id, version) VALUES (1, 1)",  # noqa: S608
        *(
            f"CREATE TRIGGER {table}_{event.lower()}_version AFTER {event} ON {table} FOR EACH ROW "  # noqa: S608
            f"BEGIN UPDATE {VERSION_TABLE} SET version = version + 1 WHERE id = 1; END"
            for table in tables
            for event in ("INSERT", "UPDATE", "DELETE")
        ),
    ]


def _postgresql(tables: tuple[str, ...]) -> list[str]:
    return [
        f"CREATE TABLE {VERSION_TABLE} (id smallint NOT NULL PRIMARY KEY CHECK (id = 1), version bigint NOT NULL)",
        f"INSERT INTO {VERSION_TABLE} (id, version) VALUES (1, 1)",  # noqa: S608
        f"CREATE FUNCTION {VERSION_TABLE}_bump() RETURNS trigger LANGUAGE plpgsql AS $$ "  # noqa: S608
        f"BEGIN UPDATE {VERSION_TABLE} SET version = version + 1 WHERE id = 1; RETURN NULL; END $$",
        *(  # once per statement: a load of 14,000 rows moves it once
            f"CREATE TRIGGER {table}_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {VERSION_TABLE}_bump()"
            for table in tables
        ),
    ]


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor not in ("sqlite", "postgresql"):
        # The project runs on SQLite and PostgreSQL only (ARCHITECTURE.md); another database is refused
        # here rather than left without the triggers the public reads rely on (decision 0050).
        raise NotSupportedError(f"no units version triggers for {vendor}")
    for statement in (_sqlite if vendor == "sqlite" else _postgresql)(TABLES):
        schema_editor.execute(statement)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for table in TABLES:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_version ON {table}")
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {VERSION_TABLE}_bump()")
    else:
        for table in TABLES:
            for event in ("insert", "update", "delete"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_{event}_version")
    schema_editor.execute(f"DROP TABLE IF EXISTS {VERSION_TABLE}")


class Migration(migrations.Migration):
    dependencies = [
        ("geo", "0003_unit_schemes"),
    ]

    operations = [migrations.RunPython(create, drop)]

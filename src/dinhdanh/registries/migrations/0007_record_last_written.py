"""``Record.last_snapshot`` went: since registries 0006 it always equalled ``changed_snapshot`` (the last
snapshot that wrote the record), and it cost every imported row a column, an index entry and a
foreign-key check. ``disappeared_in`` is indexed only where set (decision 0055). Reversible: going
back fills ``last_snapshot`` from ``changed_snapshot``."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import F


def _fill_last_snapshot(apps, schema_editor):  # type: ignore[no-untyped-def]
    apps.get_model("registries", "Record").objects.update(last_snapshot=F("changed_snapshot"))


class Migration(migrations.Migration):
    dependencies = [
        ("geo", "0004_units_version"),
        ("registries", "0006_record_unstamped"),
    ]

    operations = [
        migrations.AlterField(
            model_name="record",
            name="last_snapshot",
            field=models.ForeignKey(
                null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to="registries.snapshot"
            ),
        ),
        migrations.RunPython(migrations.RunPython.noop, _fill_last_snapshot),
        migrations.RemoveField(model_name="record", name="last_snapshot"),
        migrations.AlterField(
            model_name="record",
            name="disappeared_in",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="registries.snapshot",
            ),
        ),
        migrations.AddIndex(
            model_name="record",
            index=models.Index(
                condition=models.Q(("disappeared_in__isnull", False)),
                fields=["disappeared_in"],
                name="registries_record_gone",
            ),
        ),
    ]

"""Reconciliation looks registry records up by code alone (an account's code, across every source):
the (source, code) unique index cannot serve that, so without this index each lookup is a scan or six
probes. Model state: ``Record.Meta.indexes`` gains the same index (registries/models.py)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("registries", "0002_importjob_baseline_exclusion"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="record",
            index=models.Index(fields=["code"], name="registries_record_code"),
        ),
    ]

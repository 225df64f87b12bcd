"""``Record.key`` (``registries.record_keys``): what tells a source's records apart, the code or, for a
record without one, a digest of its name key and commune code. The unique (source, code) made the
second organization without a code in a list stop the import with a database error; the constraint
is now on (source, key). Existing records get their key here (the code; at most one record per
source had none)."""

import hashlib

from django.db import migrations, models
from django.db.models import F


def fill_keys(apps, schema_editor):  # type: ignore[no-untyped-def]
    Record = apps.get_model("registries", "Record")
    Record.objects.exclude(code="").update(key=F("code"))
    for record in Record.objects.filter(code="").select_related("commune"):
        commune = record.commune.code if record.commune_id else ""
        digest = hashlib.blake2b(f"{record.name_key}\x1f{commune}".encode(), digest_size=16).hexdigest()
        record.key = "~" + digest  # record_keys.uncoded_key, as it is on the day of this migration
        record.save(update_fields=["key"])


class Migration(migrations.Migration):
    dependencies = [
        ("registries", "0007_record_last_written"),
    ]

    operations = [
        migrations.AddField(model_name="record", name="key", field=models.CharField(default="", max_length=40)),
        migrations.RunPython(fill_keys, migrations.RunPython.noop),
        migrations.AlterField(model_name="record", name="key", field=models.CharField(max_length=40)),
        migrations.RemoveConstraint(model_name="record", name="registries_record_source_code"),
        migrations.AddConstraint(
            model_name="record",
            constraint=models.UniqueConstraint(fields=("source", "key"), name="registries_record_source_key"),
        ),
    ]

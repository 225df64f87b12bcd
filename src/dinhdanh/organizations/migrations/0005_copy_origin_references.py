"""Copies each row's origin from its old foreign key into its reference (issue 11.1)."""

from typing import Any

from django.db import migrations, models


def copy_references(apps: Any, schema_editor: Any) -> None:
    for name in ("OrganizationChange", "OrganizationLock"):
        model = apps.get_model("organizations", name)
        rows = model.objects.filter(models.Q(application__isnull=False) | models.Q(snapshot__isnull=False))
        for row in rows.select_related("application", "snapshot").iterator(chunk_size=1000):
            if row.application_id is not None:
                row.reference, row.reference_id = row.application.number[:40], row.application_id
            else:
                row.reference, row.reference_id = f"{row.snapshot.source}#{row.snapshot_id}"[:40], row.snapshot_id
            row.save(update_fields=["reference", "reference_id"])


class Migration(migrations.Migration):
    dependencies = [
        ("organizations", "0004_origin_references"),
        ("applications", "0001_initial"),
        ("registries", "0001_initial"),
    ]

    operations = [migrations.RunPython(copy_references, migrations.RunPython.noop)]

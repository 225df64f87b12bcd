"""Placeholder in the migration chain, filled by the part of issue 14 that needs it."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("campaigns", "0005_tasks")]

    operations: list[migrations.operations.base.Operation] = []

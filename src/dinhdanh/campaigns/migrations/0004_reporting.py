"""Placeholder in the migration chain, filled by the part of issue 14 that needs it."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("campaigns", "0003_weekly_reports")]

    operations: list[migrations.operations.base.Operation] = []

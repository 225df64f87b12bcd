"""Issue 12.0: every account gets a public subject identifier, random and opaque (never database keys)."""

import secrets

from django.db import migrations, models

import dinhdanh.people.models.accounts


def fill(apps, schema_editor):  # type: ignore[no-untyped-def]
    User = apps.get_model("people", "User")
    for pk in User.objects.filter(subject__isnull=True).values_list("pk", flat=True).iterator():
        User.objects.filter(pk=pk).update(subject=secrets.token_urlsafe(16))


class Migration(migrations.Migration):
    dependencies = [("people", "0003_signin_method_texted_code")]

    operations = [
        migrations.AddField(
            model_name="user", name="subject", field=models.CharField(max_length=32, null=True, editable=False)
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="user",
            name="subject",
            field=models.CharField(
                default=dinhdanh.people.models.accounts.new_subject, editable=False, max_length=32, unique=True
            ),
        ),
    ]

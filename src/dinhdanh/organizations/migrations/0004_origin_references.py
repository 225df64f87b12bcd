"""Organizations stop referencing applications and registries by foreign key (issue 11.1): a history
or lock row keeps its origin as a readable reference and the id, copied here from the old columns."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("organizations", "0003_lock_proposals")]

    operations = [
        migrations.AddField(
            model_name="organizationchange",
            name="reference",
            field=models.CharField(blank=True, max_length=40),
        ),
        migrations.AddField(
            model_name="organizationchange",
            name="reference_id",
            field=models.BigIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="organizationlock",
            name="reference",
            field=models.CharField(blank=True, max_length=40),
        ),
        migrations.AddField(
            model_name="organizationlock",
            name="reference_id",
            field=models.BigIntegerField(blank=True, null=True),
        ),
    ]

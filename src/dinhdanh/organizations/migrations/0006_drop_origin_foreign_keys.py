"""Organizations no longer reference applications or registries by foreign key (issue 11.1)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("organizations", "0005_copy_origin_references")]

    operations = [
        migrations.RemoveField(model_name="membership", name="document"),
        migrations.RemoveField(model_name="organizationchange", name="application"),
        migrations.RemoveField(model_name="organizationchange", name="snapshot"),
        migrations.RemoveField(model_name="organizationlock", name="application"),
        migrations.RemoveField(model_name="organizationlock", name="snapshot"),
    ]

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0006_counts"),
        ("federation", "0007_stateless_client_tokens"),
        ("geo", "0003_unit_schemes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Reader",
            fields=[
                (
                    "id",
                    models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID"),
                ),
                ("granted_at", models.DateTimeField(verbose_name="cấp lúc")),
                (
                    "client",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="+", to="federation.client"
                    ),
                ),
                (
                    "granted_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "unit",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="geo.administrativeunit",
                        verbose_name="địa bàn",
                    ),
                ),
            ],
            options={
                "verbose_name": "hệ thống được đọc số liệu",
                "verbose_name_plural": "hệ thống được đọc số liệu",
                "constraints": [
                    models.UniqueConstraint(fields=("client", "unit"), name="campaigns_reader_unit"),
                    models.UniqueConstraint(
                        condition=models.Q(("unit__isnull", True)),
                        fields=("client",),
                        name="campaigns_reader_nation",
                    ),
                ],
            },
        ),
    ]

"""Partitioned audit chains (decision 0019) and domain events (decision 0020).

Every existing event and the existing head become the ``main`` chain and keep their hashes (``chain``
enters the sealed content only for other chains). Rebuilding the table drops SQLite's append-only
triggers, so they are created again, as in 0006.
"""

from importlib import import_module

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

_KEYED = import_module("dinhdanh.core.migrations.0006_audit_keyed_chain")


def _head_ids_after_the_first(apps, schema_editor):
    # The first head row was created with an explicit id (1), which leaves PostgreSQL's id sequence
    # at its start: the next head (a new chain's) would then take id 1, conflict, and be skipped by
    # the insert that ignores conflicts. Move the sequence past the existing rows.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "SELECT setval(pg_get_serial_sequence('core_auditchainhead', 'id'), "
            "COALESCE((SELECT MAX(id) FROM core_auditchainhead), 0) + 1, false)"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0007_audit_action_codes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="DomainEvent",
            fields=[
                (
                    "id",
                    models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID"),
                ),
                ("type", models.CharField(max_length=64, verbose_name="loại sự kiện")),
                ("occurred_at", models.DateTimeField(verbose_name="thời điểm")),
                ("organization_id", models.BigIntegerField(blank=True, null=True, verbose_name="tổ chức")),
                ("unit_code", models.CharField(blank=True, max_length=8, verbose_name="mã đơn vị")),
                ("province_code", models.CharField(blank=True, max_length=3, verbose_name="mã tỉnh")),
                ("category", models.CharField(blank=True, max_length=32, verbose_name="loại tổ chức")),
                ("payload", models.JSONField(blank=True, default=dict, verbose_name="nội dung")),
                ("request_id", models.CharField(blank=True, max_length=64, verbose_name="mã yêu cầu")),
            ],
            options={
                "verbose_name": "sự kiện nghiệp vụ",
                "verbose_name_plural": "sự kiện nghiệp vụ",
                "ordering": ["occurred_at", "id"],
            },
        ),
        migrations.AlterModelOptions(
            name="auditevent",
            options={
                "ordering": ["chain", "seq"],
                "verbose_name": "sự kiện kiểm toán",
                "verbose_name_plural": "nhật ký kiểm toán",
            },
        ),
        migrations.AddField(
            model_name="auditchainhead",
            name="chain",
            field=models.CharField(default="main", max_length=40, unique=True),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="chain",
            field=models.CharField(default="main", max_length=40, verbose_name="chuỗi"),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="seq",
            field=models.BigIntegerField(verbose_name="số thứ tự"),
        ),
        migrations.AddConstraint(
            model_name="auditevent",
            constraint=models.UniqueConstraint(fields=("chain", "seq"), name="core_auditevent_chain_seq"),
        ),
        migrations.AddField(
            model_name="domainevent",
            name="actor",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddIndex(
            model_name="domainevent",
            index=models.Index(fields=["type", "occurred_at"], name="core_domain_type_ee9c76_idx"),
        ),
        migrations.AddIndex(
            model_name="domainevent",
            index=models.Index(fields=["province_code", "occurred_at"], name="core_domain_provinc_b708ff_idx"),
        ),
        migrations.AddIndex(
            model_name="domainevent",
            index=models.Index(fields=["organization_id"], name="core_domain_organiz_d9fe56_idx"),
        ),
        migrations.RunPython(_KEYED.triggers(True), migrations.RunPython.noop),
        migrations.RunPython(_head_ids_after_the_first, migrations.RunPython.noop),
    ]

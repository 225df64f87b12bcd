"""Plan tasks (issue 14.8): an update's evidence file, and the marker of each overdue alert sent."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("campaigns", "0004_reporting")]

    operations = [
        migrations.AddField(
            model_name="taskupdate",
            name="evidence_file",
            field=models.CharField(blank=True, max_length=80, verbose_name="tệp minh chứng"),
        ),
        migrations.AddField(
            model_name="taskupdate",
            name="evidence_name",
            field=models.CharField(blank=True, max_length=255, verbose_name="tên tệp minh chứng"),
        ),
        migrations.AddField(
            model_name="taskupdate",
            name="evidence_sha256",
            field=models.CharField(blank=True, max_length=64, verbose_name="SHA-256 tệp minh chứng"),
        ),
        migrations.AddField(
            model_name="taskupdate",
            name="evidence_size",
            field=models.PositiveIntegerField(blank=True, null=True, verbose_name="cỡ tệp minh chứng"),
        ),
        migrations.AddField(
            model_name="taskupdate",
            name="evidence_type",
            field=models.CharField(blank=True, max_length=40, verbose_name="loại tệp minh chứng"),
        ),
        migrations.CreateModel(
            name="TaskAlert",
            fields=[
                (
                    "id",
                    models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID"),
                ),
                ("deadline", models.DateField(verbose_name="thời hạn")),
                ("sent_at", models.DateTimeField(verbose_name="gửi lúc")),
                ("recipients", models.PositiveIntegerField(default=0, verbose_name="số người nhận")),
                (
                    "task",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="alerts", to="campaigns.task"
                    ),
                ),
            ],
            options={
                "verbose_name": "cảnh báo nhiệm vụ quá hạn",
                "verbose_name_plural": "cảnh báo nhiệm vụ quá hạn",
                "constraints": [
                    models.UniqueConstraint(fields=("task", "deadline"), name="campaigns_taskalert_once")
                ],
            },
        ),
    ]

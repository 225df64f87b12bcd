"""The province's weekly roll-up and the reminders sent for units' reports (issue 14.6)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("campaigns", "0003_weekly_reports")]

    operations: list[migrations.operations.base.Operation] = [
        migrations.CreateModel(
            name="ProvinceReport",
            fields=[
                (
                    "id",
                    models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID"),
                ),
                ("week_start", models.DateField(verbose_name="tuần bắt đầu")),
                ("due_at", models.DateTimeField(verbose_name="hạn báo cáo")),
                ("numbers", models.JSONField(default=dict, verbose_name="số liệu")),
                ("units", models.JSONField(default=list, verbose_name="báo cáo của các đơn vị")),
                ("expected", models.PositiveIntegerField(verbose_name="số đơn vị phải báo cáo")),
                ("submitted", models.PositiveIntegerField(verbose_name="số đơn vị đã báo cáo")),
                ("on_time", models.PositiveIntegerField(verbose_name="số đơn vị báo cáo đúng hạn")),
                ("difficulties", models.TextField(blank=True, verbose_name="khó khăn, vướng mắc")),
                ("proposals", models.TextField(blank=True, verbose_name="đề xuất, kiến nghị")),
                ("submitted_at", models.DateTimeField(verbose_name="gửi lúc")),
                (
                    "plan",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="province_reports",
                        to="campaigns.plan",
                    ),
                ),
                (
                    "submitted_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "báo cáo tuần của tỉnh",
                "verbose_name_plural": "báo cáo tuần của tỉnh",
                "constraints": [
                    models.UniqueConstraint(fields=("plan", "week_start"), name="campaigns_province_report_once"),
                    models.CheckConstraint(
                        condition=models.Q(("submitted__lte", models.F("expected"))),
                        name="campaigns_province_rate",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("on_time__lte", models.F("submitted"))),
                        name="campaigns_province_on_time",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="ReportReminder",
            fields=[
                (
                    "id",
                    models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID"),
                ),
                ("week_start", models.DateField(verbose_name="tuần bắt đầu")),
                (
                    "kind",
                    models.CharField(
                        choices=[("due", "Nhắc trước hạn"), ("missing", "Nhắc khi quá hạn chưa báo cáo")],
                        max_length=16,
                        verbose_name="loại",
                    ),
                ),
                ("sent_at", models.DateTimeField(verbose_name="gửi lúc")),
                ("recipients", models.PositiveIntegerField(verbose_name="số người nhận")),
                ("messages", models.PositiveIntegerField(verbose_name="số tin đã xếp gửi")),
                (
                    "plan",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="+", to="campaigns.plan"
                    ),
                ),
                (
                    "unit",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to="geo.administrativeunit"
                    ),
                ),
            ],
            options={
                "verbose_name": "nhắc báo cáo tuần",
                "verbose_name_plural": "nhắc báo cáo tuần",
                "constraints": [
                    models.UniqueConstraint(
                        fields=("plan", "unit", "week_start", "kind"), name="campaigns_reminder_once"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("kind__in", ["due", "missing"])), name="campaigns_reminder_kind"
                    ),
                ],
            },
        ),
    ]

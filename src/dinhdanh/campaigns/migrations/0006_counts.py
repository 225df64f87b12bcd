"""Running totals on today's map (issue 14.4 at national scale, decision 0042): ``UnitHome`` (each
unit row's commune, province and territory on the map of a day), ``CountSeries`` (running totals per
commune and province through the closed days) and ``CountsMap`` (which map, closed through when)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("campaigns", "0005_tasks")]

    operations = [
        migrations.CreateModel(
            name="CountsMap",
            fields=[
                (
                    "id",
                    models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID"),
                ),
                ("on", models.DateField(verbose_name="bản đồ ngày")),
                ("until", models.DateField(blank=True, null=True, verbose_name="hiệu lực đến trước ngày")),
                ("fingerprint", models.CharField(max_length=300, verbose_name="dấu vân")),
                ("max_unit_id", models.BigIntegerField(default=0, verbose_name="mã dòng đơn vị lớn nhất")),
                ("closed_through", models.DateField(blank=True, null=True, verbose_name="lũy kế đến hết ngày")),
                ("built_at", models.DateTimeField(verbose_name="tính lúc")),
            ],
            options={
                "verbose_name": "bản đồ số đếm",
                "verbose_name_plural": "bản đồ số đếm",
            },
        ),
        migrations.CreateModel(
            name="CountSeries",
            fields=[
                (
                    "id",
                    models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID"),
                ),
                (
                    "level",
                    models.CharField(
                        choices=[("commune", "Xã / phường / đặc khu"), ("province", "Tỉnh / thành phố")],
                        max_length=16,
                        verbose_name="cấp",
                    ),
                ),
                ("unit_id", models.BigIntegerField(verbose_name="đơn vị")),
                (
                    "metric",
                    models.CharField(
                        choices=[
                            ("requests_received", "Hồ sơ đề nghị đã tiếp nhận"),
                            ("accounts_issued", "Tài khoản tổ chức đã cấp"),
                            ("accounts_activated", "Tài khoản tổ chức đã kích hoạt"),
                            ("persons_level1", "Tài khoản cá nhân mức 1"),
                            ("persons_level2", "Tài khoản cá nhân mức 2"),
                        ],
                        max_length=32,
                        verbose_name="chỉ tiêu",
                    ),
                ),
                ("category", models.CharField(blank=True, max_length=32, verbose_name="loại tổ chức")),
                ("days", models.BinaryField(verbose_name="các ngày")),
                ("totals", models.BinaryField(verbose_name="lũy kế")),
                ("total", models.BigIntegerField(default=0, verbose_name="tổng")),
            ],
            options={
                "verbose_name": "lũy kế theo đơn vị",
                "verbose_name_plural": "lũy kế theo đơn vị",
                "constraints": [
                    models.UniqueConstraint(
                        fields=("level", "unit_id", "metric", "category"), name="campaigns_series_key"
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="UnitHome",
            fields=[
                ("unit_id", models.BigIntegerField(primary_key=True, serialize=False, verbose_name="đơn vị")),
                ("commune_id", models.BigIntegerField(blank=True, null=True, verbose_name="xã nay")),
                ("province_id", models.BigIntegerField(blank=True, null=True, verbose_name="tỉnh nay")),
                ("territory", models.TextField(blank=True, verbose_name="địa bàn (mã dòng các xã nay)")),
                ("territory_provinces", models.TextField(blank=True, verbose_name="các tỉnh của địa bàn")),
                ("whole_province_id", models.BigIntegerField(blank=True, null=True, verbose_name="trọn một tỉnh")),
            ],
            options={
                "verbose_name": "vị trí đơn vị trên bản đồ hiện hành",
                "verbose_name_plural": "vị trí đơn vị trên bản đồ hiện hành",
                "indexes": [models.Index(fields=["commune_id"], name="campaigns_u_commune_0b9ebe_idx")],
            },
        ),
    ]

from typing import Any

from django.core.management.base import BaseCommand

from dinhdanh.demo.services import demo_load


class Command(BaseCommand):
    help = "Nạp dữ liệu mẫu (một tỉnh thật, danh sách tổ chức giả lập, cán bộ mọi vai trò). / Load demo data."

    def handle(self, *args: Any, **options: Any) -> None:
        manifest = demo_load()
        self.stdout.write(f"demo: {manifest['province_name']}, {manifest['organizations']} organizations")

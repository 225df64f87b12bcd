"""Mark the organization grants whose period has ended (run from cron, e.g. hourly). A lapsed grant is
already out of force before this runs; this records the end, audits it and tells the holder."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand

from dinhdanh.organizations.services import members_expire


class Command(BaseCommand):
    help = "Đánh dấu các quyền thành viên tổ chức đã hết hạn và in kết quả dạng JSON. / Expire lapsed organization grants."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(json.dumps({"expired": members_expire()}))

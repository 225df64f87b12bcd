from typing import Any

from django.core.management.base import BaseCommand

from dinhdanh.geo.services import units_load


class Command(BaseCommand):
    help = "Nạp danh mục đơn vị hành chính (cũ và mới) từ vietnam-provinces. / Load administrative units."

    def handle(self, *args: Any, **options: Any) -> None:
        result = units_load(actor=None)
        self.stdout.write(f"units={result.units} created={result.created} successions={result.successions}")

"""`dinhdanh units villages load FILE | list --commune CODE [--all]`: villages and residential groups.

The machine's operator acts here (``actor=None``), as with `dinhdanh load_units`; the rules are the
services' (``geo.villages``, ``geo.villages_csv``). A refused file prints every refused line, one per
line, and writes nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from dinhdanh.core.errors import DomainError
from dinhdanh.geo import selectors as geo
from dinhdanh.geo.villages_csv import villages_load

MAX_FILE_BYTES = 20 * 1024 * 1024


class Command(BaseCommand):
    help = "Thôn, tổ dân phố: nạp từ tệp CSV, liệt kê theo xã. / Villages: load from CSV, list by commune."

    def add_arguments(self, parser: CommandParser) -> None:
        kinds = parser.add_subparsers(dest="kind", required=True)
        villages = kinds.add_parser("villages", help="thôn, tổ dân phố / villages and residential groups")
        actions = villages.add_subparsers(dest="action", required=True)
        load = actions.add_parser("load", help="nạp tệp CSV commune_code,code,name / load a CSV file")
        load.add_argument("file")
        listing = actions.add_parser("list", help="liệt kê theo xã / list a commune's")
        listing.add_argument("--commune", required=True, help="mã xã (5 chữ số) / commune code")
        listing.add_argument("--all", action="store_true", help="cả đơn vị đã thôi / retired ones too")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "load":
            self._load(Path(options["file"]))
        else:
            self._list(options["commune"], everything=options["all"])

    def _load(self, path: Path) -> None:
        try:
            if path.stat().st_size > MAX_FILE_BYTES:
                raise CommandError(f"Tệp lớn quá 20 MB / the file is over 20 MB: {path}")
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Không đọc được tệp / cannot read the file: {path} ({exc.strerror})") from None
        try:
            result = villages_load(actor=None, data=data)
        except DomainError as exc:
            for each in exc.each():
                self.stderr.write(each.bilingual())
            raise CommandError(
                f"Tệp bị từ chối, không có gì được lưu / the file is refused, nothing was written ({exc.code})"
            ) from None
        self.stdout.write(f"OK: created={result.created} unchanged={result.unchanged}")

    def _list(self, code: str, *, everything: bool) -> None:
        commune = geo.resolve_commune_code(code)
        rows = geo.villages_of(commune, on=None if everything else timezone.localdate())
        self.stdout.write(f"# {commune.code} {commune.name}")
        for v in rows:
            until = f"  (đến / until {v.valid_to.isoformat()})" if v.valid_to else ""
            self.stdout.write(f"{v.code}\t{v.name}{until}")

"""`dinhdanh campaign-readers grant|revoke|list` (issue 14.9): which machines may pull which territory's
campaign figures through `/api/v1/campaigns/` with their own client-credentials token.

The client must already be registered with the scope ``campaigns.read`` (`dinhdanh clients ...`).
A unit is today's: a province by its 2-digit code, a commune by its 5-digit code; `--nationwide` is
the whole country (a ministry). The operator at the console acts (``actor=None``), audited.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dinhdanh.campaigns.readers import reader_grant, reader_revoke, readers_list
from dinhdanh.core.errors import DomainError
from dinhdanh.geo.models import Level
from dinhdanh.geo.selectors import unit_by_code

if TYPE_CHECKING:
    from dinhdanh.geo.models import AdministrativeUnit

_LEVEL_BY_WIDTH = {2: Level.PROVINCE, 5: Level.COMMUNE}


def _unit(code: str | None) -> AdministrativeUnit | None:
    if code is None:
        return None
    digits = code.strip()
    level = _LEVEL_BY_WIDTH.get(len(digits)) if digits.isdigit() else None
    if level is None:
        raise CommandError(
            "Mã đơn vị phải là mã tỉnh 2 chữ số hoặc mã xã 5 chữ số / "
            "a unit is a 2-digit province code or a 5-digit commune code"
        )
    return unit_by_code(digits, level=level)


class Command(BaseCommand):
    help = "Hệ thống được đọc số liệu chiến dịch qua API. / Machines allowed to read campaign figures."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        for name, text in (("grant", "cho phép / allow"), ("revoke", "thu hồi / revoke")):
            one = sub.add_parser(name, help=text)
            one.add_argument("client_id")
            where = one.add_mutually_exclusive_group(required=True)
            where.add_argument("--unit", help="mã tỉnh (2 số) hoặc xã (5 số) / province or commune code")
            where.add_argument("--nationwide", action="store_true", help="cả nước / the whole country")
        sub.add_parser("list", help="liệt kê / list")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "list":
            for row in readers_list():
                where = f"{row.unit.path} {row.unit.name}" if row.unit else "* (toàn quốc / nationwide)"
                self.stdout.write(f"{row.client.client_id}\t{row.client.name}\t{where}\t{row.granted_at:%d/%m/%Y}")
            return
        try:
            unit = _unit(options["unit"])
            if action == "grant":
                reader_grant(actor=None, client_id=options["client_id"], unit=unit)
            else:
                reader_revoke(actor=None, client_id=options["client_id"], unit=unit)
        except DomainError as exc:
            raise CommandError(exc.bilingual()) from None
        self.stdout.write(f"OK: {action} {options['client_id']} @ {unit.path if unit else '*'}")

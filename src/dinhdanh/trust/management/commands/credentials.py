"""`dinhdanh credentials list|sync|alert|add-partner FILE --source S [--email E]|remove-partner ID`:
keys and certificates that expire (issue 13.5). The operator of the machine acts here (``actor=None``),
as with every ``dinhdanh`` command; the rules — what a certificate file may hold, duplicates, expiry —
are the service's (``trust.credentials``), the same answers as the administrators' page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from dinhdanh.registries.sources import Source
from dinhdanh.trust.credential_alerts import alerts_due, credentials_overview
from dinhdanh.trust.credentials import (
    MAX_PEM_BYTES,
    credentials_sync,
    partner_certificate_register,
    partner_certificate_remove,
)


def _read(path: str) -> bytes:
    try:
        with Path(path).open("rb") as fh:
            return fh.read(MAX_PEM_BYTES + 1)  # one byte more: the service says "too large", not us
    except OSError as exc:
        raise CommandError(f"Không đọc được tệp / cannot read the file: {type(exc).__name__}") from exc


class Command(BaseCommand):
    help = "Khóa, chứng thư sắp hết hạn. / Keys and certificates that expire."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("list")
        sub.add_parser("sync")
        sub.add_parser("alert")
        adding = sub.add_parser("add-partner")
        adding.add_argument("file")
        adding.add_argument("--source", required=True, choices=Source.values)
        adding.add_argument("--email", default="")
        sub.add_parser("remove-partner").add_argument("id", type=int)

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "sync":
            self.stdout.write(str(credentials_sync()))
        elif action == "alert":
            self.stdout.write(str(alerts_due()))
        elif action == "add-partner":
            row = partner_certificate_register(
                actor=None, source=options["source"], pem=_read(options["file"]), contact_email=options["email"]
            )
            self.stdout.write(f"OK: #{row.pk} {row.label} → {timezone.localtime(row.not_after):%Y-%m-%d %H:%M}")
        elif action == "remove-partner":
            partner_certificate_remove(actor=None, credential_id=options["id"])
            self.stdout.write(f"OK: #{options['id']} off")
        else:
            for r in credentials_overview(actor=None).rows:
                c = r.credential
                owner = f"{r.owner} ({c.client.client_id})" if c.client else r.owner
                self.stdout.write(
                    f"#{c.pk}  {timezone.localtime(c.not_after):%Y-%m-%d %H:%M}  {r.days_left:>5}d  "
                    f"{r.level or '-':<7} {c.kind:<19} {owner}  {c.label}"
                )

"""`dinhdanh signing-keys list|rotate [--alg ALG]`: the OpenID provider's signing keys (decision 0031).
The schedule rotates them (``rotate_signing_keys``); this is for an operator who must rotate now
(a suspected leak): the old key signs no more at once, and stays published for tokens already out."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from dinhdanh.federation import selectors
from dinhdanh.federation.keys import ALGORITHMS, key_rotate


class Command(BaseCommand):
    help = "Khóa ký của nhà cung cấp định danh. / The identity provider's signing keys."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("list")
        rotating = sub.add_parser("rotate")
        rotating.add_argument("--alg", choices=ALGORITHMS, action="append", help="default: every algorithm")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "rotate":
            for row in key_rotate(actor=None, algs=tuple(options["alg"] or ALGORITHMS)):
                self.stdout.write(f"OK: {row.alg} {row.kid}")
            return
        for row in selectors.signing_keys():
            state = (
                "signs"
                if row.retired_at is None
                else f"published until {timezone.localtime(row.publish_until):%Y-%m-%d %H:%M}"
            )
            self.stdout.write(f"{row.alg:<6} {row.kid}  {timezone.localtime(row.created_at):%Y-%m-%d}  {state}")

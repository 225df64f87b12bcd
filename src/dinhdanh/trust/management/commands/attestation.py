"""`dinhdanh attestation verify FILE --jwks FILE_OR_URL [--status-list FILE_OR_URL]`: check a
Power-of-Representation attestation offline, from the published keys alone (no database is read;
``trust.offline_verify`` does the work and runs without Django too). Exit 0 valid, 1 invalid, revoked,
suspended or expired, 2 unusable input."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from dinhdanh.trust import offline_verify


class Command(BaseCommand):
    help = "Kiểm tra chứng thư quyền đại diện. / Check a Power-of-Representation attestation."
    requires_system_checks: list[str] = []  # offline: nothing of the site is needed
    requires_migrations_checks = False

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser("verify", help="offline: the token, the JWKS, optionally the status list")
        verify.add_argument("token", help="a file holding the attestation, or -")
        verify.add_argument("--jwks", required=True, help="a file or a URL (…/.well-known/jwks.json)")
        verify.add_argument("--status-list", default="", help="a file or a URL (the token's status uri)")

    def handle(self, *args: Any, **options: Any) -> None:
        argv = [options["token"], "--jwks", options["jwks"]]
        if options["status_list"]:
            argv += ["--status-list", options["status_list"]]
        code = offline_verify.main(argv, out=self.stdout, err=self.stderr)
        if code != offline_verify.EXIT_VALID:
            raise SystemExit(code)  # the exit code is the answer: 1 not valid, 2 unusable input

"""`dinhdanh clients list|add|disable|secret`: the relying-party registry (issue 12.4). The rules are
the service's (``federation.clients``); a secret is printed once and never stored in clear."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dinhdanh.federation import selectors
from dinhdanh.federation.clients import SCOPES, client_disable, client_register, client_secret_rotate
from dinhdanh.federation.models import AuthMethod, Profile, SigningAlg, SubjectType

MAX_JWKS_BYTES = 64 * 1024


def _jwks(path: str) -> dict[str, Any] | None:
    if not path:
        return None
    file = Path(path)
    try:
        if file.stat().st_size > MAX_JWKS_BYTES:
            raise CommandError(f"--jwks-file: > {MAX_JWKS_BYTES} bytes")
        data = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise CommandError(f"--jwks-file: {type(exc).__name__}") from exc
    return data if isinstance(data, dict) else {"keys": None}


class Command(BaseCommand):
    help = "Các bên sử dụng (ứng dụng đăng nhập bằng định danh). / Relying parties."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("list")
        adding = sub.add_parser("add")
        adding.add_argument("--name", required=True)
        adding.add_argument("--name-en", default="")
        adding.add_argument("--redirect-uri", action="append", required=True)
        adding.add_argument("--post-logout-uri", action="append", default=[])
        adding.add_argument("--scope", action="append", choices=SCOPES, default=None, help="default: openid")
        adding.add_argument("--profile", choices=Profile.values, default=Profile.BASIC)
        adding.add_argument("--auth", choices=AuthMethod.values, default=AuthMethod.SECRET_BASIC)
        adding.add_argument("--jwks-file", default="")
        adding.add_argument("--jwks-uri", default="")
        adding.add_argument("--service", default="", help="a code of `dinhdanh services list`")
        adding.add_argument("--subject", choices=SubjectType.values, default=SubjectType.PUBLIC)
        adding.add_argument("--sector", default="")
        adding.add_argument("--id-token-alg", choices=SigningAlg.values, default=SigningAlg.ES256)
        adding.add_argument("--legal-basis", default="", help="required with --scope personal_id")
        for name in ("disable", "secret"):
            sub.add_parser(name).add_argument("client_id")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "add":
            client, secret = client_register(
                actor=None, name=options["name"], name_en=options["name_en"], redirect_uris=options["redirect_uri"],
                post_logout_redirect_uris=options["post_logout_uri"], scopes=options["scope"] or ["openid"],
                profile=options["profile"], auth_method=options["auth"], jwks=_jwks(options["jwks_file"]),
                jwks_uri=options["jwks_uri"], service=options["service"], subject_type=options["subject"],
                sector=options["sector"], id_token_alg=options["id_token_alg"], legal_basis=options["legal_basis"],
            )  # fmt: skip
            self.stdout.write(f"client_id: {client.client_id}")
            if secret:
                self.stdout.write(f"client_secret: {secret}  (chỉ hiện một lần / shown once)")
        elif action == "disable":
            self.stdout.write(f"OK: {client_disable(actor=None, client_id=options['client_id']).client_id} off")
        elif action == "secret":
            secret = client_secret_rotate(actor=None, client_id=options["client_id"])
            self.stdout.write(f"client_secret: {secret}  (chỉ hiện một lần / shown once)")
        else:
            for client in selectors.clients():
                state = "on " if client.active else "off"
                service = client.service.code if client.service else "-"
                self.stdout.write(
                    f"{client.client_id}  {state} {client.profile:<5} {client.auth_method:<19} {service:<12} {client.name}"
                )

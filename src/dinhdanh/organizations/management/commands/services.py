"""`dinhdanh services list|set`: the registry of services relying parties name and member grants
authorize (issue 12.0). The rules are the service's (``organizations.services.service_save``)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from dinhdanh.organizations import selectors
from dinhdanh.organizations.services import service_save


class Command(BaseCommand):
    help = "Danh mục dịch vụ được ủy quyền. / The registry of services member grants name."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("list")
        setting = sub.add_parser("set", help="add a service, or rename it, or take it out of use")
        setting.add_argument("code", help="a-z 0-9 . _ -, e.g. thue.ke_khai")
        setting.add_argument("--name", required=True)
        setting.add_argument("--name-en", default="")
        state = setting.add_mutually_exclusive_group()
        state.add_argument("--inactive", action="store_true", help="take it out of use")
        state.add_argument("--active", action="store_true", help="back in use (the default)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "set":
            service = service_save(
                actor=None, code=options["code"], name=options["name"], name_en=options["name_en"],
                active=not options["inactive"],
            )  # fmt: skip
            self.stdout.write(f"OK: {service.code} {'on' if service.active else 'off'}")
            return
        for service in selectors.all_services():
            state = "on " if service.active else "off"
            self.stdout.write(
                f"{service.code:<32} {state} {service.name}" + (f" / {service.name_en}" if service.name_en else "")
            )

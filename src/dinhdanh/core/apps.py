from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "dinhdanh.core"
    label = "core"
    verbose_name = _("Lõi hệ thống")

    def ready(self) -> None:
        from dinhdanh.core import (
            audit_actions,  # noqa: F401  # its audit action codes (decision 0024)
            checks,  # noqa: F401  # registers the system checks
            durability,  # noqa: F401  # core.E014
            hardening,  # noqa: F401  # core.E010-E013 (deploy)
        )

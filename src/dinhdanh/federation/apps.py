from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FederationConfig(AppConfig):
    name = "dinhdanh.federation"
    label = "federation"
    verbose_name = _("Xác thực cho bên sử dụng")

    def ready(self) -> None:
        from dinhdanh.core import reseal
        from dinhdanh.federation import (
            audit_actions,  # noqa: F401  # its audit action codes (decision 0024)
            checks,  # noqa: F401  # federation.E001 (deploy)
            events,  # noqa: F401  # its domain event types (decision 0020)
        )
        from dinhdanh.federation.keys import PRIVATE_KEY_PURPOSE

        # Private signing keys are sealed; `dinhdanh keys reseal` moves them to a new sealing key.
        reseal.register("federation.SigningKey", "private_sealed", PRIVATE_KEY_PURPOSE)

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrustConfig(AppConfig):
    name = "dinhdanh.trust"
    label = "trust"
    verbose_name = _("Dịch vụ tin cậy cho bên sử dụng")

    def ready(self) -> None:
        from dinhdanh.core import reseal
        from dinhdanh.trust import audit_actions  # noqa: F401  # its audit action codes (decision 0024)
        from dinhdanh.trust.delivery import AUTHORIZATION_PURPOSE

        # Receivers' Authorization values are sealed; `dinhdanh keys reseal` moves them to a new key.
        reseal.register("trust.Receiver", "authorization_sealed", AUTHORIZATION_PURPOSE)

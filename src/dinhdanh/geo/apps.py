from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GeoConfig(AppConfig):
    name = "dinhdanh.geo"
    label = "geo"
    verbose_name = _("Đơn vị hành chính")

    def ready(self) -> None:
        # The app's audit action codes join the kernel's registry (decision 0024).
        from dinhdanh.geo import audit_actions  # noqa: F401

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "dinhdanh.notifications"
    label = "notifications"
    verbose_name = _("Thông báo")

    def ready(self) -> None:
        # The app's audit action codes join the kernel's registry (decision 0024).
        from dinhdanh.notifications import (
            audit_actions,  # noqa: F401
            checks,  # noqa: F401  # notifications.E001 (deploy)
        )

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistriesConfig(AppConfig):
    name = "dinhdanh.registries"
    label = "registries"
    verbose_name = _("Danh sách tham chiếu")

    def ready(self) -> None:
        # The app's audit action codes join the kernel's registry (decision 0024).
        from dinhdanh.people import reindex
        from dinhdanh.registries import (
            audit_actions,  # noqa: F401
            permissions,  # noqa: F401  # its roles, permissions and grants (decision 0024)
        )

        # Where this app stores login digests, re-indexed when the key rotates (decision 0036).
        reindex.register("registries.Record", "representative_digest")

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganizationsConfig(AppConfig):
    name = "dinhdanh.organizations"
    label = "organizations"
    verbose_name = _("Tổ chức")

    def ready(self) -> None:
        # The app's domain event types join the kernel's registry (decision 0020).
        from dinhdanh.organizations import (
            audit_actions,  # noqa: F401  # its audit action codes (decision 0024)
            events,  # noqa: F401
            permissions,  # noqa: F401  # its roles, permissions and grants (decision 0024)
            rehome,  # noqa: F401  # moves its rows when a commune is merged or split (geo.reform)
        )
        from dinhdanh.people import reindex

        # Where this app stores login digests, re-indexed when the key rotates (decision 0036).
        reindex.register("organizations.Organization", "representative_digest")

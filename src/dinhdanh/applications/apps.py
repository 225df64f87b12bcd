from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApplicationsConfig(AppConfig):
    name = "dinhdanh.applications"
    label = "applications"
    verbose_name = _("Hồ sơ tổ chức")

    def ready(self) -> None:
        # The app's domain event types join the kernel's registry (decision 0020).
        from dinhdanh.applications import (
            audit_actions,  # noqa: F401  # its audit action codes (decision 0024)
            events,  # noqa: F401
            panels,  # noqa: F401  # what organization pages show of requests (organizations.panels)
            permissions,  # noqa: F401  # its roles, permissions and grants (decision 0024)
            rehome,  # noqa: F401  # moves its rows when a commune is merged or split (geo.reform)
        )
        from dinhdanh.people import reindex

        # Where this app stores login digests, re-indexed when the key rotates (decision 0036): the
        # consents of the people a request names, and the request's data (its people's "digest").
        reindex.register("applications.Consent", "person_digest")
        reindex.register_json("applications.Application", "data")

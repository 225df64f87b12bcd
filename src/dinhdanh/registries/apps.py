from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistriesConfig(AppConfig):
    name = "dinhdanh.registries"
    label = "registries"
    verbose_name = _("Danh sách tham chiếu")

    def ready(self) -> None:
        # The app's audit action codes join the kernel's registry (decision 0024).
        from dinhdanh.core import events
        from dinhdanh.organizations.categories import Category
        from dinhdanh.people import reindex
        from dinhdanh.registries import (
            audit_actions,  # noqa: F401
            permissions,  # noqa: F401  # its roles, permissions and grants (decision 0024)
        )
        from dinhdanh.registries.selectors.police import police_category

        # Where this app stores login digests, re-indexed when the key rotates (decision 0036).
        reindex.register("registries.Record", "representative_digest")
        # A tax-code body on the police's list of its units is counted as a police unit (decision 0043).
        events.refine_category(Category.TAX_AGENCY.value, police_category)

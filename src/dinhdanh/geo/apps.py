from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def load_units_after_migrate(
    sender: AppConfig, *, plan: Any = None, using: str = "default", verbosity: int = 1, **kwargs: Any
) -> None:
    """`dinhdanh migrate` leaves a working system (issue 11.8): the administrative units every
    jurisdiction, head office and registry row needs are loaded with the schema, once. ``flush``
    (between tests) sends the signal without a plan: it asks for an empty database, so nothing loads."""
    from dinhdanh.geo.models import AdministrativeUnit
    from dinhdanh.geo.services import units_load

    if plan is None or AdministrativeUnit.objects.using(using).exists():
        return
    result = units_load(actor=None)
    if verbosity:
        print(f"  Nạp {result.created} đơn vị hành chính / loaded {result.created} administrative units")


class GeoConfig(AppConfig):
    name = "dinhdanh.geo"
    label = "geo"
    verbose_name = _("Đơn vị hành chính")

    def ready(self) -> None:
        # The app's audit action codes join the kernel's registry (decision 0024).
        from dinhdanh.geo import audit_actions  # noqa: F401

        post_migrate.connect(load_units_after_migrate, sender=self, dispatch_uid="geo.load_units")

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    name = "dinhdanh.people"
    label = "people"
    verbose_name = _("Tài khoản cá nhân")

    def ready(self) -> None:
        from django.contrib.auth.models import update_last_login
        from django.contrib.auth.signals import user_logged_in

        from dinhdanh.core import reseal
        from dinhdanh.people import (
            audit_actions,  # noqa: F401  # its audit action codes (decision 0024)
            events,  # noqa: F401  # the app's domain event types (decision 0020)
            permissions,  # noqa: F401  # its roles, permissions and grants (decision 0024)
        )
        from dinhdanh.people.identifiers import PID_PURPOSE

        # What `dinhdanh keys reseal` re-seals after the sealing key rotates (issue 12.0).
        reseal.register("people.User", "personal_id_sealed", PID_PURPOSE)
        reseal.register("people.PendingRegistration", "personal_id_sealed", PID_PURPOSE)
        reseal.register("people.KeptNumber", "sealed", PID_PURPOSE)
        reseal.register("people.LevelRequest", "card_number_sealed", "card-number")
        reseal.register("people.TotpDevice", "secret_sealed", "totp-secret")

        # signin.signin_complete records last_login in the sign-in transaction; Django's own handler
        # would write the same row a second time on every sign-in.
        user_logged_in.disconnect(update_last_login, dispatch_uid="update_last_login")

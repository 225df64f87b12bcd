from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CampaignsConfig(AppConfig):
    name = "dinhdanh.campaigns"
    label = "campaigns"
    verbose_name = _("Chiến dịch triển khai")

    def ready(self) -> None:
        from dinhdanh.campaigns import audit_actions, counting, permissions  # noqa: F401  # codes, grants (0024)
        from dinhdanh.campaigns.documents import audit_actions as documents_audit  # noqa: F401  # its codes
        from dinhdanh.core import events

        # Daily counts move in the transaction of the event they count (issue 14.4, decision 0040).
        events.listen(counting.count_event)

"""What the federation keeps and for how long (decision 0048, ``core.retention``).

Codes, tokens, replay records and pushed requests are not here: the hourly job deletes them once expired
(codes and tokens a day after: ``tasks.prune_federation_records``). What stays is the consent: who allowed which
relying party to know what, and when they took it back."""

from __future__ import annotations

from datetime import datetime

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from dinhdanh.core.retention import retained
from dinhdanh.federation.models import Consent


# A consent in force is not history; a revoked one is, from the day it was revoked.
@retained("federation.consents", usage=True, label=_("Sự đồng ý chia sẻ thông tin đã rút lại"))
def revoked_consents(cutoff: datetime) -> QuerySet[Consent]:
    return Consent.objects.filter(revoked_at__lt=cutoff)

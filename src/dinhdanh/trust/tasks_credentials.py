"""Recurring jobs of the trust services: expiry alerts for relying parties' and partners' keys and certificates."""

from __future__ import annotations

from datetime import timedelta

from django.tasks import task
from django.utils.translation import gettext_lazy as _

from dinhdanh.core.schedule import recurring
from dinhdanh.trust.credential_alerts import alerts_due
from dinhdanh.trust.credentials import credentials_sync


@recurring(
    "credential_expiry_alerts",
    every=timedelta(days=1),
    summary=_(
        "Theo dõi hạn khóa, chứng thư của bên sử dụng và đối tác; cảnh báo trước 30, 7, 1 ngày và khi hết hạn"
    ),
)
@task
def credential_expiry_alerts() -> dict[str, int]:
    # Sync first, so a key removed since yesterday gets no alert and a new one is alerted today.
    return {**credentials_sync(), **alerts_due()}

"""Recurring jobs of the trust services: attestations' status follows the organization (lock suspends, unlock restores, end revokes)."""

from __future__ import annotations

from datetime import timedelta

from django.tasks import task
from django.utils.translation import gettext_lazy as _

from dinhdanh.core.schedule import recurring
from dinhdanh.trust import event_feed
from dinhdanh.trust.attestations import FOLLOWED, follow_event

READER = "attestations"


def follow_organizations() -> int:
    """Hand every new organization event that may change an attestation to ``follow_event``."""
    return event_feed.read(READER, follow_event, types=FOLLOWED)


@recurring(
    "attestation_statuses",
    every=timedelta(minutes=1),
    summary=_("Cập nhật trạng thái chứng thư quyền đại diện theo tổ chức: khóa, mở khóa, chấm dứt, hết quyền"),
)
@task
def attestation_statuses() -> int:
    return follow_organizations()

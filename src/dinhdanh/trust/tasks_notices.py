"""Recurring jobs of the trust services: Security Event notices — dispatch from domain events, push
delivery with retries.

A change reaches a push receiver within about two minutes: the dispatch job runs every minute (the
shortest interval ``core.schedule`` allows) and pushes what it has just made in the same run; the
delivery job, also every minute, sends the retries that have come due. Nothing in ``organizations``
needs to know: the events are read from ``core.DomainEvent`` (decision 0037).
"""

from __future__ import annotations

from datetime import timedelta

from django.tasks import task
from django.utils.translation import gettext_lazy as _

from dinhdanh.core.schedule import recurring
from dinhdanh.trust.delivery import deliver_due
from dinhdanh.trust.dispatch import dispatch


@recurring(
    "trust_notices_dispatch",
    every=timedelta(minutes=1),
    summary=_("Tạo thông báo thay đổi (Security Event Token) cho bên sử dụng từ các sự kiện của tổ chức"),
)
@task
def dispatch_notices() -> dict[str, int]:
    counts = dispatch()
    if counts["notices"]:
        counts.update({f"pushed_{k}": v for k, v in deliver_due().items()})
    return counts


@recurring(
    "trust_notices_deliver",
    every=timedelta(minutes=1),
    summary=_("Gửi các thông báo thay đổi đến hạn tới bên sử dụng, thử lại khi lỗi"),
)
@task
def deliver_notices() -> dict[str, int]:
    return deliver_due()

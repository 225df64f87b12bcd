"""Recurring jobs of the campaigns (decision 0017): reminders of units' weekly reports and alerts of plan
tasks past their deadline, both through the notification outbox. Each sends a message at most once
(a unique marker per unit × week × kind, per task × deadline), so running often is cheap and two workers
running at once send nothing twice. And the running totals the dashboards read (decision 0042): the
map again when units changed, and the days closed since the last run."""

from __future__ import annotations

from datetime import timedelta

from django.tasks import task
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dinhdanh.campaigns import series
from dinhdanh.campaigns.reminders import reminders_due
from dinhdanh.campaigns.task_alerts import task_alerts_due
from dinhdanh.core.schedule import recurring


@recurring(
    "campaign_report_reminders",
    every=timedelta(minutes=30),
    summary=_("Nhắc đơn vị gửi báo cáo tuần của kế hoạch: trong ngày đến hạn, và khi quá hạn chưa gửi"),
)
@task
def campaign_report_reminders() -> dict[str, int]:
    return reminders_due()


@recurring(
    "campaign_task_alerts",
    every=timedelta(hours=6),
    summary=_("Cảnh báo nhiệm vụ của kế hoạch đã quá thời hạn mà chưa hoàn thành"),
)
@task
def campaign_task_alerts() -> dict[str, int]:
    return task_alerts_due()


@recurring(
    "campaign_counts_maintain",
    every=timedelta(hours=3),
    summary=_(
        "Cập nhật số lũy kế theo bản đồ hành chính hiện hành cho bảng theo dõi chiến dịch (các ngày đã qua)"
    ),
)
@task
def campaign_counts_maintain() -> dict[str, int]:
    # Idempotent: a day is closed once; the map is rebuilt only when the units changed since.
    return series.maintain(timezone.now())

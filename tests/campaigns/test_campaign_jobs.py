"""The campaigns' recurring jobs are registered with the worker and run their services."""

from __future__ import annotations

import pytest

from dinhdanh.campaigns.tasks import campaign_counts_maintain, campaign_report_reminders, campaign_task_alerts
from dinhdanh.core import schedule

pytestmark = pytest.mark.django_db


def test_both_jobs_are_known_to_the_worker_and_send_nothing_without_plans() -> None:
    jobs = schedule.registered()
    assert {"campaign_report_reminders", "campaign_task_alerts", "campaign_counts_maintain"} <= set(jobs)
    assert jobs["campaign_report_reminders"].every.total_seconds() == 1800
    assert sum(campaign_report_reminders.call().values()) == 0
    assert sum(campaign_task_alerts.call().values()) == 0
    first = campaign_counts_maintain.call()
    assert first["map"] in {0, 1, 2}
    assert campaign_counts_maintain.call()["map"] == 0  # the map holds: not computed again

"""Prometheus /metrics (issue 16.8): figures read from the database, for a scraper with the token or on
loopback, never on the outer zone."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from prometheus_client.parser import text_string_to_metric_families

from dinhdanh.core import audit
from dinhdanh.notifications.models import Message
from dinhdanh.people.audit_actions import PeopleAction
from dinhdanh.registries.models import ImportJob
from tests.conftest import make_user

pytestmark = pytest.mark.django_db
TOKEN = "m" * 24 + "-scraper-token"


def scrape(client: Client, **headers: Any) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = client.get("/metrics", REMOTE_ADDR="127.0.0.1", **headers)
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/plain; version=")
    assert response["Cache-Control"] == "no-store"
    found = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            found[sample.name, tuple(sorted(sample.labels.items()))] = sample.value
    return found


def test_the_figures_follow_the_database(client: Client) -> None:
    before = scrape(client)
    assert before["dinhdanh_outbox_messages", (("status", "pending"),)] == 0
    assert before["dinhdanh_tasks", (("status", "READY"),)] == 0
    user = make_user("Người Xem")
    ImportJob.objects.create(source="business", file_name="a.csv", stored_path="", uploaded_by=user)
    Message.objects.create(channel="sms", to="+84901234567", template="x")
    audit.record(PeopleAction.SIGNIN_FAILED, actor=None, object_type="user", object_id="1")
    audit.record(PeopleAction.SIGNIN_FAILED, actor=None, object_type="user", object_id="1")
    audit.record(PeopleAction.SIGNIN_SUCCEEDED, actor=user, object_type="user", object_id=str(user.pk))
    after = scrape(client)
    assert after["dinhdanh_registry_import_jobs", (("status", "queued"),)] == 1
    assert after["dinhdanh_outbox_messages", (("status", "pending"),)] == 1
    assert after["dinhdanh_outbox_oldest_open_seconds", ()] >= 0
    assert after["dinhdanh_signins_last_5m", (("outcome", "failed"),)] == 2
    assert after["dinhdanh_signins_last_5m", (("outcome", "succeeded"),)] == 1
    assert after["dinhdanh_audit_events_total", ()] >= before["dinhdanh_audit_events_total", ()] + 3
    assert after["dinhdanh_task_workers_alive", ()] == 0
    text = client.get("/metrics", REMOTE_ADDR="127.0.0.1").content.decode()
    assert "+84901234567" not in text  # counts only: no recipient, no number, no name


def test_without_a_token_only_loopback_scrapes(client: Client) -> None:
    for address in ("10.0.0.5", "192.168.1.9", "2001:db8::1"):
        refused = client.get("/metrics", REMOTE_ADDR=address)
        assert refused.status_code == 403
        assert b"dinhdanh_" not in refused.content


def test_without_a_token_a_request_relayed_by_a_proxy_on_the_same_host_is_refused(client: Client) -> None:
    for header in ("HTTP_X_FORWARDED_FOR", "HTTP_X_REAL_IP", "HTTP_FORWARDED"):
        relayed: dict[str, Any] = {header: "203.0.113.7"}
        refused = client.get("/metrics", REMOTE_ADDR="127.0.0.1", **relayed)
        assert refused.status_code == 403


def test_with_a_token_only_its_bearer_scrapes(client: Client, settings: Any) -> None:
    settings.METRICS_TOKEN = TOKEN
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 403  # loopback is not enough now
    for wrong in ("", f"Bearer {TOKEN}x", f"bearer {TOKEN}", TOKEN, f"Basic {TOKEN}"):
        assert client.get("/metrics", REMOTE_ADDR="10.0.0.5", HTTP_AUTHORIZATION=wrong).status_code == 403
    assert scrape(client, HTTP_AUTHORIZATION=f"Bearer {TOKEN}")

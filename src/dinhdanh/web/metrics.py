"""Prometheus ``/metrics`` on the inner zone (issue 16.8, docs/operations/monitoring.md).

Every figure is read from the database when scraped, through the apps' selectors: any web process
answers the same, so several processes behind a balancer need no shared memory and no multiprocess
mode (issue 16.5). Counts that would scan a national table are avoided: audit events come from the
chains' tips, sign-ins from a five-minute window on the occurred_at index.

Who may scrape: a client that presents ``Authorization: Bearer $DINHDANH_METRICS_TOKEN``; with no token
configured, loopback clients only, and not through a proxy (a request carrying X-Forwarded-For, X-Real-IP
or Forwarded came from elsewhere). Everyone else gets 403 and nothing is read.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterator
from datetime import timedelta

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from dinhdanh.core import selectors as kernel
from dinhdanh.notifications import selectors as outbox
from dinhdanh.people import selectors as people
from dinhdanh.people.audit_actions import PeopleAction
from dinhdanh.registries.selectors import jobs as registries

SIGNIN_WINDOW = timedelta(minutes=5)
SIGNIN_OUTCOMES = {
    PeopleAction.SIGNIN_SUCCEEDED.value: "succeeded",
    PeopleAction.SIGNIN_FAILED.value: "failed",
    PeopleAction.SIGNIN_THROTTLED.value: "throttled",
}
LOOPBACK = frozenset({"127.0.0.1", "::1"})
RELAY_HEADERS = ("HTTP_X_FORWARDED_FOR", "HTTP_X_REAL_IP", "HTTP_FORWARDED")


def _gauge(name: str, documentation: str, label: str, values: dict[str, int]) -> GaugeMetricFamily:
    family = GaugeMetricFamily(name, documentation, labels=[label])
    for key, value in sorted(values.items()):
        family.add_metric([key], value)
    return family


class Figures(Collector):
    def collect(self) -> Iterator[Metric]:
        now = timezone.now()
        yield _gauge("dinhdanh_registry_import_jobs", "Registry import jobs by status", "status",
                     registries.import_job_counts())  # fmt: skip
        yield _gauge("dinhdanh_outbox_messages", "Outbox messages by status", "status", outbox.status_counts())
        oldest = outbox.oldest_open_since()
        yield GaugeMetricFamily(
            "dinhdanh_outbox_oldest_open_seconds",
            "Age of the oldest message still waiting to go out (0: none)",
            value=(now - oldest).total_seconds() if oldest else 0,
        )
        yield _gauge("dinhdanh_tasks", "Background tasks by status", "status", kernel.task_counts())
        stale = timedelta(seconds=settings.TASK_WORKER_STALE_SECONDS)
        yield GaugeMetricFamily(
            "dinhdanh_task_workers_alive",
            "Task workers that beat recently",
            value=kernel.live_workers(now, within=stale),
        )
        yield GaugeMetricFamily(
            "dinhdanh_scheduled_jobs_overdue",
            "Recurring jobs late by more than the worker stale time (no worker takes them)",
            value=kernel.overdue_jobs(now, grace=stale),
        )
        yield GaugeMetricFamily(
            "dinhdanh_data_requests_overdue",
            "Requests about personal data past their acknowledgement or answer date (Law 91/2025)",
            value=people.data_requests_overdue(now),
        )
        signins = kernel.audit_events_since(SIGNIN_OUTCOMES, now - SIGNIN_WINDOW)
        yield _gauge(
            "dinhdanh_signins_last_5m", "Sign-ins in the last five minutes by outcome", "outcome",
            {SIGNIN_OUTCOMES[action]: n for action, n in signins.items()},
        )  # fmt: skip
        events = CounterMetricFamily("dinhdanh_audit_events", "Audit events written")
        events.add_metric([], kernel.audit_event_total())
        yield events


def allowed(request: HttpRequest) -> bool:
    token: str = settings.METRICS_TOKEN
    if token:
        given = request.headers.get("Authorization", "")
        return hmac.compare_digest(given.encode(), f"Bearer {token}".encode())
    # Loopback, and not relayed: a reverse proxy on the same host connects from loopback for everyone.
    relayed = any(request.META.get(header) for header in RELAY_HEADERS)
    return request.META.get("REMOTE_ADDR", "") in LOOPBACK and not relayed


def metrics(request: HttpRequest) -> HttpResponse:
    if not allowed(request):
        return HttpResponse("forbidden\n", status=403, content_type="text/plain; charset=utf-8")
    registry = CollectorRegistry(auto_describe=False)
    registry.register(Figures())
    response = HttpResponse(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)
    response["Cache-Control"] = "no-store"
    return response

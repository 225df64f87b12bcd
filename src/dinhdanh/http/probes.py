"""Probes for the load balancer and the orchestrator (issue 16.8, docs/operations/monitoring.md).

- ``/healthz``: the process answers (liveness); touches nothing.
- ``/readyz``: this process can serve (readiness): the database answers, and every migration this code
  expects is applied — a new version started before `dinhdanh migrate` is kept out of rotation instead
  of failing requests. The answer names what fails, never why (no hosts, no errors to the Internet).

Both are plain text, never cached, and exempt from the HTTPS redirect (a probe talks to the app port).
"""

from __future__ import annotations

import logging

from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, HttpResponse

log = logging.getLogger(__name__)

# Once every migration is seen applied, a process stops asking: migrations are not unapplied under a server.
_seen: dict[str, bool] = {"migrated": False}


def healthz(request: HttpRequest) -> HttpResponse:
    return _plain(200, "ok")


def _plain(status: int, text: str) -> HttpResponse:
    response = HttpResponse(text + "\n", status=status, content_type="text/plain; charset=utf-8")
    response["Cache-Control"] = "no-store"
    return response


def failing() -> list[str]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        log.warning("readyz: the database does not answer: %s", type(exc).__name__)
        return ["database"]
    if not _seen["migrated"]:
        executor = MigrationExecutor(connection)
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            return ["migrations"]
        _seen["migrated"] = True
    return []


def readyz(request: HttpRequest) -> HttpResponse:
    if found := failing():
        return _plain(503, "unready: " + ", ".join(found))
    return _plain(200, "ready")

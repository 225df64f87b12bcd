"""Load shedding (issue 16.6): past its capacity a server answers at once "503, try again in a second"
instead of letting requests queue until clients time out.

A WSGI wrapper around the whole application (the lean path included): at most ``MAX_ACTIVE_REQUESTS``
requests run at once in a process; a request that cannot start within ``SHED_WAIT_MS`` gets 503 with
``Retry-After: 1`` — problem+json under ``/api/`` and ``/oauth/``, plain text elsewhere — and touches
nothing. Useful with threaded workers (``dinhdanh serve --threads N``), whose threads accept more
connections than the cores can serve: the extra ones are answered, not left waiting. 0 turns it off
(the default, for sync workers, which take one request at a time anyway).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from django.conf import settings

StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]

RETRY_AFTER_SECONDS = 1
_TEXT = (
    "Máy chủ đang quá tải, vui lòng thử lại sau giây lát. / The server is busy; please try again in a moment.\n"
)


def _busy(environ: dict[str, Any], start_response: StartResponse) -> list[bytes]:
    path = str(environ.get("PATH_INFO", ""))
    if path.startswith(("/api/", "/oauth/")):
        body = json.dumps({
            "type": "urn:dinhdanh:problem:core.overloaded", "code": "core.overloaded",
            "title": "Máy chủ đang quá tải / The server is busy", "status": 503,
        }).encode()  # fmt: skip
        kind = "application/problem+json"
    else:
        body, kind = _TEXT.encode(), "text/plain; charset=utf-8"
    start_response("503 Service Unavailable", [
        ("Content-Type", kind), ("Content-Length", str(len(body))), ("Retry-After", str(RETRY_AFTER_SECONDS)),
        ("Cache-Control", "no-store"),
    ])  # fmt: skip
    return [body]


class _Released:
    """The response's body, giving the slot back once the server has sent it (PEP 3333 ``close``)."""

    def __init__(self, body: Iterable[bytes], slot: threading.BoundedSemaphore) -> None:
        self.body, self.slot = body, slot

    def __iter__(self) -> Iterator[bytes]:
        return iter(self.body)

    def close(self) -> None:
        try:
            closing = getattr(self.body, "close", None)
            if closing is not None:
                closing()
        finally:
            self.slot.release()


def shed(application: WsgiApp) -> WsgiApp:
    limit = int(settings.MAX_ACTIVE_REQUESTS)
    if limit <= 0:
        return application
    slots = threading.BoundedSemaphore(limit)
    wait = int(settings.SHED_WAIT_MS) / 1000

    def shedding(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if not slots.acquire(timeout=wait):
            return _busy(environ, start_response)
        try:
            body = application(environ, start_response)
        except BaseException:
            slots.release()
            raise
        return _Released(body, slots)

    return shedding

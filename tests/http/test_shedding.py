"""The load-shedding wrapper in the process (issue 16.6): a request that cannot start within the wait is
answered 503 at once, in problem+json under /api/ and /oauth/ and as a bilingual line elsewhere; the slot
comes back when the body is closed, also after an error; 0 turns it off."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable
from typing import Any

import pytest

from dinhdanh.http.shedding import shed


def _call(app: Any, path: str) -> tuple[str, dict[str, str], bytes, Any]:
    seen: list[tuple[str, list[tuple[str, str]]]] = []
    body = app({"PATH_INFO": path}, lambda status, headers: seen.append((status, headers)))
    content = b"".join(body)
    return seen[0][0], dict(seen[0][1]), content, body


def test_past_the_limit_a_request_is_shed_and_the_slot_comes_back(settings: Any) -> None:
    settings.MAX_ACTIVE_REQUESTS, settings.SHED_WAIT_MS = 1, 50
    release, entered = threading.Event(), threading.Event()

    def slow(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        start_response("200 OK", [("Content-Type", "text/plain")])
        entered.set()
        release.wait(10)
        return [b"ok"]

    app = shed(slow)

    def hold() -> None:
        _call(app, "/")[3].close()

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert entered.wait(10)  # the holder has the slot and waits in the view
        status, headers, content, _body = _call(app, "/api/v1/units")
        assert status.startswith("503")
        assert headers["Retry-After"] == "1"
        assert headers["Content-Type"] == "application/problem+json"
        assert json.loads(content)["code"] == "core.overloaded"
        status, headers, content, _body = _call(app, "/signin/")
        assert status.startswith("503")
        assert headers["Content-Type"].startswith("text/plain")
        assert "quá tải" in content.decode()
        assert "busy" in content.decode()
    finally:
        release.set()
        holder.join(10)
    status, _headers, content, body = _call(app, "/")  # the slot was given back when the body closed
    body.close()
    assert (status, content) == ("200 OK", b"ok")


def test_an_error_gives_the_slot_back(settings: Any) -> None:
    settings.MAX_ACTIVE_REQUESTS, settings.SHED_WAIT_MS = 1, 50

    def broken(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        raise RuntimeError("boom")

    app = shed(broken)
    for _ in range(3):
        with pytest.raises(RuntimeError):
            app({"PATH_INFO": "/"}, lambda *a: None)


def test_zero_turns_it_off(settings: Any) -> None:
    settings.MAX_ACTIVE_REQUESTS = 0

    def app(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        return [b""]

    assert shed(app) is app

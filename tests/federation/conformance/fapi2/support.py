"""What the FAPI 2.0 conformance-lite tests share: a signed-in flow to tokens, and how a refusal looks."""

from __future__ import annotations

from typing import Any

from django.test import Client as Browser

from dinhdanh.federation.models import PushedRequest
from tests.federation.conformance.harness import (
    exchange,
    push_and_consent,
)
from tests.federation.fapi import Rp


def tokens_for(rp: Rp, browser: Browser, **changes: Any) -> dict[str, Any]:
    flow = push_and_consent(rp, browser, **changes)
    response = exchange(rp, flow)
    assert response.status_code == 200, response.content
    return dict(response.json())


def assert_error(response: Any, status: int | tuple[int, ...], *errors: str) -> None:
    statuses = status if isinstance(status, tuple) else (status,)
    assert response.status_code in statuses, response.content
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["error"] in errors, response.content


def assert_par_refused(response: Any, *errors: str) -> None:
    assert_error(response, 400, *errors)
    assert not PushedRequest.objects.exists()

"""The data protection officer's side of people's requests about their personal data."""

from __future__ import annotations

from typing import Literal

from django.http import HttpRequest
from ninja import Router, Schema
from pydantic import Field

from dinhdanh.http.security import enforce_csrf, signed_in_user
from dinhdanh.http.zones import Zone
from dinhdanh.people import selectors
from dinhdanh.people.api_data_requests import DataRequestOut
from dinhdanh.people.services import data_requests

ZONE = Zone.INNER  # officers only
router = Router(tags=["personal data"])


class DecisionIn(Schema):
    action: Literal["acknowledge", "extend", "done", "refuse"]
    text: str = Field(default="", max_length=4000, description="the extension's reason, or the answer")


@router.get("/data-requests", response=list[DataRequestOut], url_name="data_requests_queue")
def queue(request: HttpRequest, all: bool = False) -> list[DataRequestOut]:
    rows = selectors.data_request_queue(actor=signed_in_user(request), open_only=not all)[:500]
    return [DataRequestOut.of(r) for r in rows]


@router.post("/data-requests/{pk}", response=DataRequestOut, url_name="data_requests_decide")
def decide(request: HttpRequest, pk: int, body: DecisionIn) -> DataRequestOut:
    enforce_csrf(request)
    actor = signed_in_user(request)
    if body.action == "acknowledge":
        row = data_requests.acknowledge(actor=actor, pk=pk)
    elif body.action == "extend":
        row = data_requests.extend(actor=actor, pk=pk, reason=body.text)
    else:
        row = data_requests.close(actor=actor, pk=pk, done=body.action == "done", outcome=body.text)
    return DataRequestOut.of(row)

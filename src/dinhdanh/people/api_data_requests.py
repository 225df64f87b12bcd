"""A person's requests about their own personal data (services.data_requests), for the person."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import Field

from dinhdanh.http.security import enforce_csrf, signed_in_user
from dinhdanh.http.zones import Zone
from dinhdanh.people import selectors
from dinhdanh.people.models import DataRequest
from dinhdanh.people.services import data_requests

ZONE = Zone.BOTH  # one's own account, wherever one signs in
router = Router(tags=["personal data"])


class DataRequestIn(Schema):
    kind: str = Field(max_length=16, description="access, correction, withdrawal, restriction, objection, erasure")
    detail: str = Field(default="", max_length=4000)


class DataRequestOut(Schema):
    number: str
    kind: str
    state: str
    detail: str
    received_at: datetime
    acknowledge_by: datetime
    due_at: datetime
    extended: bool
    acknowledgement_late: bool
    answer_late: bool
    outcome: str

    @staticmethod
    def of(row: DataRequest) -> DataRequestOut:
        timers = selectors.timers(row)
        return DataRequestOut(
            number=f"DR-{row.pk}", kind=row.kind, state=row.state, detail=row.detail, received_at=row.received_at,
            acknowledge_by=row.acknowledge_by, due_at=row.due_at, extended=row.extended_at is not None,
            acknowledgement_late=timers.acknowledgement_late, answer_late=timers.answer_late, outcome=row.outcome,
        )  # fmt: skip


@router.get("/me/data-requests", response=list[DataRequestOut], url_name="data_requests_mine")
def mine(request: HttpRequest) -> list[DataRequestOut]:
    user = signed_in_user(request)
    return [DataRequestOut.of(r) for r in selectors.own_data_requests(user)[:50]]


@router.get("/me/data-copy", response=dict[str, Any], url_name="data_copy")
def copy(request: HttpRequest) -> dict[str, Any]:
    """Everything the platform holds about the signed-in person, by section; needs a fresh second factor."""
    return data_requests.copy_for(signed_in_user(request))


@router.post("/me/data-requests", response={201: DataRequestOut}, url_name="data_requests_file")
def file(request: HttpRequest, body: DataRequestIn) -> Status[DataRequestOut]:
    enforce_csrf(request)
    row = data_requests.file_request(user=signed_in_user(request), kind=body.kind, detail=body.detail)
    return Status(201, DataRequestOut.of(row))

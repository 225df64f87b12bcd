"""Registry API: partners' systems push records (SPEC §4: lists arrive "or through the API").

``POST /api/v1/registries/{source}/records`` with ``{"records": [{field: value}], "complete": false}``
(or ``"complete": true, "territory": "91"``, see ``coverage``):
the fields of SPEC §8 (code, name, short_name, foreign_name, established_on, address, commune_code,
province_code, representative_name, representative_id, status), at most 5,000 records a call; one
snapshot per call. Cookie session + CSRF, ``Idempotency-Key`` honoured (``dinhdanh.http.idempotency``).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema
from pydantic import Field

from dinhdanh.http.idempotency import idempotent
from dinhdanh.http.security import enforce_csrf, signed_in_user
from dinhdanh.http.zones import Zone
from dinhdanh.registries.fields import RowProblem
from dinhdanh.registries.services.import_push import push_records

ZONE = Zone.INNER  # partner clerks push their lists from the back office
router = Router(tags=["registries"])


class PushIn(Schema):
    records: list[Any] = Field(description="Bản ghi: {trường: giá trị} / records: {field: value}")
    complete: bool = Field(
        default=False,
        description="Đây là toàn bộ danh sách của địa bàn: bản ghi của địa bàn không có trong lần gửi được đánh "
        "dấu không còn / this is the whole list of the territory: its records not sent are marked disappeared",
    )
    territory: str = Field(
        default="",
        max_length=10,
        description="Địa bàn của danh sách đầy đủ: mã tỉnh, mã xã, hoặc «all» / territory of a complete list: "
        "province code, commune code, or «all»",
    )
    confirm: bool = Field(
        default=False,
        description="Xác nhận đánh dấu nhiều bản ghi là không còn / confirm marking many records disappeared",
    )


class ProblemOut(Schema):
    index: int
    field: str
    code: str
    value: str
    reason_vi: str
    reason_en: str


class PushOut(Schema):
    snapshot: int
    source: str
    rows: int
    accepted: int
    updated: int
    unchanged: int
    rejected: int
    disappeared: int
    error_report: str
    organizations_updated: int
    representatives_changed: int
    organizations_terminated: int
    warnings: int
    coverage: str
    territory: str
    problems: list[ProblemOut]
    row_warnings: list[ProblemOut]


@router.post("/{source}/records", response={200: PushOut}, url_name="registries_push_records")
@idempotent
def push(request: HttpRequest, source: str, body: PushIn) -> dict[str, Any]:
    """Nhận bản ghi của một nguồn danh sách / receive records of one registry source."""
    enforce_csrf(request)
    result = push_records(
        actor=signed_in_user(request),
        source=source,
        records=body.records,
        complete=body.complete,
        territory=body.territory,
        confirmed=body.confirm,
    )
    summary = result.summary.as_json()
    summary.pop("already_imported", None)
    return {**summary, "problems": _problems(result.problems), "row_warnings": _problems(result.warnings)}


def _problems(found: list[tuple[int, RowProblem]]) -> list[dict[str, Any]]:
    return [
        {
            "index": index,
            "field": problem.field,
            "code": problem.code,
            "value": problem.value_shown,
            "reason_vi": problem.message("vi"),
            "reason_en": problem.message("en"),
        }
        for index, problem in found
    ]

"""POST /api/v1/registries/{source}/records: partners push records; the same validation as files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from dinhdanh.core.audit_actions import KernelAction
from dinhdanh.core.models import AuditEvent, IdempotencyRecord
from dinhdanh.geo.models import AdministrativeUnit
from dinhdanh.people.permissions import PeopleRole
from dinhdanh.registries.audit_actions import RegistryAction
from dinhdanh.registries.models import Channel, Record, Snapshot
from dinhdanh.registries.services.import_push import MAX_RECORDS
from tests.conftest import make_officer, signed_in
from tests.registries.web.support import clerk

pytestmark = pytest.mark.django_db

URL = "/api/v1/registries/{}/records"
GOOD = [
    {"code": "0100109106", "name": "Công ty TNHH Sao Mai", "commune_code": "30292", "status": "Đang hoạt động"},
    {
        "code": "0301234562",
        "name": "Công ty cổ phần Rạch Giá",
        "established_on": "2015-01-02",
        "commune_code": "30301",
    },
]


@pytest.fixture(autouse=True)
def data_dir(settings: Any, tmp_path: Path) -> Path:
    settings.DATA_DIR = tmp_path
    return tmp_path


def csrf_client(user: Any) -> tuple[Client, dict[str, str]]:
    client = signed_in(Client(enforce_csrf_checks=True), user)
    token = client.get("/api/v1/auth/csrf").json()["csrf_token"]
    return client, {"X-CSRFToken": token}


def push(client: Client, headers: dict[str, str], body: Any, source: str = "business", **extra: str) -> Any:
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post(
        URL.format(source), data=data, content_type="application/json", headers={**headers, **extra}
    )


@pytest.fixture
def business_clerk(an_giang: AdministrativeUnit) -> tuple[Client, dict[str, str]]:
    return csrf_client(clerk(an_giang, "business"))


def test_records_are_validated_and_imported_as_one_api_snapshot(
    business_clerk: tuple[Client, dict[str, str]],
) -> None:
    client, headers = business_clerk
    bad = {"code": "0100109107", "name": "Sai mã", "representative_id": "98765", "colour": "blue"}
    response = push(client, headers, {"records": [*GOOD, bad]})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["rows"], body["accepted"], body["rejected"], body["disappeared"]) == (3, 2, 3, 0)
    assert {p["field"] for p in body["problems"]} == {"colour", "code", "representative_id"}
    assert all(p["index"] == 2 and p["reason_vi"] and p["reason_en"] for p in body["problems"])
    assert "98765" not in json.dumps(body)  # a representative's number is never echoed (masked)
    snapshot = Snapshot.objects.get(pk=body["snapshot"])
    assert snapshot.channel == Channel.API
    assert Record.objects.filter(source="business").count() == 2
    assert AuditEvent.objects.filter(action=RegistryAction.REGISTRY_RECORDS_PUSHED).count() == 1
    assert {"organizations_updated", "representatives_changed", "organizations_terminated"} <= set(body)


def test_a_partial_push_never_marks_others_disappeared_but_a_complete_one_does(
    business_clerk: tuple[Client, dict[str, str]],
) -> None:
    client, headers = business_clerk
    assert push(client, headers, {"records": GOOD}).json()["accepted"] == 2
    partial = push(client, headers, {"records": GOOD[:1]}).json()
    assert (partial["unchanged"], partial["disappeared"]) == (1, 0)
    complete = push(client, headers, {"records": GOOD[:1], "complete": True, "territory": "91"}).json()
    assert (complete["disappeared"], complete["coverage"], complete["territory"]) == (1, "complete", "91")
    assert Record.objects.get(code="0301234562").disappeared_in_id == complete["snapshot"]


def test_duplicate_codes_in_one_call_keep_the_first(business_clerk: tuple[Client, dict[str, str]]) -> None:
    client, headers = business_clerk
    twice = [GOOD[0], {**GOOD[0], "name": "Tên khác"}]
    body = push(client, headers, {"records": twice}).json()
    assert (body["accepted"], body["rejected"]) == (1, 1)
    assert body["problems"][0]["index"] == 1
    assert body["problems"][0]["code"] == "registries.duplicate_in_file"
    assert Record.objects.get().name == "Công ty TNHH Sao Mai"


@pytest.mark.parametrize(
    "records",
    [["not a record"], [{"code": ["0100109106"], "name": "A"}], [{"code": True, "name": "A"}], [None]],
)
def test_records_of_the_wrong_shape_are_refused_one_by_one(
    business_clerk: tuple[Client, dict[str, str]], records: list[Any]
) -> None:
    client, headers = business_clerk
    body = push(client, headers, {"records": [*records, GOOD[0]]}).json()
    assert body["accepted"] == 1
    assert {p["index"] for p in body["problems"]} == {0}
    assert body["problems"][0]["code"] == "registries.not_text"


@pytest.mark.parametrize(
    "payload",
    ["{not json", "[]", '{"records": "x"}', '{"complete": true}', b"\xff\xfe", '{"records": [1], "complete": 3}'],
)
def test_malformed_bodies_are_a_problem_and_write_nothing(
    business_clerk: tuple[Client, dict[str, str]], payload: str | bytes
) -> None:
    client, headers = business_clerk
    response = push(client, headers, payload)
    assert 400 <= response.status_code < 500
    assert response["Content-Type"] == "application/problem+json"
    assert not Snapshot.objects.exists()


def test_too_many_records_are_refused_whole(business_clerk: tuple[Client, dict[str, str]], settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024**2
    client, headers = business_clerk
    response = push(client, headers, {"records": [{"code": "0100109106"}] * (MAX_RECORDS + 1)})
    assert response.status_code == 413
    assert response.json()["code"] == "registries.too_many_records"
    assert not Snapshot.objects.exists()


def test_an_empty_list_and_an_unknown_source_are_refused(business_clerk: tuple[Client, dict[str, str]]) -> None:
    client, headers = business_clerk
    assert push(client, headers, {"records": []}).json()["code"] == "registries.no_records"
    unknown = push(client, headers, {"records": GOOD}, source="bogus")
    assert (unknown.status_code, unknown.json()["code"]) == (400, "registries.unknown_source")
    assert not Snapshot.objects.exists()


def test_someone_without_the_permission_is_refused_and_audited(an_giang: AdministrativeUnit) -> None:
    client, headers = csrf_client(make_officer(PeopleRole.REVIEWING_OFFICER, an_giang))
    response = push(client, headers, {"records": GOOD})
    assert response.status_code == 403
    assert AuditEvent.objects.filter(action=KernelAction.ACCESS_DENIED).exists()
    assert not Snapshot.objects.exists()


def test_a_partner_clerk_of_another_source_is_refused(an_giang: AdministrativeUnit) -> None:
    client, headers = csrf_client(clerk(an_giang, "tax"))
    assert push(client, headers, {"records": GOOD}).status_code == 403
    assert push(client, headers, {"records": GOOD}, source="tax").status_code == 200


def test_without_csrf_token_or_session_nothing_happens(an_giang: AdministrativeUnit) -> None:
    client, _headers = csrf_client(clerk(an_giang))
    assert push(client, {}, {"records": GOOD}).status_code == 403
    assert push(Client(), {}, {"records": GOOD}).status_code == 401
    assert not Snapshot.objects.exists()


def test_the_same_key_and_body_replays_the_answer(business_clerk: tuple[Client, dict[str, str]]) -> None:
    client, headers = business_clerk
    first = push(client, headers, {"records": GOOD}, **{"Idempotency-Key": "lo-2025-11-01"})
    again = push(client, headers, {"records": GOOD}, **{"Idempotency-Key": "lo-2025-11-01"})
    assert again.status_code == first.status_code == 200
    assert again.json() == first.json()
    assert again["Idempotency-Replayed"] == "true"
    assert "Idempotency-Replayed" not in first
    assert Snapshot.objects.count() == 1


def test_the_same_key_with_another_body_is_refused(business_clerk: tuple[Client, dict[str, str]]) -> None:
    client, headers = business_clerk
    push(client, headers, {"records": GOOD}, **{"Idempotency-Key": "k1"})
    other = push(client, headers, {"records": GOOD[:1]}, **{"Idempotency-Key": "k1"})
    assert (other.status_code, other.json()["code"]) == (422, "idempotency_key_reused")
    assert Snapshot.objects.count() == 1


def test_a_refusal_is_replayed_too_and_a_key_is_per_caller(an_giang: AdministrativeUnit) -> None:
    tax_client, tax_headers = csrf_client(clerk(an_giang, "tax"))
    refused = push(tax_client, tax_headers, {"records": GOOD}, **{"Idempotency-Key": "same"})
    assert refused.status_code == 403
    replay = push(tax_client, tax_headers, {"records": GOOD}, **{"Idempotency-Key": "same"})
    assert (replay.status_code, replay["Idempotency-Replayed"]) == (403, "true")
    client, headers = csrf_client(clerk(an_giang, "business"))
    assert push(client, headers, {"records": GOOD}, **{"Idempotency-Key": "same"}).status_code == 200
    assert IdempotencyRecord.objects.count() == 2

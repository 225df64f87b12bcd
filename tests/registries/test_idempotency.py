"""dinhdanh.http.idempotency on the batch endpoint: invalid keys, keys in progress, expiry, summary."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from dinhdanh.core.models import IdempotencyRecord
from dinhdanh.geo.models import AdministrativeUnit
from dinhdanh.registries.models import Snapshot
from dinhdanh.registries.services.imports import import_file
from tests.registries.test_api_push import GOOD, csrf_client, push
from tests.registries.web.support import clerk

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def data_dir(settings: Any, tmp_path: Path) -> Path:
    settings.DATA_DIR = tmp_path
    return tmp_path


@pytest.fixture
def caller(an_giang: AdministrativeUnit) -> tuple[Client, dict[str, str]]:
    return csrf_client(clerk(an_giang, "business"))


@pytest.mark.parametrize("key", ["", "x" * 256, "khóa", "a\nb", "\x00"])
def test_an_invalid_key_is_refused(caller: tuple[Client, dict[str, str]], key: str) -> None:
    client, headers = caller
    response = push(client, headers, {"records": GOOD}, **{"Idempotency-Key": key})
    assert response.status_code == 400
    assert response.json()["code"] == "idempotency_key_invalid"
    assert not Snapshot.objects.exists()


def test_the_longest_printable_key_is_fine(caller: tuple[Client, dict[str, str]]) -> None:
    client, headers = caller
    assert push(client, headers, {"records": GOOD}, **{"Idempotency-Key": "~ !" * 85}).status_code == 200


def test_a_key_in_progress_is_a_conflict_and_an_abandoned_one_is_taken_over(
    caller: tuple[Client, dict[str, str]],
) -> None:
    client, headers = caller
    push(client, headers, {"records": GOOD}, **{"Idempotency-Key": "k"})
    record = IdempotencyRecord.objects.get()
    record.status_code = None  # as if the first request were still running
    record.save()
    busy = push(client, headers, {"records": GOOD}, **{"Idempotency-Key": "k"})
    assert (busy.status_code, busy.json()["code"]) == (409, "idempotency_key_in_progress")
    IdempotencyRecord.objects.update(created_at=timezone.now() - timedelta(hours=1))
    assert push(client, headers, {"records": GOOD}, **{"Idempotency-Key": "k"}).status_code == 200
    assert Snapshot.objects.count() == 2


def test_keys_expire_after_a_day(caller: tuple[Client, dict[str, str]]) -> None:
    client, headers = caller
    push(client, headers, {"records": GOOD}, **{"Idempotency-Key": "k"})
    IdempotencyRecord.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    again = push(client, headers, {"records": GOOD[:1]}, **{"Idempotency-Key": "k"})  # another body: fine now
    assert again.status_code == 200
    assert "Idempotency-Replayed" not in again
    assert Snapshot.objects.count() == 2


def test_without_a_key_every_call_is_a_new_snapshot(caller: tuple[Client, dict[str, str]]) -> None:
    client, headers = caller
    push(client, headers, {"records": GOOD})
    push(client, headers, {"records": GOOD})
    assert Snapshot.objects.count() == 2
    assert not IdempotencyRecord.objects.exists()


def test_the_file_summary_carries_the_organization_counts(tmp_path: Path) -> None:
    path = tmp_path / "dn.csv"
    path.write_text("Mã số thuế,Tên doanh nghiệp\n0100109106,Công ty TNHH Sao Mai\n", encoding="utf-8")
    summary = json.loads(json.dumps(import_file(source="business", path=path, actor=None).as_json()))
    assert {"organizations_updated", "representatives_changed", "organizations_terminated"} <= set(summary)

"""Issue 10, point 4 on the upload page and the push API: the clerk says what the file covers, and
confirms before a file marks many organizations as no longer listed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django.fixtures import DjangoCaptureOnCommitCallbacks

from dinhdanh.core.audit_actions import KernelAction
from dinhdanh.core.models import AuditEvent
from dinhdanh.geo.models import AdministrativeUnit
from dinhdanh.registries.models import Coverage, ImportJob, JobStatus, Record
from tests.conftest import signed_in
from tests.registries.list_support import HANOI, HEADER, A, rows
from tests.registries.web.support import clerk, csv_bytes, upload
from tests.web.support import html

pytestmark = pytest.mark.django_db

Capture = DjangoCaptureOnCommitCallbacks
URL = "/api/v1/registries/business/records"


@pytest.fixture(autouse=True)
def thresholds(settings: Any) -> None:
    settings.REGISTRY_DISAPPEAR_CONFIRM_PERCENT, settings.REGISTRY_DISAPPEAR_CONFIRM_MIN = 5, 20


def listed() -> int:
    return Record.objects.filter(disappeared_in__isnull=True).count()


def test_the_page_asks_what_the_file_covers(client: Client, an_giang: AdministrativeUnit, uploads: Path) -> None:
    signed_in(client, clerk(an_giang))
    page = html(client.get(reverse("registries:upload")))
    assert 'name="coverage" value="complete"' in page
    assert 'name="coverage" value="partial"' in page
    assert '<option value="91">Tỉnh An Giang</option>' in page
    assert f'<option value="{A}">' in page
    assert '<option value="01">' not in page  # not their territory
    response = upload(client, csv_bytes(), coverage="")
    assert response.status_code == 400
    assert "danh sách đầy đủ của một địa bàn hay chỉ một phần" in html(response)
    assert not ImportJob.objects.exists()
    assert not list(uploads.glob("*.upload"))


def test_a_complete_list_needs_a_territory_of_the_clerks(
    client: Client, an_giang: AdministrativeUnit, uploads: Path
) -> None:
    user = clerk(an_giang)
    signed_in(client, user)
    response = upload(client, csv_bytes(), coverage="complete")
    assert response.status_code == 400
    assert "phải ghi rõ địa bàn" in html(response)
    response = upload(client, csv_bytes(), coverage="complete", territory="01")  # a forged choice
    assert response.status_code == 403
    assert AuditEvent.objects.filter(action=KernelAction.ACCESS_DENIED, actor=user).exists()
    assert not ImportJob.objects.exists()
    assert not list(uploads.glob("*.upload"))


def test_a_complete_upload_waits_for_confirmation_then_marks_only_its_territory(
    client: Client, an_giang: AdministrativeUnit, uploads: Path, django_capture_on_commit_callbacks: Capture
) -> None:
    signed_in(client, clerk(an_giang))
    ours, theirs = rows(A, 100_000_000, 30), rows(HANOI, 120_000_000, 5)
    with django_capture_on_commit_callbacks(execute=True):
        assert upload(client, csv_bytes(ours + theirs, HEADER), name="all.csv").status_code == 302
        response = upload(client, csv_bytes(ours[:1], HEADER), name="one.csv", coverage="complete", territory="91")
    job = ImportJob.objects.get(file_name="one.csv")
    assert (job.status, job.coverage, job.territory) == (JobStatus.FAILED, Coverage.COMPLETE, an_giang)
    assert job.failure.startswith("registries.confirm_disappearance")
    page = html(client.get(response["Location"]))
    assert "29 trong 30 tổ chức của Tỉnh An Giang" in page
    assert listed() == 35
    assert not list(uploads.glob("*.upload"))  # the refused file is gone too

    with django_capture_on_commit_callbacks(execute=True):
        upload(
            client,
            csv_bytes(ours[:1], HEADER),
            name="one-ok.csv",
            coverage="complete",
            territory="91",
            confirm=True,
        )
    job = ImportJob.objects.get(file_name="one-ok.csv")
    assert job.status == JobStatus.COMPLETED
    assert job.snapshot is not None
    assert (job.snapshot.coverage, job.snapshot.disappeared) == (Coverage.COMPLETE, 29)
    assert listed() == 6  # the one kept, and Hà Nội's five


# --- the push API --------------------------------------------------------------------------------------


def _client(user: Any) -> tuple[Client, dict[str, str]]:
    client = signed_in(Client(enforce_csrf_checks=True), user)
    token = client.get("/api/v1/auth/csrf").json()["csrf_token"]
    return client, {"X-CSRFToken": token}


def _push(client: Client, headers: dict[str, str], body: dict[str, Any]) -> Any:
    return client.post(URL, data=json.dumps(body), content_type="application/json", headers=headers)


def _records(data: list[list[str]]) -> list[dict[str, str]]:
    return [{"code": r[0], "name": r[1], "commune_code": r[2]} for r in data]


def test_the_api_complete_flag_needs_a_territory_and_a_confirmation(an_giang: AdministrativeUnit) -> None:
    client, headers = _client(clerk(an_giang))
    ours, theirs = rows(A, 100_000_000, 30), rows(HANOI, 120_000_000, 5)
    assert _push(client, headers, {"records": _records(ours + theirs)}).json()["accepted"] == 35
    one = _records(ours[:1])
    missing = _push(client, headers, {"records": one, "complete": True})
    assert (missing.status_code, missing.json()["code"]) == (400, "registries.territory_required")
    elsewhere = _push(client, headers, {"records": one, "complete": True, "territory": "01"})
    assert (elsewhere.status_code, elsewhere.json()["code"]) == (403, "core.out_of_jurisdiction")
    many = _push(client, headers, {"records": one, "complete": True, "territory": "91"})
    assert (many.status_code, many.json()["code"]) == (409, "registries.confirm_disappearance")
    assert listed() == 35
    done = _push(client, headers, {"records": one, "complete": True, "territory": "91", "confirm": True})
    assert done.status_code == 200
    assert (done.json()["disappeared"], done.json()["territory"]) == (29, "91")
    assert listed() == 6

"""The upload page: a file streams to disk, becomes an import job, and the job reports its summary."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django.fixtures import DjangoCaptureOnCommitCallbacks

from dinhdanh.core.access import Role
from dinhdanh.core.audit_actions import KernelAction
from dinhdanh.core.models import AuditEvent
from dinhdanh.geo.models import AdministrativeUnit
from dinhdanh.people.permissions import PeopleRole
from dinhdanh.registries.audit_actions import RegistryAction
from dinhdanh.registries.models import ImportJob, JobStatus, Record, Snapshot, SnapshotStatus
from dinhdanh.registries.permissions import RegistryRole
from dinhdanh.registries.services import jobs
from dinhdanh.registries.views.uploads import status_payload
from tests.conftest import make_user, signed_in
from tests.registries.web.support import BAD_ROW, ROWS, clerk, csv_bytes, named_file, officer, upload, xlsx_bytes
from tests.web.support import csrf_token, html

pytestmark = pytest.mark.django_db

Capture = DjangoCaptureOnCommitCallbacks


def _status(client: Client, job: ImportJob) -> dict[str, object]:
    response = client.get(reverse("registries:job_status", args=[job.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    data: dict[str, object] = response.json()
    return data


def test_the_page_offers_a_partner_clerk_only_their_source(client: Client, an_giang: AdministrativeUnit) -> None:
    signed_in(client, clerk(an_giang, "tax"))
    page = html(client.get(reverse("registries:upload")))
    assert '<option value="tax" selected>' in page
    assert 'value="business"' not in page
    assert 'enctype="multipart/form-data"' in page
    assert "registries/upload.js" in page
    assert "<script>" not in page  # the CSP allows no inline script


def test_a_csv_upload_becomes_a_job_a_snapshot_and_records(
    client: Client, an_giang: AdministrativeUnit, uploads: Path, django_capture_on_commit_callbacks: Capture
) -> None:
    user = clerk(an_giang)
    signed_in(client, user)
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, csv_bytes(), name="DN tháng 6.csv")
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("registries:job", args=[job.pk])
    assert (job.status, job.source, job.file_name, job.uploaded_by) == (
        JobStatus.COMPLETED, "business", "DN tháng 6.csv", user,
    )  # fmt: skip
    assert job.size == len(csv_bytes())
    assert job.snapshot is not None
    assert job.snapshot.status == SnapshotStatus.COMPLETED
    assert job.snapshot.imported_by == user
    assert Record.objects.filter(source="business").count() == 3
    assert not list(uploads.glob("*.upload"))  # the uploaded file is gone once imported

    data = _status(client, job)
    assert data["status"] == "completed"
    assert data["percent"] == 100
    assert data["summary"] == {
        "accepted": 3, "updated": 0, "unchanged": 0, "rejected": 0, "disappeared": 0, "rows": 3,
        "already_imported": False, "organizations_updated": 0, "representatives_changed": 0,
        "organizations_terminated": 0, "warnings": 0, "coverage": "partial", "territory": "",
    }  # fmt: skip
    assert data["error"] == ""
    assert data["links"] == {"snapshot": reverse("registries:snapshot", args=[job.snapshot.pk])}

    page = html(client.get(response["Location"]))
    assert "DN tháng 6.csv" in page
    assert "Hoàn tất" in page
    assert 'data-field="accepted">3<' in page  # the summary is there without JavaScript


def test_an_xlsx_upload_through_javascript_answers_json(
    client: Client, an_giang: AdministrativeUnit, django_capture_on_commit_callbacks: Capture
) -> None:
    signed_in(client, clerk(an_giang))
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, xlsx_bytes([*ROWS, BAD_ROW]), name="dn.xlsx", xhr=True)
    assert response.status_code == 201
    job = ImportJob.objects.get()
    assert response.json() == {
        "job": job.pk,
        "job_url": reverse("registries:job", args=[job.pk]),
        "status_url": reverse("registries:job_status", args=[job.pk]),
    }
    data = _status(client, job)
    summary = data["summary"]
    assert isinstance(summary, dict)
    assert (summary["accepted"], summary["rejected"], summary["rows"]) == (3, 1, 4)
    assert job.snapshot_id is not None
    assert data["links"] == {
        "snapshot": reverse("registries:snapshot", args=[job.snapshot_id]),
        "errors_csv": reverse("registries:error_report", args=[job.snapshot_id, "csv"]),
        "errors_xlsx": reverse("registries:error_report", args=[job.snapshot_id, "xlsx"]),
    }


def test_uploading_the_same_file_again_changes_nothing(
    client: Client, an_giang: AdministrativeUnit, django_capture_on_commit_callbacks: Capture
) -> None:
    signed_in(client, clerk(an_giang))
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, csv_bytes())
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, csv_bytes(), name="lai-lan-nua.csv")
    first, second = ImportJob.objects.order_by("pk")
    assert second.snapshot_id == first.snapshot_id
    assert Snapshot.objects.count() == 1
    summary = _status(client, second)["summary"]
    assert isinstance(summary, dict)
    assert summary["already_imported"] is True
    assert (summary["accepted"], summary["unchanged"], summary["rows"]) == (0, 3, 3)


def test_a_file_over_the_limit_is_refused_with_a_clear_message(
    client: Client, an_giang: AdministrativeUnit, uploads: Path, settings: Any
) -> None:
    settings.REGISTRY_MAX_BYTES = 100
    signed_in(client, clerk(an_giang))
    response = upload(client, csv_bytes() * 10)  # under the body slack: stopped while counting chunks
    assert response.status_code == 413
    assert "Tệp lớn hơn giới hạn 100\xa0byte" in html(response)
    response = upload(client, b"x" * 80_000, xhr=True)  # the body alone is too long: nothing is written
    assert response.status_code == 413
    assert "Tệp lớn hơn giới hạn" in response.json()["error"]
    assert not ImportJob.objects.exists()
    assert not list(uploads.iterdir())


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        (
            "virus.exe",
            b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" * 64,
            "registries.binary_file",
        ),
        ("danh-sach.pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + bytes(range(256)) * 8, "registries.binary_file"),
        ("cu.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "registries.unsupported_format"),
        ("rong.csv", b"", "registries.empty_file"),
        ("hong.xlsx", xlsx_bytes()[:300], "registries."),  # cut off: which refusal is the reader's call
    ],
)
def test_a_file_that_is_not_a_list_fails_its_job_with_a_clear_message(
    client: Client,
    an_giang: AdministrativeUnit,
    uploads: Path,
    django_capture_on_commit_callbacks: Capture,
    *,
    name: str,
    content: bytes,
    code: str,
) -> None:
    user = clerk(an_giang)
    signed_in(client, user)
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, content, name=name, xhr=True)
    assert response.status_code == 201
    job = ImportJob.objects.get()
    assert job.status == JobStatus.FAILED
    assert job.failure.startswith(code)
    data = _status(client, job)
    assert data["status"] == "failed"
    assert data["summary"] is None
    error = str(data["error"])
    assert error
    assert code not in error
    assert "Traceback" not in error
    assert not Record.objects.exists()
    assert not Snapshot.objects.filter(status=SnapshotStatus.COMPLETED).exists()
    event = AuditEvent.objects.get(action=RegistryAction.REGISTRY_IMPORT_FAILED)  # once, not by the job again
    assert event.actor_id == user.pk
    assert job.failure.startswith(event.after["code"] + ": ")  # type: ignore[index]
    assert not list(uploads.glob("*.upload"))


def test_a_file_without_a_header_links_the_failed_snapshot(
    client: Client, an_giang: AdministrativeUnit, django_capture_on_commit_callbacks: Capture
) -> None:
    signed_in(client, clerk(an_giang))
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, csv_bytes(header=["a", "b", "c", "d", "e"]))
    job = ImportJob.objects.get()
    assert job.status == JobStatus.FAILED
    assert job.failure.startswith("registries.no_header")
    assert job.snapshot is not None
    assert job.snapshot.status == SnapshotStatus.FAILED
    assert "Không tìm thấy dòng tiêu đề" in str(_status(client, job)["error"])


def test_a_clerk_of_another_source_is_refused_and_audited(
    client: Client, an_giang: AdministrativeUnit, uploads: Path
) -> None:
    user = clerk(an_giang, "tax")
    signed_in(client, user)
    response = upload(client, csv_bytes(), source="business")
    assert response.status_code == 403
    assert "Traceback" not in html(response)
    event = AuditEvent.objects.get(action=KernelAction.ACCESS_DENIED)
    assert event.actor_id == user.pk
    assert event.after == {
        "permission": "registries.import",
        "reason": "core.permission_denied",
        "source": "business",
    }
    assert not ImportJob.objects.exists()
    assert not list(uploads.iterdir())  # the file that came with the refused request is removed


@pytest.mark.parametrize("role", [None, PeopleRole.REVIEWING_OFFICER, RegistryRole.CAMPAIGN_MANAGER])
def test_people_who_may_not_upload_get_403(
    client: Client, an_giang: AdministrativeUnit, role: Role | None
) -> None:
    user = make_user() if role is None else officer(role, an_giang)
    signed_in(client, user)
    assert client.get(reverse("registries:upload")).status_code == 403
    assert upload(client, csv_bytes()).status_code == 403
    assert not ImportJob.objects.exists()
    assert AuditEvent.objects.filter(action=KernelAction.ACCESS_DENIED, actor=user).count() == 2


def test_signed_out_visitors_are_sent_to_sign_in(client: Client) -> None:
    response = upload(client, csv_bytes())
    assert response.status_code == 302
    assert "/signin/" in response["Location"]


def test_a_source_that_does_not_exist_is_refused(client: Client, an_giang: AdministrativeUnit) -> None:
    signed_in(client, officer(RegistryRole.PARTNER_CLERK, an_giang))  # no partner source: may upload every list
    assert upload(client, csv_bytes(), source="../../etc").status_code == 400
    assert upload(client, csv_bytes(), source="").status_code == 400
    assert not ImportJob.objects.exists()


def test_a_post_without_a_file_asks_for_one(client: Client, an_giang: AdministrativeUnit) -> None:
    signed_in(client, clerk(an_giang))
    response = client.post(reverse("registries:upload"), {"source": "business"})
    assert response.status_code == 400
    assert "Hãy chọn tệp danh sách" in html(response)


def test_the_upload_needs_the_csrf_token(an_giang: AdministrativeUnit, uploads: Path) -> None:
    client = Client(enforce_csrf_checks=True)
    signed_in(client, clerk(an_giang))
    assert upload(client, csv_bytes()).status_code == 403
    assert not ImportJob.objects.exists()
    assert not list(uploads.glob("*.upload"))
    token = csrf_token(html(client.get(reverse("registries:upload"))))
    response = client.post(
        reverse("registries:upload"),
        {
            "csrfmiddlewaretoken": token,
            "source": "business",
            "coverage": "partial",
            "file": named_file("dn.csv", csv_bytes()),
        },
    )
    assert response.status_code == 302
    assert ImportJob.objects.count() == 1


def test_too_many_waiting_files_are_refused(client: Client, an_giang: AdministrativeUnit, uploads: Path) -> None:
    user = clerk(an_giang)
    for n in range(jobs.MAX_PENDING_PER_USER):
        ImportJob.objects.create(source="business", file_name=f"{n}.csv", stored_path="", uploaded_by=user)
    signed_in(client, user)
    response = upload(client, csv_bytes(), xhr=True)
    assert response.status_code == 429
    assert "đang có 3 tệp chờ nhập" in response.json()["error"]
    assert not list(uploads.glob("*.upload"))


def test_a_job_is_followed_by_its_uploader_and_colleagues_only(
    client: Client, an_giang: AdministrativeUnit, django_capture_on_commit_callbacks: Capture
) -> None:
    signed_in(client, clerk(an_giang))
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, csv_bytes())
    job = ImportJob.objects.get()
    colleague = Client()
    signed_in(colleague, clerk(an_giang, "business", "Đồng Nghiệp"))
    assert colleague.get(reverse("registries:job_status", args=[job.pk])).status_code == 200
    stranger = Client()
    signed_in(stranger, clerk(an_giang, "tax", "Cán bộ Thuế"))
    assert stranger.get(reverse("registries:job_status", args=[job.pk])).status_code == 404
    assert stranger.get(reverse("registries:job", args=[job.pk])).status_code == 404
    assert stranger.get(reverse("registries:job_status", args=[job.pk + 99])).status_code == 404


def test_a_running_job_reports_rows_and_percent_from_its_progress_file(an_giang: AdministrativeUnit) -> None:
    job = ImportJob.objects.create(
        source="business", file_name="lon.csv", stored_path="", size=1000, uploaded_by=clerk(an_giang),
        status=JobStatus.RUNNING,
    )  # fmt: skip
    assert status_payload(job)["percent"] is None  # nothing read yet: the bar is indeterminate
    progress = jobs._Progress(job.pk, job.size)
    progress(2500, 400)
    progress(2600, 450)  # within half a second: not written again
    assert json.loads(jobs.progress_path(job.pk).read_text()) == {"rows": 2500, "bytes": 400, "size": 1000}
    payload = status_payload(job)
    assert (payload["rows"], payload["percent"], payload["summary"]) == (2500, 40, None)
    jobs.progress_path(job.pk).write_text("{not json")  # a half-written file never breaks the page
    assert status_payload(job)["rows"] == 0


def test_a_job_row_pointing_outside_the_upload_folder_fails_without_touching_the_file(
    an_giang: AdministrativeUnit, data_dir: Path
) -> None:
    victim = data_dir / "keep.csv"
    victim.write_bytes(csv_bytes())
    user = clerk(an_giang)
    job = ImportJob.objects.create(
        source="business", file_name="x.csv", stored_path="../../keep.csv", uploaded_by=user
    )
    jobs.job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert victim.exists()
    event = AuditEvent.objects.get(action=RegistryAction.REGISTRY_IMPORT_FAILED)
    assert (event.actor_id, event.object_id, event.after["code"]) == (user.pk, str(job.pk), "core.invalid_input")  # type: ignore[index]
    assert jobs.job_run(job_id=job.pk).status == JobStatus.FAILED  # a second run does nothing


def test_the_job_page_of_a_missing_job_is_404(client: Client, an_giang: AdministrativeUnit) -> None:
    signed_in(client, clerk(an_giang))
    assert client.get(reverse("registries:job", args=[424242])).status_code == 404

"""``Idempotency-Key`` on the multipart POSTs (issue 10, low): Django refuses ``request.body`` once a
multipart body is parsed, so the request is fingerprinted from its parsed fields and the SHA-256 of
each uploaded file. Same key and same upload: the first answer again, one write; another upload under
the same key: refused."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, RequestFactory
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from dinhdanh.applications.models import Document, VerificationRequest
from dinhdanh.core.services import role_grant
from dinhdanh.http.idempotency import fingerprint
from dinhdanh.registries.permissions import RegistryRole
from dinhdanh.registries.sources import Source
from tests.api.test_problems import problem
from tests.applications.support import PDF, officer, person
from tests.applications.test_api import BASE, client_for, filed, new_body
from tests.conftest import make_user
from tests.people.support import post_json

pytestmark = pytest.mark.django_db

OTHER_PDF = PDF.replace(b"trailer", b"trailer ")


def draft() -> tuple[Client, str, int]:
    applicant, pid = person()
    client, token = client_for(applicant)
    created = post_json(client, BASE, new_body(pid, applicant.full_name), token)
    assert created.status_code == 201, created.content
    return client, token, created.json()["id"]


def upload(
    client: Client, token: str, app_id: int, key: str, *, content: bytes = PDF, kind: str = "request_form"
) -> Any:
    return client.post(
        f"{BASE}{app_id}/documents",
        {"kind": kind, "file": SimpleUploadedFile("to-khai.pdf", content)},
        headers={"X-CSRFToken": token, "Idempotency-Key": key},
    )


def test_a_document_upload_sent_twice_with_one_key_is_written_once() -> None:
    client, token, app_id = draft()
    first = upload(client, token, app_id, "upload-1")
    again = upload(client, token, app_id, "upload-1")
    assert first.status_code == again.status_code == 201, first.content
    assert "Idempotency-Replayed" not in first
    assert again["Idempotency-Replayed"] == "true"
    assert again.json() == first.json()
    assert Document.objects.filter(application_id=app_id).count() == 1
    third = upload(client, token, app_id, "upload-2")
    assert third.status_code == 201
    assert Document.objects.filter(application_id=app_id).count() == 2


@pytest.mark.parametrize(
    "change", [{"content": OTHER_PDF}, {"kind": "founding_document"}], ids=["another file", "another field"]
)
def test_the_same_key_with_another_upload_is_refused(change: dict[str, Any]) -> None:
    client, token, app_id = draft()
    assert upload(client, token, app_id, "k").status_code == 201
    problem(upload(client, token, app_id, "k", **change), 422, "idempotency_key_reused")
    assert Document.objects.filter(application_id=app_id).count() == 1


def test_a_refused_upload_is_replayed_as_refused() -> None:
    client, token, app_id = draft()
    bad = b"MZ\x90\x00 not a pdf"
    problem(upload(client, token, app_id, "bad", content=bad), 400, "applications.document_type")
    again = upload(client, token, app_id, "bad", content=bad)
    # The stored answer, request id of the first request included.
    assert (again.status_code, again.json()["code"]) == (400, "applications.document_type")
    assert again["Idempotency-Replayed"] == "true"


def test_a_verification_answer_with_files_sent_twice_is_answered_once() -> None:
    app, _, _, _ = filed()
    reviewer_client, reviewer_token = client_for(officer())
    asked = post_json(
        reviewer_client,
        f"{BASE}{app['id']}/verifications",
        {"question": "Còn hoạt động?", "partner_source": "tax"},
        reviewer_token,
    )
    assert asked.status_code == 201, asked.content
    clerk = make_user("Cán bộ Thuế")
    role_grant(actor=None, user=clerk, role=RegistryRole.PARTNER_CLERK, unit=None, partner_source=Source.TAX)
    client, token = client_for(clerk)

    def answer() -> Any:
        return client.post(
            f"{BASE}verifications/{asked.json()['id']}/answer",
            {
                "answer": "Đang hoạt động",
                "files": [SimpleUploadedFile("kq.pdf", PDF), SimpleUploadedFile("b.pdf", PDF)],
            },
            headers={"X-CSRFToken": token, "Idempotency-Key": "answer-1"},
        )

    first, again = answer(), answer()
    assert first.status_code == again.status_code == 200, first.content
    assert again["Idempotency-Replayed"] == "true"
    assert again.json() == first.json()
    assert VerificationRequest.objects.get(pk=asked.json()["id"]).status == "answered"


# --- the fingerprint ------------------------------------------------------------------------------

# What survives multipart parsing unchanged (Django drops empty files and files without a usable name).
names = st.text("abcxyzđăơễ0123456789-_", min_size=1, max_size=6)
uploads = st.lists(st.tuples(names, st.binary(min_size=1, max_size=64)), max_size=3)
forms = st.dictionaries(names, st.text(st.characters(exclude_categories=("Cs", "Cc")), max_size=8), max_size=3)


def multipart(fields: dict[str, str], files: list[tuple[str, bytes]]) -> Any:
    data: dict[str, Any] = dict(fields)
    for index, (name, content) in enumerate(files):
        data[f"file{index}"] = SimpleUploadedFile(name, content)
    request = RequestFactory().post("/api/v1/x", data)
    request.POST  # noqa: B018  # parsed, as ninja has done before the operation runs
    return request


@hypothesis_settings(max_examples=60, deadline=None)
@given(fields=forms, files=uploads, other_fields=forms, other_files=uploads)
def test_the_fingerprint_tells_uploads_apart_and_leaves_the_files_readable(
    fields: dict[str, str],
    files: list[tuple[str, bytes]],
    other_fields: dict[str, str],
    other_files: list[tuple[str, bytes]],
) -> None:
    one, same, other = multipart(fields, files), multipart(fields, files), multipart(other_fields, other_files)
    assert fingerprint(one) == fingerprint(same)
    if (fields, files) != (other_fields, other_files):
        assert fingerprint(one) != fingerprint(other)
    for index, (_, content) in enumerate(files):
        assert one.FILES[f"file{index}"].read() == content  # the operation still reads the whole file

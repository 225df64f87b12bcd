"""Partner clerks upload a registry file and follow its import (issue 5, point 4).

The upload page works without JavaScript (the form posts, the answer is the job page); with it,
``registries/upload.js`` sends the same form through XMLHttpRequest to show upload progress, then polls
the job status endpoint. The file never passes through memory: the view installs
``RegistryUploadHandler`` before anything reads the body, which is why CSRF is checked by hand after.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest, SuspiciousOperation
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods, require_safe

from dinhdanh.core.errors import CoreError, DomainError
from dinhdanh.people.models import User
from dinhdanh.people.views.common import current_user, first_error
from dinhdanh.registries.errors import JobError
from dinhdanh.registries.models import Coverage, ImportJob, JobStatus
from dinhdanh.registries.selectors import lists as selectors_lists
from dinhdanh.registries.services import job_sweep, jobs
from dinhdanh.registries.services.coverage import Declared, declare
from dinhdanh.registries.sources import Source
from dinhdanh.registries.uploads import RegistryUploadHandler
from dinhdanh.registries.views.lists_support import failure_message, refuse

ORGANIZATION_COUNTS = ("organizations_updated", "representatives_changed", "organizations_terminated")


class UploadForm(forms.Form):
    # Every source is a valid answer here, so that a forged choice reaches the access check (audited),
    # not a form error; the widget offers only the sources the clerk may upload.
    source = forms.ChoiceField(label=gettext_lazy("Danh sách của cơ quan"), choices=Source.choices)
    # No default: whether a file is the whole list of a territory is the clerk's statement, never assumed.
    coverage = forms.ChoiceField(
        label=gettext_lazy("Tệp này là"),
        choices=Coverage.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": gettext_lazy(
                "Hãy chọn tệp này là danh sách đầy đủ của một địa bàn hay chỉ một phần danh sách (hoặc các thay đổi)."
            )
        },
    )
    # Any text here too: the territory is checked by ``coverage.declare`` and the access rule (audited).
    territory = forms.CharField(label=gettext_lazy("Địa bàn của danh sách đầy đủ"), max_length=10, required=False)
    confirm = forms.BooleanField(
        label=gettext_lazy(
            "Tôi xác nhận đây là danh sách đầy đủ của địa bàn: các tổ chức của địa bàn không có trong tệp sẽ được "
            "đánh dấu «không còn trong danh sách», kể cả khi số lượng lớn."
        ),
        required=False,
    )

    def __init__(
        self, *args: Any, sources: list[Source], territories: list[tuple[str, str]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["source"]
        field.widget.choices = [(s.value, s.label) for s in sources]
        if len(sources) == 1:
            field.initial = sources[0].value
        self.fields["territory"].widget = forms.Select(choices=[("", "—"), *territories])

    def declared(self) -> Declared:
        return declare(
            complete=self.cleaned_data["coverage"] == Coverage.COMPLETE,
            territory=self.cleaned_data["territory"],
            confirmed=self.cleaned_data["confirm"],
        )


def _wants_json(request: HttpRequest) -> bool:
    return request.headers.get("X-Requested-With") == "XMLHttpRequest"


def _page(
    request: HttpRequest, user: User, form: UploadForm, *, error: str = "", status: int = 200
) -> HttpResponse:
    if error and _wants_json(request):
        return JsonResponse({"error": error}, status=status)
    job_sweep.sweep_stale_jobs()  # a job whose process died shows as failed, not "running" for ever
    context = {
        "form": form,
        "error": error,
        "max_bytes": settings.REGISTRY_MAX_BYTES,
        "jobs": selectors_lists.recent_jobs(user),
    }
    return render(request, "registries/lists/upload.html", context, status=status)


@csrf_exempt  # checked in _receive, once the upload handler is in place
@login_required
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def upload(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    try:
        sources = selectors_lists.require_any_upload(user)
    except DomainError as exc:
        return refuse(request, exc)
    territories = selectors_lists.upload_territories(user)
    if request.method != "POST":
        return _page(request, user, UploadForm(sources=sources, territories=territories))
    handler = RegistryUploadHandler(request)
    request.upload_handlers = [handler]
    try:
        return _receive(request, user, sources, territories, handler)
    except (MultiPartParserError, SuspiciousOperation, BadRequest):
        form = UploadForm(sources=sources, territories=territories)
        return _page(request, user, form, error=str(CoreError.BAD_REQUEST.message), status=400)
    finally:
        handler.discard()  # a no-op once a job took the file


@csrf_protect
def _receive(
    request: HttpRequest,
    user: User,
    sources: list[Source],
    territories: list[tuple[str, str]],
    handler: RegistryUploadHandler,
) -> HttpResponse:
    form = UploadForm(request.POST, sources=sources, territories=territories)
    if handler.too_large:
        too_large = DomainError(JobError.FILE_TOO_LARGE, limit=filesizeformat(handler.limit))
        return _page(request, user, form, error=too_large.message(), status=413)
    if not form.is_valid():
        return _page(request, user, form, error=first_error(form), status=400)
    if not handler.stored:
        form.add_error(None, str(JobError.NO_FILE.message))
        return _page(request, user, form, error=str(JobError.NO_FILE.message), status=400)
    try:
        job = jobs.job_create(
            actor=user,
            source=form.cleaned_data["source"],
            stored=handler.stored,
            file_name=handler.client_name,
            size=handler.received,
            language=get_language() or "vi",
            declared=form.declared(),
        )
    except DomainError as exc:
        if exc.status == 403:
            return refuse(request, exc)
        return _page(request, user, form, error=exc.message(), status=exc.status)
    handler.keep()
    if _wants_json(request):
        return JsonResponse(
            {
                "job": job.pk,
                "job_url": reverse("registries:job", args=[job.pk]),
                "status_url": reverse("registries:job_status", args=[job.pk]),
            },
            status=201,
        )
    return redirect("registries:job", pk=job.pk)


def _job(request: HttpRequest, pk: int) -> ImportJob:
    user = current_user(request)
    selectors_lists.require_any_upload(user)
    job_sweep.sweep_stale_jobs()
    return selectors_lists.job(user, pk)


def status_payload(job: ImportJob) -> dict[str, Any]:
    """What the page shows of a job; the numbers only (labels are in the page, translated)."""
    progress = jobs.read_progress(job.pk)
    size = job.size or int(progress.get("size") or 0)
    rows = int(progress.get("rows") or 0)
    percent: int | None
    if job.status == JobStatus.COMPLETED:
        percent = 100
    elif job.status == JobStatus.QUEUED:
        percent = 0
    elif job.status == JobStatus.RUNNING and size and progress.get("bytes"):
        # 99 at most: the last batch and the end of the transaction still have to happen.
        percent = min(99, int(progress["bytes"]) * 100 // size)
    else:
        percent = None
    payload: dict[str, Any] = {
        "id": job.pk,
        "status": job.status,
        "status_label": str(JobStatus(job.status).label),
        "rows": rows,
        "percent": percent,
        "summary": None,
        "error": failure_message(job.failure) if job.status == JobStatus.FAILED else "",
        "links": {},
    }
    shot = job.snapshot
    if job.status == JobStatus.COMPLETED and shot is not None:
        already = shot.imported_at < job.created_at
        # An identical file changed nothing: its rows count as unchanged, its refused rows as before.
        summary = {
            "accepted": 0 if already else shot.accepted,
            "updated": 0 if already else shot.updated,
            "unchanged": shot.accepted + shot.updated + shot.unchanged if already else shot.unchanged,
            "rejected": shot.rejected,
            "disappeared": 0 if already else shot.disappeared,
            "warnings": shot.warnings,
            "rows": shot.rows,
            "already_imported": already,
            "coverage": shot.coverage,
            "territory": shot.territory.name if shot.territory is not None else "",
        }
        # What the import did to issued organizations is in its summary only (the progress file).
        extra = progress.get("summary")
        if isinstance(extra, dict) and extra.get("snapshot") == shot.pk:
            summary.update({key: extra[key] for key in ORGANIZATION_COUNTS if isinstance(extra.get(key), int)})
        payload["summary"] = summary
        payload["rows"] = shot.rows
    if shot is not None:
        payload["links"]["snapshot"] = reverse("registries:snapshot", args=[shot.pk])
        if shot.error_report:
            payload["links"]["errors_csv"] = reverse("registries:error_report", args=[shot.pk, "csv"])
            payload["links"]["errors_xlsx"] = reverse("registries:error_report", args=[shot.pk, "xlsx"])
    return payload


@login_required
@never_cache
@require_safe
def job(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        found = _job(request, pk)
    except DomainError as exc:
        return refuse(request, exc)
    payload = status_payload(found)
    return render(request, "registries/lists/job.html", {"job": found, "status": payload})


@login_required
@never_cache
@require_safe
def job_status(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        found = _job(request, pk)
    except DomainError as exc:
        return JsonResponse({"error": exc.message()}, status=exc.status)
    return JsonResponse(status_payload(found))

"""The reference lists ("Danh sách tham chiếu"): each source's latest snapshot and history, what a
snapshot changed, the error report of an import, and a search of the records.

Error reports are served by snapshot id only: the file name comes from ``Snapshot.error_report``, which
the import wrote, and is checked again before a file is opened; nothing in the address names a file.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.db.models import Model, QuerySet
from django.http import FileResponse, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from dinhdanh.core.errors import CoreError, DomainError
from dinhdanh.core.replica import lagging_reads
from dinhdanh.people.views.common import current_user
from dinhdanh.registries.models import Snapshot, SnapshotStatus
from dinhdanh.registries.reports import report_dir
from dinhdanh.registries.selectors import lists as selectors_lists
from dinhdanh.registries.selectors.lists import Change
from dinhdanh.registries.sources import Source
from dinhdanh.registries.views.lists_support import failure_message, refuse

HISTORY_PER_PAGE = 20
RECORDS_PER_PAGE = 50
# What reports.ErrorReport names its files: "snapshot-<id>-errors".
REPORT_STEM = re.compile(r"\Asnapshot-\d{1,12}-errors\Z")
REPORT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _page_of[M: Model](request: HttpRequest, items: QuerySet[M], per_page: int) -> Page[M]:
    return Paginator(items, per_page).get_page(request.GET.get("page"))


def _chosen_source(request: HttpRequest, sources: list[Source]) -> Source | None:
    value = request.GET.get("source", "")
    if value in Source.values:
        selectors_lists.require_view(current_user(request), value)
        return Source(value)
    return sources[0] if len(sources) == 1 else None


@login_required
@never_cache
@require_safe
@lagging_reads
def lists(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    try:
        sources = selectors_lists.require_any_view(user)
        chosen = _chosen_source(request, sources)
    except DomainError as exc:
        return refuse(request, exc)
    history = _page_of(request, selectors_lists.history(chosen), HISTORY_PER_PAGE) if chosen else None
    context = {
        "overview": selectors_lists.overview(sources),
        "chosen": chosen,
        "history": history,
        "can_upload": bool(selectors_lists.upload_sources(user)),
        "sources": sources,
    }
    return render(request, "registries/lists/index.html", context)


@login_required
@never_cache
@require_safe
def snapshot(request: HttpRequest, pk: int) -> HttpResponse:
    user = current_user(request)
    try:
        shot = selectors_lists.snapshot(user, pk)
    except DomainError as exc:
        return refuse(request, exc)
    change = request.GET.get("show", Change.NEW)
    if change not in Change.ALL:
        change = Change.NEW
    records = _page_of(request, selectors_lists.snapshot_changes(user, shot, change), RECORDS_PER_PAGE)
    context = {
        "snapshot": shot,
        "change": change,
        "records": records,
        "failure": failure_message(shot.failure) if shot.status == SnapshotStatus.FAILED else "",
        "changes": Change,
    }
    return render(request, "registries/lists/snapshot.html", context)


def _report_file(shot: Snapshot, fmt: str) -> Path:
    if fmt not in REPORT_TYPES or not REPORT_STEM.match(shot.error_report):
        raise DomainError(CoreError.NOT_FOUND)
    folder = report_dir().resolve()
    path = (folder / f"{shot.error_report}.{fmt}").resolve()
    if path.parent != folder or not path.is_file():
        raise DomainError(CoreError.NOT_FOUND)
    return path


@login_required
@never_cache
@require_safe
def error_report(request: HttpRequest, pk: int, fmt: str) -> HttpResponseBase:
    user = current_user(request)
    try:
        shot = selectors_lists.snapshot(user, pk)
        path = _report_file(shot, fmt)
    except DomainError as exc:
        return refuse(request, exc)
    name = f"loi-{shot.source}-{shot.pk}.{fmt}"
    response = FileResponse(path.open("rb"), as_attachment=True, filename=name, content_type=REPORT_TYPES[fmt])
    response["Cache-Control"] = "no-store"
    return response


@login_required
@never_cache
@require_safe
def records(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    try:
        sources = selectors_lists.require_any_view(user)
        chosen = _chosen_source(request, sources)
    except DomainError as exc:
        return refuse(request, exc)
    query = request.GET.get("q", "").strip()[:100]
    found = None
    if query:
        found = _page_of(
            request,
            selectors_lists.search_records(user, query=query, source=chosen.value if chosen else ""),
            RECORDS_PER_PAGE,
        )
    context = {
        "query": query,
        "chosen": chosen,
        "sources": sources,
        "records": found,
        "min_chars": selectors_lists.SEARCH_MIN_CHARS,
        "too_short": bool(query) and selectors_lists.search_too_short(query),
        "pager_query": urlencode({"q": query, "source": chosen.value if chosen else ""}) + "&",
    }
    return render(request, "registries/lists/records.html", context)

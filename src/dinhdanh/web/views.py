"""Thin views: they call selectors and services, and render."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from dinhdanh.core import audit
from dinhdanh.core.access import KernelPermission, require
from dinhdanh.core.errors import DomainError
from dinhdanh.core.replica import lagging_reads
from dinhdanh.demo.manifest import demo_summary
from dinhdanh.geo import selectors as geo
from dinhdanh.geo.freshness import units_version
from dinhdanh.geo.models import Level, Scheme
from dinhdanh.http import public_reads
from dinhdanh.http.pages import error_page
from dinhdanh.web import todo

# The units pages, for visitors made once per version of the units and language (issue 17.3); each answer
# carries its reader's CSRF token, so only the reader's browser may keep it, revalidating each time.
UNITS_PAGES = public_reads.declare("units-pages", units_version, "private, no-cache", page=True)


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:  # a signed-in person's home is what needs them, not figures
        tasks = todo.tasks_for(request.user)
        return render(request, "web/home.html", {"tasks": tasks, "signed_in": True})
    stats = {
        "provinces": geo.units(level=Level.PROVINCE).count(),
        "communes": geo.units(level=Level.COMMUNE).count(),
        "legacy_districts": geo.units(level=Level.DISTRICT, scheme=Scheme.LEGACY).count(),
    }
    return render(request, "web/home.html", {"stats": stats, "demo": demo_summary()})


@require_safe
def units(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")[:100]

    def context() -> dict[str, Any]:
        results = None
        error = ""
        if query:
            try:
                found = geo.search(query, limit=30)
                results = [
                    {"unit": u, "now": [s.name for s in geo.current_successors(u)[:6]] if not u.is_current else []}
                    for u in found
                ]
            except DomainError as exc:
                error = exc.message()
        listing = geo.units(level=Level.PROVINCE)
        return {"query": query, "results": results, "error": error, "listing": listing}

    return public_reads.page_answer(request, UNITS_PAGES, "web/units.html", context)


@require_safe
def province(request: HttpRequest, code: str) -> HttpResponse:
    def context() -> dict[str, Any]:
        unit = geo.unit_by_code(code, level=Level.PROVINCE)
        listing = geo.units(level=Level.COMMUNE).filter(parent=unit)
        return {"province": unit, "listing": listing, "results": None, "query": ""}

    try:
        return public_reads.page_answer(request, UNITS_PAGES, "web/units.html", context)
    except DomainError as exc:
        return error_page(request, 404, exc.message())


@login_required
@require_safe
@lagging_reads
def audit_log(request: HttpRequest) -> HttpResponse:
    try:
        require(request.user, KernelPermission.VIEW_AUDIT_LOG, any_unit=True)
    except DomainError as exc:
        return error_page(request, 403, exc.message())
    events = audit.recent(limit=200)
    return render(request, "web/audit.html", {"events": events, "verification": audit.verify()})

"""The documents page of a plan (issue 14.7), inner zone: a small form of the header fields, and the
download of the phase or final report (DOCX, PDF) or its XLSX annex — a GET link carrying the fields,
or a POST of the form. Access and validation are the service's (``documents.services``); the page
shows its refusals beside the fields, or as an error page for access and unknown plans."""

from __future__ import annotations

from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from dinhdanh.campaigns.documents import services
from dinhdanh.campaigns.documents.forms import DocumentForm
from dinhdanh.campaigns.documents.header import defaults
from dinhdanh.campaigns.models import Plan
from dinhdanh.core.errors import DomainError
from dinhdanh.http.pages import error_page
from dinhdanh.people.views.common import current_user


def _page(request: HttpRequest, plan: Plan, form: DocumentForm, status: int = 200) -> HttpResponse:
    return render(request, "campaigns/documents.html", {"plan": plan, "form": form}, status=status)


@login_required
@never_cache
@require_safe
def documents(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        plan = services.plan_for_documents(actor=current_user(request), slug=slug)
    except DomainError as exc:
        return error_page(request, exc.status, exc.message())
    initial = defaults(plan)
    first = plan.phases.order_by("number").values_list("number", flat=True).first()
    if first is not None:
        initial["phase"] = str(first)
    return _page(request, plan, DocumentForm(plan=plan, initial=initial))


def content_disposition(ascii_name: str, name: str) -> str:
    """RFC 6266: a plain ASCII name for old clients, and the UTF-8 name for the others."""
    plain = "".join(c for c in ascii_name if c.isascii() and c.isprintable() and c not in '"\\;') or "bao-cao"
    return f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(name, safe='')}"


@login_required
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def download(request: HttpRequest, slug: str) -> HttpResponse:
    actor = current_user(request)
    raw = request.POST if request.method == "POST" else request.GET
    try:
        made = services.document(actor=actor, slug=slug, raw=raw)
    except DomainError as exc:
        if exc.status != 400 or not any(part.field for part in exc.each()):
            return error_page(request, exc.status, exc.message())
        plan = services.plan_for_documents(actor=actor, slug=slug)  # allowed: the fields were read
        form = DocumentForm(raw, plan=plan)
        form.is_valid()  # binds the values typed; the refusals shown are the service's
        form.errors.clear()
        form.refused(exc)
        return _page(request, plan, form, status=400)
    response = HttpResponse(made.data, content_type=made.content_type)
    response["Content-Disposition"] = content_disposition(made.ascii_filename, made.filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response

"""In-person intake (form TK02): the applicant comes to a police office with the ID card.

The officer looks the applicant up by the number on the card (POST only: personal ID numbers never go
into an address, a log line or a referrer), checks the card, types the organization data, scans the
papers, and the request goes in as if the applicant had filed it, with the officer recorded as intake.
The person's page opens only after that lookup in this session (ids cannot be walked through).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from dinhdanh.applications import services
from dinhdanh.applications.forms_officer import IntakeForm, IntakeLookupForm
from dinhdanh.applications.models import Application, ApplicationChannel, Capacity, DocumentKind, Kind
from dinhdanh.applications.permissions import ApplicationPermission
from dinhdanh.applications.views.officer_common import refusals_as_pages
from dinhdanh.core.access import jurisdiction, require
from dinhdanh.core.errors import DomainError
from dinhdanh.core.uploads import upload_too_large
from dinhdanh.geo import selectors as geo
from dinhdanh.organizations.categories import Category
from dinhdanh.people import lookups
from dinhdanh.people import selectors as people
from dinhdanh.people.forms import attach
from dinhdanh.people.models import User
from dinhdanh.people.views.common import current_user, step_up_required

DOCUMENT_KINDS = {
    "id_card_scan": DocumentKind.ID_CARD_SCAN,
    "request_form": DocumentKind.REQUEST_FORM,
    "authorization_letter": DocumentKind.AUTHORIZATION_LETTER,
    "founding_document": DocumentKind.FOUNDING_DOCUMENT,
}


def _looked_up(request: HttpRequest, pk: int) -> User:
    person = lookups.looked_up(request.session, pk)
    if person is None:
        raise Http404
    return person


def _communes(officer: User) -> list[tuple[int, str]]:
    """Communes where this officer may take a request in (INTAKE_APPLICATION over the head office)."""
    scope = jurisdiction(officer, ApplicationPermission.INTAKE_APPLICATION)
    units = geo.current_communes_under(scope.q("path"))
    return [(u.pk, f"{u.name} — {u.code}") for u in units.order_by("province_code", "name")[:4000]]


@sensitive_post_parameters("personal_id")
@login_required
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@refusals_as_pages
def intake(request: HttpRequest) -> HttpResponse:
    officer = current_user(request)
    require(officer, ApplicationPermission.INTAKE_APPLICATION, any_unit=True)
    form = IntakeLookupForm(request.POST or None)
    if form.is_bound and form.is_valid():
        try:
            person = people.person_by_number(actor=officer, personal_id=form.cleaned_data["personal_id"])
        except DomainError as exc:
            if exc.status == 403:
                raise
            attach(form, exc)
        else:
            lookups.remember(request.session, person)
            return redirect("applications:intake_person", pk=person.pk)
    return render(request, "applications/officer/intake.html", {"form": form})


def _file_in(officer: User, person: User, form: IntakeForm) -> Application:
    """Start, attach, submit — all or nothing: a refused scan leaves no half-filed draft behind."""
    with transaction.atomic():
        app = services.application_start(
            actor=officer,
            kind=Kind.NEW,
            channel=ApplicationChannel.IN_PERSON,
            capacity=Capacity(form.cleaned_data["capacity"]),
            category=Category(form.cleaned_data["category"]),
            data=form.organization_data(),
            applicant=person,
            id_card_checked=bool(form.cleaned_data.get("id_card_checked")),
        )
        for field, upload in form.documents():
            try:
                services.application_add_document(
                    actor=officer, application=app, kind=DOCUMENT_KINDS[field], upload=upload
                )
            except DomainError as exc:
                raise DomainError(exc.error, field=field, **exc.params) from exc
        return services.application_submit(actor=officer, application=app)


@sensitive_post_parameters("representative_id", "co_representative_ids")
@login_required
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@refusals_as_pages
@step_up_required
def intake_person(request: HttpRequest, pk: int) -> HttpResponse:
    officer = current_user(request)
    # Checked before anything is written: an audited refusal must not roll back with the transaction.
    require(officer, ApplicationPermission.INTAKE_APPLICATION, any_unit=True)
    person = _looked_up(request, pk)
    communes = _communes(officer)
    form = IntakeForm(request.POST or None, request.FILES or None, communes=communes)
    if request.method == "POST" and upload_too_large(request):
        form.add_error(None, _("Tệp tải lên quá lớn; không có gì được lưu."))
    elif form.is_bound and form.is_valid():
        try:
            app = _file_in(officer, person, form)
        except DomainError as exc:
            if exc.status == 403:
                raise
            attach(form, exc)
        else:
            messages.success(
                request,
                _("Đã tiếp nhận hồ sơ số %(number)s cho %(name)s.") % {"number": app.number, "name": app.name},
            )
            return redirect("applications:intake")
    return render(request, "applications/officer/intake_person.html", {"form": form, "person": person})

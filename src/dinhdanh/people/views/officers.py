"""Back-office pages for police officers: find or create a person, raise to level 2 after checking the
ID card, lock or unlock on an authority's request, and review level-1 registrations.

A person's page opens only after the officer looked the person up by the number on the card during
this session: ids in addresses cannot be walked through to browse other people's data.
"""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from dinhdanh.core import audit
from dinhdanh.core.errors import CoreError, DomainError
from dinhdanh.core.sealed import SealError, read_file
from dinhdanh.geo import selectors as geo
from dinhdanh.geo.models import AdministrativeUnit, Level
from dinhdanh.http.pages import error_page
from dinhdanh.notifications.recipients import masked as masked_address
from dinhdanh.people import lookups, policy, selectors, services
from dinhdanh.people.audit_actions import PeopleAction
from dinhdanh.people.forms import (
    AuthorityLockForm,
    FindPersonForm,
    Level2Form,
    PersonCreateForm,
    PhoneResetForm,
    ReviewForm,
    UnlockForm,
    attach,
)
from dinhdanh.people.models import User
from dinhdanh.people.models.accounts import CardKind
from dinhdanh.people.services import contacts, levels, locks
from dinhdanh.people.views.common import current_user, first_error, step_up_required


def _person(request: HttpRequest, pk: int) -> User:
    person = lookups.looked_up(request.session, pk)
    if person is None:
        raise Http404
    return person


def _chosen_unit(pk: object) -> AdministrativeUnit:
    unit = geo.unit_by_pk(int(pk) if isinstance(pk, str) and pk.isdigit() else pk)
    if unit is None:  # the form offered only existing units; a forged value is not found
        raise Http404
    return unit


def _units(officer: User) -> list[AdministrativeUnit]:
    scope = policy.desk_scope(officer)
    if scope.nationwide:
        return list(geo.units(level=Level.PROVINCE))
    return geo.units_by_paths(scope.paths)


def _level2_form(officer: User, data: object = None) -> Level2Form:
    form = Level2Form(data)  # type: ignore[arg-type]
    form.fields["unit"].choices = [(u.pk, u.name) for u in _units(officer)]  # type: ignore[attr-defined]
    return form


def _phone_form(officer: User, data: object = None) -> PhoneResetForm:
    form = PhoneResetForm(data, prefix="reset")  # type: ignore[arg-type]  # the level-2 form has the same fields
    form.fields["unit"].choices = [(u.pk, u.name) for u in _units(officer)]  # type: ignore[attr-defined]
    return form


@sensitive_post_parameters("personal_id")
@login_required
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def people_desk(request: HttpRequest) -> HttpResponse:
    officer = current_user(request)
    try:
        selectors.require_desk(officer)
    except DomainError as exc:
        return error_page(request, 403, exc.message())
    # Two forms on one page both ask for a personal number: distinct ids keep each label on its own input.
    find = FindPersonForm(request.POST if request.POST.get("action") == "find" else None, auto_id="find_%s")
    create = PersonCreateForm(request.POST if request.POST.get("action") == "create" else None, auto_id="new_%s")
    if find.is_bound and find.is_valid():
        try:
            person = selectors.person_by_number(actor=officer, personal_id=find.cleaned_data["personal_id"])
        except DomainError as exc:
            attach(find, exc)
        else:
            lookups.remember(request.session, person)
            return redirect("people:person", pk=person.pk)
    if create.is_bound and create.is_valid():
        try:
            person = services.person_create(actor=officer, **create.cleaned_data)
        except DomainError as exc:
            attach(create, exc)
        else:
            lookups.remember(request.session, person)
            messages.success(
                request, _("Đã tạo tài khoản. Người dân đặt mật khẩu bằng chức năng “Quên mật khẩu”.")
            )
            return redirect("people:person", pk=person.pk)
    return render(request, "people/desk.html", {"find": find, "create": create})


@login_required
@never_cache
@require_safe
def person(request: HttpRequest, pk: int) -> HttpResponse:
    officer = current_user(request)
    try:
        selectors.require_desk(officer)
    except DomainError as exc:
        return error_page(request, 403, exc.message())
    subject = _person(request, pk)
    return render(
        request,
        "people/person.html",
        {
            "person": subject,
            "lock": selectors.lock_in_force(subject),
            "requests": selectors.own_level_requests(subject)[:10],
            "level2_form": _level2_form(officer),
            "phone_form": _phone_form(officer),
            "phone_masked": contacts.mask_phone(subject.phone) if subject.phone else "",
            "email_masked": masked_address("email", subject.email) if subject.email else "",
            "lock_form": AuthorityLockForm(),
            "unlock_form": UnlockForm(),
            "card_kinds": CardKind,
        },
    )


def _valid[F: forms.Form](form: F) -> F:
    if not form.is_valid():
        raise DomainError(CoreError.INVALID_INPUT)
    return form


def _level2(request: HttpRequest, officer: User, subject: User) -> str:
    form = _valid(_level2_form(officer, request.POST))
    levels.level2_raise(
        actor=officer,
        user=subject,
        card=levels.CardCheck(
            kind=form.cleaned_data["card_kind"],
            number=form.cleaned_data["card_number"],
            expired=form.cleaned_data["card_expired"],
        ),
        unit=_chosen_unit(form.cleaned_data["unit"]),
    )
    return _("Đã nâng tài khoản lên mức độ 2.")


def _phone(request: HttpRequest, officer: User, subject: User) -> str:
    form = _valid(_phone_form(officer, request.POST))
    contacts.phone_reset(
        actor=officer,
        user=subject,
        phone=form.cleaned_data["phone"],
        email=form.cleaned_data["email"],
        card=levels.CardCheck(kind=form.cleaned_data["card_kind"], number=form.cleaned_data["card_number"]),
        unit=_chosen_unit(form.cleaned_data["unit"]),
    )
    return _("Đã cập nhật số điện thoại. Người dân đặt mật khẩu mới bằng chức năng “Quên mật khẩu”.")


def _lock(request: HttpRequest, officer: User, subject: User) -> str:
    form = _valid(AuthorityLockForm(request.POST))
    locks.lock_by_authority(actor=officer, user=subject, **form.cleaned_data)
    return _("Đã khóa tài khoản.")


def _unlock(request: HttpRequest, officer: User, subject: User) -> str:
    form = _valid(UnlockForm(request.POST))
    locks.unlock(actor=officer, user=subject, reason=form.cleaned_data["reason"])
    return _("Đã mở khóa tài khoản.")


def _act(request: HttpRequest, pk: int, action: Callable[[HttpRequest, User, User], str]) -> HttpResponse:
    subject = _person(request, pk)
    try:
        messages.success(request, action(request, current_user(request), subject))
    except DomainError as exc:
        messages.error(request, exc.message())
    return redirect("people:person", pk=subject.pk)


@login_required
@require_POST
@step_up_required
def person_level2(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, _level2)


@sensitive_post_parameters("card_number", "phone", "email")
@login_required
@require_POST
@step_up_required
def person_phone(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, _phone)


@login_required
@require_POST
@step_up_required
def person_lock(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, _lock)


@login_required
@require_POST
@step_up_required
def person_unlock(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, _unlock)


@login_required
@never_cache
@require_safe
def reviews(request: HttpRequest) -> HttpResponse:
    try:
        queue = selectors.review_queue(actor=current_user(request))
    except DomainError as exc:
        return error_page(request, 403, exc.message())
    rows = [{"request": r, "overdue": selectors.is_overdue(r)} for r in queue[:200]]
    return render(request, "people/reviews.html", {"rows": rows, "form": ReviewForm()})


@login_required
@require_POST
@step_up_required
def review_decide(request: HttpRequest, pk: int) -> HttpResponse:
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, first_error(form))
        return redirect("people:reviews")
    try:
        levels.level1_review(
            actor=current_user(request),
            request_id=pk,
            approve=form.cleaned_data["decision"] == "approve",
            reason=form.cleaned_data["reason"],
        )
        messages.success(request, _("Đã ghi nhận quyết định."))
    except DomainError as exc:
        messages.error(request, exc.message())
    return redirect("people:reviews")


@login_required
@never_cache
@require_safe
def review_portrait(request: HttpRequest, pk: int) -> HttpResponse:
    """The portrait, decrypted for the reviewing officer only; each viewing is audited."""
    officer = current_user(request)
    try:
        level_request = selectors.review_request(actor=officer, request_id=pk)
        data = read_file(level_request.user.portrait_ref)
    except (DomainError, SealError, OSError):
        raise Http404 from None
    audit.record(PeopleAction.PORTRAIT_VIEWED, actor=officer, obj=level_request.user, read=True)
    kind = "image/png" if data.startswith(b"\x89PNG") else "image/jpeg"
    return HttpResponse(
        data, content_type=kind, headers={"Cache-Control": "no-store", "Content-Disposition": "inline"}
    )

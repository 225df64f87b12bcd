"""The holder's own pages: profile and level, factors, sessions, history, password, self-lock."""

from __future__ import annotations

from urllib.parse import quote

import segno
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from dinhdanh.core.access import active_assignments, role_label
from dinhdanh.core.errors import DomainError
from dinhdanh.people import authflow, passkeys, selectors, services, sessions, signin, totp
from dinhdanh.people.forms import CodeForm, LockSelfForm, PasswordChangeForm, attach
from dinhdanh.people.services import locks
from dinhdanh.people.views.common import current_user, first_error, step_up_required


def _no_store(response: HttpResponse) -> HttpResponse:
    # Secrets and recovery codes on screen: never from a cache or the back button.
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_safe
def me(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    rows = [
        {
            "label": role_label(a.role),
            "unit": a.unit.name if a.unit else _("Toàn quốc"),
            "valid_until": a.valid_until,
        }
        for a in active_assignments(user)
    ]
    return render(
        request,
        "people/me.html",
        {"assignments": rows, "requests": selectors.own_level_requests(user)[:10], "person": user},
    )


@login_required
@require_safe
def security(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    return render(
        request,
        "people/security.html",
        {
            "overview": selectors.security_overview(user),
            "current_session": request.session.get(authflow.ACCOUNT_SESSION),
            "enrol_required": bool(request.session.get(authflow.ENROL_REQUIRED)),
            "stepped_up": authflow.is_stepped_up(request),
            "password_form": PasswordChangeForm(),
            "lock_form": _lock_form(),
        },
    )


def _enrol_allowed(request: HttpRequest) -> bool:
    # The first factor can be added right after a password sign-in; adding one more needs step-up.
    return not signin.second_factors(current_user(request)) or authflow.is_stepped_up(request)


def _codes_page(request: HttpRequest, codes: list[str]) -> HttpResponse:
    """The recovery codes, shown once, with a text file of them to keep: built in the page (a data: link)
    because only their digests are stored — no later request could give them again."""
    text = "\n".join(
        [
            _("Mã khôi phục dinhdanh — mỗi mã dùng một lần"),
            timezone.localdate().strftime("%d/%m/%Y"),
            "",
            *codes,
            "",
        ]
    )
    download = "data:text/plain;charset=utf-8," + quote(text)
    return _no_store(render(request, "people/recovery_codes.html", {"codes": codes, "download": download}))


@sensitive_post_parameters("code")
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def totp_enrol(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    if not _enrol_allowed(request):
        return step_up_required(totp_enrol)(request)
    form = CodeForm(request.POST or None)
    if request.method == "POST":
        # Any POST, valid or not, keeps the secret under way: the phone has already scanned it.
        if form.is_valid():
            try:
                codes = totp.totp_confirm(user=user, code=form.cleaned_data["code"])
            except DomainError as exc:
                attach(form, exc)
            else:
                authflow.mark_stepped_up(request)
                return _codes_page(request, codes)
        secret, uri = totp.totp_pending(user=user)
    else:
        try:
            # A reload shows the secret the phone may have scanned; "new" asks for another one.
            secret, uri = totp.totp_begin(user=user, fresh=request.GET.get("new") == "1")
        except DomainError as exc:
            messages.error(request, exc.message())
            return redirect("people:security")
    qr = segno.make(uri, error="m").svg_inline(scale=4, title=_("Mã QR cho ứng dụng xác thực")) if uri else ""
    return _no_store(render(request, "people/totp_enrol.html", {"form": form, "secret": secret, "qr": qr}))


@login_required
@require_POST
@step_up_required
def totp_remove(request: HttpRequest) -> HttpResponse:
    totp.totp_remove(user=current_user(request))
    messages.success(request, _("Đã gỡ ứng dụng xác thực."))
    return redirect("people:security")


@login_required
@require_POST
@step_up_required
def recovery_regenerate(request: HttpRequest) -> HttpResponse:
    codes = totp.recovery_codes_regenerate(user=current_user(request))
    return _codes_page(request, codes)


@login_required
@require_POST
@step_up_required
def passkey_remove(request: HttpRequest, pk: int) -> HttpResponse:

    try:
        passkeys.passkey_remove(user=current_user(request), passkey_id=pk)
        messages.success(request, _("Đã gỡ khóa truy cập."))
    except DomainError as exc:
        messages.error(request, exc.message())
    return redirect("people:security")


@login_required
@require_POST
def session_revoke(request: HttpRequest, pk: str) -> HttpResponse:
    try:
        sessions.session_revoke(actor=current_user(request), session_id=pk)
        messages.success(request, _("Đã kết thúc phiên đăng nhập."))
    except DomainError as exc:
        messages.error(request, exc.message())
    return redirect("people:security")


@sensitive_post_parameters("current", "new", "confirm")
@login_required
@require_POST
def password_change(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    if signin.second_factors(user) and not authflow.is_stepped_up(request):
        return step_up_required(password_change)(request)
    form = PasswordChangeForm(request.POST)
    if form.is_valid():
        try:
            services.password_change(
                user=user,
                keep_session=request.session.get(authflow.ACCOUNT_SESSION),
                client=authflow.client_of(request),
                **form.cleaned_data,
            )
        except DomainError as exc:
            attach(form, exc)
        else:
            update_session_auth_hash(request, user)  # else Django ends this session too on the next request
            messages.success(request, _("Đã đổi mật khẩu. Các phiên đăng nhập khác đã kết thúc."))
            return redirect("people:security")
    return render(
        request,
        "people/security.html",
        {
            "overview": selectors.security_overview(user),
            "current_session": request.session.get(authflow.ACCOUNT_SESSION),
            "stepped_up": authflow.is_stepped_up(request),
            "password_form": form,
            "lock_form": _lock_form(),
        },
        status=400,
    )


@login_required
@require_POST
def lock_self(request: HttpRequest) -> HttpResponse:
    """Form TK03 online: no step-up on purpose, the holder may have lost the phone with the factor."""
    form = _lock_form(request.POST)
    if not form.is_valid():
        messages.error(request, first_error(form))
        return redirect("people:security")
    try:
        locks.lock_by_holder(user=current_user(request), reason=form.cleaned_data["reason"])
    except DomainError as exc:
        messages.error(request, exc.message())
        return redirect("people:security")
    authflow.end(request)
    messages.success(request, _("Tài khoản đã bị khóa. Để mở khóa, hãy đến cơ quan công an gần nhất."))
    return redirect("web:home")


def _lock_form(data: object = None) -> LockSelfForm:
    # The password form beside it has a "confirm" field too: its own ids keep the checkbox labelled.
    return LockSelfForm(data, auto_id="lock_%s")  # type: ignore[arg-type]

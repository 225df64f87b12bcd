"""Online self-registration (level 1) and password reset by phone."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.datastructures import MultiValueDict
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from dinhdanh.core import held_uploads
from dinhdanh.core.errors import DomainError
from dinhdanh.core.uploads import upload_too_large
from dinhdanh.people import authflow, services
from dinhdanh.people.errors import PeopleError
from dinhdanh.people.forms import CodeForm, PasswordResetFinishForm, PasswordResetStartForm, RegisterForm, attach
from dinhdanh.people.services import registration

SESSION_KEY = "registration"
RESET_KEY = "password_reset"


PORTRAIT = "people.register.portrait"  # the held-upload purpose of the portrait


def _registration(form: RegisterForm, portrait: bytes) -> registration.Registration:
    data = form.cleaned_data
    return registration.Registration(
        personal_id=data.get("personal_id") or "",
        full_name=data.get("full_name") or "",
        date_of_birth=data.get("date_of_birth"),
        phone=data.get("phone") or "",
        email=data.get("email") or "",
        password=data.get("password") or "",
        password_confirm=data.get("password_confirm") or "",
        portrait=portrait,
        consent=bool(data.get("consent")),
        is_foreigner=bool(data.get("is_foreigner")),
        language=get_language() or "vi",
    )


@sensitive_post_parameters("password", "password_confirm", "personal_id")
@never_cache  # personal data typed or shown; the kept passwords are never stored by a cache
@require_http_methods(["GET", "HEAD", "POST"])
def register(request: HttpRequest) -> HttpResponse:
    """Every field checked on every submit; the portrait is held server-side across an error
    (``core.held_uploads``) and the passwords stay typed, so nothing is lost (issue 15.1)."""
    if request.user.is_authenticated:
        return redirect("people:me")
    if request.method != "POST":
        return render(request, "people/register.html", {"form": RegisterForm()})
    held: held_uploads.Held | None = None
    request.POST  # noqa: B018  (parsing the body is what flags an upload over the limit)
    if upload_too_large(request):
        form = RegisterForm(request.POST)
        form.is_valid()
        form.errors.pop("portrait", None)
        attach(
            form,
            DomainError(
                PeopleError.PORTRAIT_TOO_LARGE, field="portrait", limit_mb=settings.PORTRAIT_MAX_BYTES // 2**20
            ),
        )
        return _again(request, form, None, 400)
    held = held_uploads.from_request(request, "portrait", purpose=PORTRAIT, limit=settings.PORTRAIT_MAX_BYTES)
    files: MultiValueDict[str, UploadedFile[Any]] = MultiValueDict()
    if held is not None:
        files["portrait"] = SimpleUploadedFile(held.name, held.data)
    form = RegisterForm(request.POST, files)
    if not form.is_valid():
        try:
            registration.registration_check(_registration(form, held.data if held else b""))
        except DomainError as exc:
            attach(form, exc, keep_existing=True)
        return _again(request, form, held, 400)
    try:
        pending = registration.registration_start(
            data=_registration(form, held.data if held else b""), client=authflow.client_of(request)
        )
    except DomainError as exc:
        attach(form, exc)
        return _again(request, form, held, 429 if exc.error is PeopleError.REGISTER_THROTTLED else 400)
    if held is not None:
        held_uploads.release(request.session, held.token)
    request.session[SESSION_KEY] = str(pending.pk)
    return redirect("people:register_confirm")


def _again(request: HttpRequest, form: RegisterForm, held: held_uploads.Held | None, status: int) -> HttpResponse:
    if held is not None and "portrait" in form.errors:
        held_uploads.release(request.session, held.token)  # a refused photo is not kept: choose another
        held = None
    form.keep_passwords()
    context = {"form": form, "held": held, "held_field": held_uploads.field_token("portrait")}
    return render(request, "people/register.html", context, status=status)


@sensitive_post_parameters("code")
@never_cache  # personal data typed or shown
@require_http_methods(["GET", "HEAD", "POST"])
def register_confirm(request: HttpRequest) -> HttpResponse:
    registration_id = request.session.get(SESSION_KEY, "")
    try:
        pending = registration.pending(registration_id)
    except DomainError as exc:
        messages.error(request, exc.message())
        return redirect("people:register")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and request.POST.get("action") == "resend":
        try:
            registration.registration_resend(registration_id=pending.pk)
            messages.info(request, _("Đã gửi lại mã OTP."))
        except DomainError as exc:
            messages.error(request, exc.message())
        return redirect("people:register_confirm")
    if request.method == "POST" and form.is_valid():
        try:
            user = registration.registration_confirm(registration_id=pending.pk, code=form.cleaned_data["code"])
        except DomainError as exc:
            attach(form, exc)
        else:
            request.session.pop(SESSION_KEY, None)
            if user.level >= 1:
                messages.success(request, _("Đã tạo tài khoản định danh mức độ 1. Mời bạn đăng nhập."))
            else:
                messages.success(
                    request,
                    _("Đã tạo tài khoản. Hồ sơ mức độ 1 đang chờ cán bộ kiểm tra (tối đa 1 ngày làm việc)."),
                )
            return redirect("people:signin")
    return render(request, "people/register_confirm.html", {"form": form, "phone": pending.phone[-3:]})


@sensitive_post_parameters("personal_id", "phone", "code", "new", "confirm")
@never_cache  # personal data typed or shown
@require_http_methods(["GET", "HEAD", "POST"])
def password_reset(request: HttpRequest) -> HttpResponse:
    """Two steps on one page: number and phone, then the texted code and the new password. The first
    step answers the same whether or not the pair matches an account."""
    started = request.session.get(RESET_KEY)
    start = PasswordResetStartForm(request.POST or None if not started else None)
    finish = PasswordResetFinishForm(request.POST or None if started else None)
    if request.method == "POST" and request.POST.get("action") == "restart":
        request.session.pop(RESET_KEY, None)
        return redirect("people:password_reset")
    if request.method == "POST" and not started and start.is_valid():
        services.password_reset_start(
            personal_id=start.cleaned_data["personal_id"], phone=start.cleaned_data["phone"]
        )
        # The session keeps the lookup digest, never the number itself.
        request.session[RESET_KEY] = services.reset_token(start.cleaned_data["personal_id"])
        messages.info(request, _("Nếu thông tin khớp với một tài khoản, mã OTP đã được gửi tới số điện thoại đó."))
        return redirect("people:password_reset")
    if request.method == "POST" and started and finish.is_valid():
        try:
            services.password_reset_finish(token=str(started), **finish.cleaned_data)
        except DomainError as exc:
            if exc.error in (PeopleError.OTP_EXPIRED,):
                request.session.pop(RESET_KEY, None)
            attach(finish, exc)
        else:
            request.session.pop(RESET_KEY, None)
            messages.success(request, _("Đã đặt lại mật khẩu. Mời bạn đăng nhập."))
            return redirect("people:signin")
    return render(
        request, "people/password_reset.html", {"start": start, "finish": finish, "started": bool(started)}
    )

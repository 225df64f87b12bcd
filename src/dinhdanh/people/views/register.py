"""Online self-registration (level 1) and password reset by phone."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from dinhdanh.core.errors import DomainError
from dinhdanh.core.uploads import upload_too_large
from dinhdanh.people import authflow, services
from dinhdanh.people.errors import PeopleError
from dinhdanh.people.forms import CodeForm, PasswordResetFinishForm, PasswordResetStartForm, RegisterForm, attach
from dinhdanh.people.services import registration

SESSION_KEY = "registration"
RESET_KEY = "password_reset"


def _portrait_bytes(upload: UploadedFile[bytes] | None, limit: int) -> bytes:
    # One byte past the limit is enough for the service to say "too large".
    return b"" if upload is None else upload.read(limit + 1)


@sensitive_post_parameters("password", "password_confirm", "personal_id")
@never_cache  # personal data typed or shown
@require_http_methods(["GET", "HEAD", "POST"])
def register(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("people:me")
    form = RegisterForm(request.POST or None, request.FILES or None)
    status = 400 if request.method == "POST" else 200
    if request.method == "POST" and upload_too_large(request):
        form.is_valid()
        form.errors.pop("portrait", None)
        attach(
            form,
            DomainError(
                PeopleError.PORTRAIT_TOO_LARGE, field="portrait", limit_mb=settings.PORTRAIT_MAX_BYTES // 2**20
            ),
        )
    elif request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            pending = registration.registration_start(
                data=registration.Registration(
                    personal_id=data["personal_id"],
                    full_name=data["full_name"],
                    date_of_birth=data["date_of_birth"],
                    phone=data["phone"],
                    email=data["email"],
                    password=data["password"],
                    password_confirm=data["password_confirm"],
                    portrait=_portrait_bytes(data.get("portrait"), settings.PORTRAIT_MAX_BYTES),
                    consent=data["consent"],
                    is_foreigner=data["is_foreigner"],
                    language=get_language() or "vi",
                ),
                client=authflow.client_of(request),
            )
        except DomainError as exc:
            attach(form, exc)
            status = 429 if exc.error is PeopleError.REGISTER_THROTTLED else 400
        else:
            request.session[SESSION_KEY] = str(pending.pk)
            return redirect("people:register_confirm")
    return render(request, "people/register.html", {"form": form}, status=status)


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

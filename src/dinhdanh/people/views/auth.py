"""Sign-in pages: password, second factor (TOTP, recovery code or passkey), step-up, sign-out."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from dinhdanh.core import audit
from dinhdanh.core.errors import DomainError
from dinhdanh.people import authflow, guard, signin
from dinhdanh.people.audit_actions import PeopleAction
from dinhdanh.people.errors import PeopleError
from dinhdanh.people.forms import CodeForm, SignInForm, attach
from dinhdanh.people.models import SignInMethod, User
from dinhdanh.people.views.common import safe_next


def _after_signin(request: HttpRequest, next_url: str) -> HttpResponse:
    if request.session.get(authflow.ENROL_REQUIRED):
        return redirect("people:security")
    return redirect(next_url)


@sensitive_post_parameters("password")
@never_cache  # redisplays the number typed
@require_http_methods(["GET", "HEAD", "POST"])
def signin_page(request: HttpRequest) -> HttpResponse:
    next_url = safe_next(request)
    if request.user.is_authenticated:
        return redirect(next_url)
    form = SignInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            outcome = signin.password_check(
                login=form.cleaned_data["username"],
                password=form.cleaned_data["password"],
                client=authflow.client_of(request),
                complete_at_once=True,
            )
        except DomainError as exc:
            form.add_error(None, exc.message())
        else:
            verify = reverse("people:signin_verify") + "?" + urlencode({"next": next_url})
            if isinstance(outcome, signin.Guarded):
                guard.begin(request, outcome)
                return redirect(verify)
            guard.clear(request)
            if outcome.needs_second_factor:
                authflow.begin_pending(request, outcome.user)
                return redirect(verify)
            authflow.establish(request, outcome.user, SignInMethod.PASSWORD, ticket=outcome.ticket)
            return _after_signin(request, next_url)
    return render(request, "people/signin.html", {"form": form, "next": next_url})


@sensitive_post_parameters("code")
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def signin_verify(request: HttpRequest) -> HttpResponse:
    next_url = safe_next(request)
    try:
        guarded = guard.pending(request)
        user = guarded.user if guarded is not None else authflow.pending_user(request)
    except DomainError as exc:
        messages.error(request, exc.message())
        return redirect(reverse("people:signin") + "?" + urlencode({"next": next_url}))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["code"]
        try:
            if guarded is not None:
                user, method = guard.second_factor(request, guarded, code)
            else:
                assert user is not None  # noqa: S101  # pending_user returns an account or raises
                method = signin.second_factor_check(user=user, code=code, client=authflow.client_of(request))
            authflow.establish(request, user, method)
        except DomainError as exc:
            attach(form, exc)
        else:
            return _after_signin(request, next_url)
    # A guarded sign-in shows the same page whether its password was right: nothing about the account.
    factors = signin.GUARD_FACTORS if guarded is not None or user is None else signin.second_factors(user)
    return render(request, "people/signin_verify.html", {"form": form, "next": next_url, "factors": factors})


@require_POST
def signout_page(request: HttpRequest) -> HttpResponse:
    authflow.end(request)
    return redirect("web:home")


@sensitive_post_parameters("code")
@require_http_methods(["GET", "HEAD", "POST"])
def step_up(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not isinstance(user, User):
        return redirect(reverse("people:signin") + "?" + urlencode({"next": request.get_full_path()}))
    next_url = safe_next(request, default=reverse("people:security"))
    factors = signin.second_factors(user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            step_up_with_code(request, user, form.cleaned_data["code"])
        except DomainError as exc:
            attach(form, exc)
        else:
            return redirect(next_url)
    context = {
        "form": form,
        "next": next_url,
        "factors": factors,
        "step_up_minutes": max(1, settings.STEP_UP_SECONDS // 60),
        "resuming": next_url.startswith(reverse("people:step_up_resume", args=["-"]).removesuffix("-/")),
    }
    return render(request, "people/step_up.html", context)


def step_up_with_code(request: HttpRequest, user: User, code: str) -> SignInMethod:
    """Shared with the API: a TOTP or recovery code proves the second factor again."""
    if not signin.second_factors(user):
        raise DomainError(PeopleError.NO_SECOND_FACTOR)
    client = authflow.client_of(request)
    try:
        method = signin.second_factor_check(user=user, code=code, client=client)
    except DomainError:
        audit.record(PeopleAction.STEP_UP_FAILED, actor=user, obj=user)
        raise
    authflow.mark_stepped_up(request)
    audit.record(PeopleAction.STEP_UP_SUCCEEDED, actor=user, obj=user, after={"method": str(method)})
    return method

"""Small helpers the people pages share."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode, urlsplit

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from dinhdanh.people import pending_action
from dinhdanh.people.authflow import is_stepped_up
from dinhdanh.people.models import User


def safe_next(request: HttpRequest, default: str = "/") -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return str(candidate)
    return default


def step_up_redirect(request: HttpRequest, target: str | None = None) -> HttpResponse:
    return redirect(reverse("people:step_up") + "?" + urlencode({"next": target or request.get_full_path()}))


def _referring_page(request: HttpRequest) -> str:
    referer = str(request.META.get("HTTP_REFERER", ""))
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return urlsplit(referer).path or "/"
    return reverse("people:security")


def first_error(form: forms.Form) -> str:
    """The message of a form's first error, for pages that report through ``messages``."""
    for errors in form.errors.values():
        if errors:
            return str(errors[0])
    return ""


def step_up_for_post(request: HttpRequest) -> HttpResponse:
    """A POST that arrived without a fresh factor: held, and offered again once the person steps up.

    It is not carried out now (decision 0010); after step-up the resume page posts it again (issue 15.2).
    Too large to hold, the person returns to the page they were on.
    """
    back = _referring_page(request)
    token = pending_action.hold(request, back)
    if token is None:
        return step_up_redirect(request, back)
    return step_up_redirect(request, reverse("people:step_up_resume", args=[token]))


def step_up_required[**P](view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Sensitive pages: a fresh second factor first ("xác thực passcode hoặc vân tay/khuôn mặt")."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not is_stepped_up(request):
            if request.method == "POST":
                return step_up_for_post(request)
            return step_up_redirect(request, request.get_full_path())
        if request.method == "POST":
            pending_action.forget_resumed(request)
        return view(request, *args, **kwargs)

    return wrapped


def current_user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # noqa: S101  # login_required runs first
    return user

"""What every state-changing API call needs: Django's CSRF check (cookie sessions are the credential
here, so a cross-site form must not be able to post), and the signed-in person."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import CsrfViewMiddleware

from dinhdanh.core.errors import CoreError, DomainError

if TYPE_CHECKING:
    from dinhdanh.people.models import User


def _accept(request: HttpRequest) -> HttpResponse:  # never called: process_view only decides
    return HttpResponse()


def enforce_csrf(request: HttpRequest) -> None:
    """Ninja marks its views csrf_exempt; this runs the same check the middleware would."""
    refused = CsrfViewMiddleware(_accept).process_view(request, _accept, (), {})
    if refused is not None:
        raise DomainError(CoreError.CSRF_FAILED)


def signed_in_user(request: HttpRequest) -> User:
    # The account model by name: this layer sits below the app that defines it.
    user = request.user
    if not isinstance(user, get_user_model()) or not user.is_authenticated:
        raise DomainError(CoreError.UNAUTHENTICATED)
    return user

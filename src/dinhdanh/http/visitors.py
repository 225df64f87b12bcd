"""A visitor's cookie: the CSRF cookie alone, which a browser holds once it has seen one of our pages.

Such a request is anonymous by construction (no session cookie, no language or message cookie), so
the rate-limit wrapper counts it before Django and the lean path of public reads may answer it
(a page revalidated by the browser that holds its copy, issue 17.3). Anything else in the header —
another cookie, a secret not of the form Django makes, a masked token of the old form — goes to
Django's whole handler, which reads it as it always has.
"""

from __future__ import annotations

from django.conf import settings
from django.http.cookie import parse_cookie
from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH

__all__ = ["csrf_secret_alone"]

_ALLOWED = frozenset(CSRF_ALLOWED_CHARS)


def csrf_secret_alone(header: str) -> str | None:
    """The CSRF secret when ``header`` (a ``Cookie`` header) carries that cookie and nothing else."""
    if settings.CSRF_USE_SESSIONS or len(header) > 256:
        return None
    cookies = parse_cookie(header)
    if len(cookies) != 1:
        return None
    secret = cookies.get(settings.CSRF_COOKIE_NAME)
    if secret is None or len(secret) != CSRF_SECRET_LENGTH or not _ALLOWED.issuperset(secret):
        return None
    return secret

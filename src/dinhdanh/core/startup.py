"""What a server or a worker checks before its first request or task (issue 16.1, 16.4). A WSGI server
and a long-running command run no deploy checks of their own, so this runs them: the database's
durability always, and under the production settings (``REFUSE_UNSAFE_START``) every deploy check
too — an unsafe setting stops the process with the checks' own bilingual lines."""

from __future__ import annotations

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured


def refusals() -> list[checks.CheckMessage]:
    found = checks.run_checks(
        include_deployment_checks=settings.REFUSE_UNSAFE_START, databases=list(settings.DATABASES)
    )
    return [message for message in found if message.is_serious() and not message.is_silenced()]


def refuse_unsafe_start() -> None:
    if found := refusals():
        lines = "\n".join(
            f"  {message.id}: {message.msg}" + (f" ({message.hint})" if message.hint else "") for message in found
        )
        raise ImproperlyConfigured(f"Không khởi động / refusing to start:\n{lines}")

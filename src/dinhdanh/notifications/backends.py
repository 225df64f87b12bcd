"""SMS backends. E-mail goes through Django's mail backends instead (SMTP, file, locmem: a setting).

A backend is any class with ``send(to, body)`` that returns once the message is accepted and raises
otherwise; ``settings.NOTIFY_SMS_BACKEND`` names it. Raise :class:`PermanentDeliveryError` when retrying
cannot help (the gateway says the number does not exist) and anything else for a retry with back-off.
docs/notifications.md shows a gateway backend over HTTP.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Protocol

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string


class PermanentDeliveryError(Exception):
    """The message cannot be delivered as it is; it is given up at once instead of retried."""


class SmsBackend(Protocol):
    def send(self, to: str, body: str) -> None: ...


def sms_backend() -> SmsBackend:
    # Looked up on every send so that a corrected setting takes effect without a restart of the worker
    # and a misconfigured one fails the attempt (retried later) rather than the import of this module.
    backend: type[SmsBackend] = import_string(settings.NOTIFY_SMS_BACKEND)
    return backend()


class FileSmsBackend:
    """Development: one JSON line per SMS in ``NOTIFY_OUTBOX_DIR/sms.jsonl``.

    The file holds one-time codes in clear, so the directory is private to the service's user.
    """

    def __init__(self, directory: Path | None = None) -> None:
        self.directory = Path(directory or settings.NOTIFY_OUTBOX_DIR)

    def send(self, to: str, body: str) -> None:
        self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.directory.chmod(0o700)
        line = json.dumps({"at": timezone.now().isoformat(), "to": to, "body": body}, ensure_ascii=False)
        # One write in append mode, so lines from concurrent senders do not interleave.
        fd = os.open(self.directory / "sms.jsonl", os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        with os.fdopen(fd, "a", encoding="utf-8") as file:
            file.write(line + "\n")


class ConsoleSmsBackend:
    """Development: print each SMS on standard output."""

    def send(self, to: str, body: str) -> None:
        sys.stdout.write(f"SMS to {to}: {body}\n")
        sys.stdout.flush()


class FailingSmsBackend:
    """Tests and drills: the gateway is down. Every message fails and is retried until given up."""

    def send(self, to: str, body: str) -> None:
        raise ConnectionError("SMS gateway unavailable (FailingSmsBackend)")

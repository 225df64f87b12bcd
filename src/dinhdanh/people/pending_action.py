"""An action that arrived without a fresh second factor, held in the person's session until they step up.

A stale POST to a step-up page is not carried out (decision 0010), but it must not be lost either (issue
15.2): the fields are kept server-side, the person proves the factor, and the resume page posts them again
with a new CSRF token. What is kept is what the person's own browser sent with a valid CSRF token, so
re-posting it is their action, not ours. Secrets (passwords, codes) and files are never kept: the resume
page says which must be given again.
"""

from __future__ import annotations

import re
import secrets
import time
from dataclasses import dataclass
from typing import Any, Final

from django.http import HttpRequest

SESSION_KEY: Final = "pending_actions"
KEEP_FOR: Final = 15 * 60  # seconds: long enough to find the phone, short enough not to surprise later
MAX_HELD: Final = 5  # per session; the oldest goes first
RESUMED_FIELD: Final = "resumed_action"  # sent back by the resume page so the action is forgotten once done
MAX_BYTES: Final = 16_384  # a decision with its note fits; a pasted document does not
# Never kept in the session, even for a quarter of an hour.
_SECRET_NAME = re.compile(r"csrf|password|passcode|secret|token|otp|^code$|^new$|^confirm$", re.I)


@dataclass(frozen=True, slots=True)
class Pending:
    token: str
    path: str
    fields: list[tuple[str, str]]
    dropped_secrets: bool
    dropped_files: list[str]
    back: str
    at: float

    def expired(self, now: float | None = None) -> bool:
        return (time.time() if now is None else now) - self.at > KEEP_FOR


def _held(request: HttpRequest) -> dict[str, dict[str, Any]]:
    raw = request.session.get(SESSION_KEY)
    return raw if isinstance(raw, dict) else {}


def hold(request: HttpRequest, back: str) -> str | None:
    """Keep this POST for replay after step-up; its token, or None when it is too large to keep."""
    fields: list[tuple[str, str]] = []
    dropped_secrets = False
    for name, values in request.POST.lists():
        if name == RESUMED_FIELD:
            continue
        if _SECRET_NAME.search(name):
            dropped_secrets = dropped_secrets or not name.lower().startswith("csrf")
            continue
        fields.extend((name, value) for value in values)
    if sum(len(n) + len(v) for n, v in fields) > MAX_BYTES:
        return None
    files = [f.name or "" for name in request.FILES for f in request.FILES.getlist(name)]
    now = time.time()
    kept = {t: p for t, p in _held(request).items() if now - float(p.get("at", 0)) <= KEEP_FOR}
    while len(kept) >= MAX_HELD:
        kept.pop(min(kept, key=lambda t: float(kept[t].get("at", 0))))
    token = secrets.token_urlsafe(16)
    kept[token] = {
        "path": request.path,
        "fields": fields,
        "secrets": dropped_secrets,
        "files": files,
        "back": back,
        "at": now,
    }
    request.session[SESSION_KEY] = kept
    return token


def find(request: HttpRequest, token: str) -> Pending | None:
    """The held action of this session with that token, if it has not run out."""
    raw = _held(request).get(token)
    if not isinstance(raw, dict):
        return None
    pending = Pending(
        token=token,
        path=str(raw.get("path", "")),
        fields=[(str(n), str(v)) for n, v in raw.get("fields", [])],
        dropped_secrets=bool(raw.get("secrets")),
        dropped_files=[str(f) for f in raw.get("files", [])],
        back=str(raw.get("back", "")),
        at=float(raw.get("at", 0)),
    )
    if pending.expired() or not pending.path.startswith("/"):
        forget(request, token)
        return None
    return pending


def forget(request: HttpRequest, token: str) -> None:
    held = _held(request)
    if held.pop(token, None) is not None:
        request.session[SESSION_KEY] = held


def forget_resumed(request: HttpRequest) -> None:
    """A stepped-up POST that came from the resume page: its held copy has done its work."""
    token = request.POST.get(RESUMED_FIELD)
    if token:
        forget(request, token)

"""Files a person attached to a form that was refused, held server-side for the next attempt (issue 15.1).

A browser never re-sends a file after an error page, so without this a person would attach it again after
every mistake. The bytes are sealed on disk (``core.sealed``, kind ``held``); the session keeps what
points to them, keyed by a random token that the page carries in a hidden field. A token is honoured only
in the session that made it (another session's token is simply unknown), only for the form it was made
for (``purpose``) and only for ``TTL_SECONDS``. A successful submission releases it; expired files are
swept whenever something is held and hourly by the schedule (``core.tasks.sweep_held_uploads``).
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings

from dinhdanh.core import sealed
from dinhdanh.core.text import nfc

__all__ = ["TTL_SECONDS", "Held", "hold", "release", "sweep", "take"]

KIND = "held"
SESSION_KEY = "held_uploads"
TTL_SECONDS = 3600
MAX_HELD = 8  # per session: one form's files, a few attempts; older ones are dropped
_TOKEN_BYTES = 24


@dataclass(frozen=True)
class Held:
    token: str
    name: str
    data: bytes


def _entries(session: Any) -> dict[str, dict[str, Any]]:
    value = session.get(SESSION_KEY)
    return dict(value) if isinstance(value, dict) else {}


def _expired(entry: dict[str, Any], now: float) -> bool:
    try:
        return not 0 <= now - float(entry["at"]) <= TTL_SECONDS
    except (KeyError, TypeError, ValueError):
        return True


def _save(session: Any, entries: dict[str, dict[str, Any]]) -> None:
    if entries:
        session[SESSION_KEY] = entries
    else:
        session.pop(SESSION_KEY, None)


def _shown_name(name: str | None) -> str:
    text = "".join(ch for ch in nfc(str(name or "")) if ch.isprintable())
    return Path(text.replace("\\", "/")).name[-120:] or "tep"


def hold(session: Any, data: bytes, name: str | None, *, purpose: str) -> str:
    """Keep ``data`` for this session and ``purpose``; the token to put in the page."""
    now = time.time()
    entries = {t: e for t, e in _entries(session).items() if not _expired(e, now)}
    while len(entries) >= MAX_HELD:
        oldest = min(entries, key=lambda t: float(entries[t]["at"]))
        sealed.delete_file(str(entries.pop(oldest).get("ref", "")))
    token = secrets.token_urlsafe(_TOKEN_BYTES)
    ref = sealed.store_file(KIND, data)
    entries[token] = {"ref": ref, "name": _shown_name(name), "purpose": purpose, "at": now}
    _save(session, entries)
    sweep()
    return token


def take(session: Any, token: object, *, purpose: str) -> Held | None:
    """The file held under ``token`` in this session for ``purpose``; None for anything else (unknown,
    another session's, another form's, expired or unreadable). It stays held until ``release``."""
    if not isinstance(token, str) or not token or len(token) > 64:
        return None
    entries = _entries(session)
    entry = entries.get(token)
    if entry is None or entry.get("purpose") != purpose:
        return None
    if _expired(entry, time.time()):
        release(session, token)
        return None
    try:
        data = sealed.read_file(str(entry["ref"]))
    except (sealed.SealError, OSError, KeyError):
        release(session, token)
        return None
    return Held(token=token, name=str(entry.get("name") or ""), data=data)


def release(session: Any, token: object) -> None:
    """Forget ``token`` and delete its file (after success, or when the person chose another file)."""
    if not isinstance(token, str):
        return
    entries = _entries(session)
    entry = entries.pop(token, None)
    if entry is not None:
        sealed.delete_file(str(entry.get("ref", "")))
        _save(session, entries)


def sweep(now: float | None = None) -> int:
    """Delete held files older than the TTL, whatever session held them (a session may never return)."""
    folder = Path(settings.MEDIA_ROOT) / KIND
    if not folder.is_dir():
        return 0
    limit = (time.time() if now is None else now) - TTL_SECONDS
    removed = 0
    for path in folder.iterdir():
        try:
            if path.is_file() and path.stat().st_mtime < limit:
                path.unlink(missing_ok=True)
                removed += 1
        except OSError:
            continue
    return removed


def field_token(field: str) -> str:
    """The hidden input that carries a held file's token beside the file input ``field``."""
    return f"{field}_held"


def from_request(request: Any, field: str, *, purpose: str, limit: int) -> Held | None:
    """The file of ``field`` for this attempt: a newly chosen one (held at once, replacing the previous),
    else the one held from an earlier attempt, else None. At most ``limit + 1`` bytes are kept, enough for
    the service to say "too large"."""
    upload = request.FILES.get(field)
    previous = request.POST.get(field_token(field))
    if upload is not None:
        data = upload.read(limit + 1)
        release(request.session, previous)
        token = hold(request.session, data, getattr(upload, "name", ""), purpose=purpose)
        return Held(token=token, name=_shown_name(getattr(upload, "name", "")), data=data)
    return take(request.session, previous, purpose=purpose)

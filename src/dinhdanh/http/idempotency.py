"""``Idempotency-Key`` for API POSTs (SPEC §8): a client that did not get an answer (timeout, dropped
connection) sends the same request again with the same key and gets the first answer, not a second
write. See docs/api-idempotency.md.

Per caller and key, ``core.models.IdempotencyRecord`` holds the request's fingerprint (method, path,
body; for multipart bodies the parsed fields and each file's SHA-256) and, once answered, the response. The same key with the same request replays the response (with
``Idempotency-Replayed: true``); with another request it is refused (422); while the first is still
running, 409. Refusals (problem+json, 4xx) are stored and replayed like successes, because nothing was
written; a server error releases the key so that the request can be retried. Keys live 24 hours.
"""

from __future__ import annotations

import hashlib
import inspect
import json
from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import Status

from dinhdanh.core.errors import DomainError, ErrorCode
from dinhdanh.core.models import IdempotencyRecord
from dinhdanh.http import problems
from dinhdanh.http.security import enforce_csrf, signed_in_user

__all__ = ["HEADER", "REPLAYED_HEADER", "TTL", "IdempotencyError", "fingerprint", "idempotent", "session_scope"]

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotency-Replayed"
TTL = timedelta(hours=24)
# A request still "in progress" after this long died with its process (crash, restart): its key may be
# taken over. API writes take seconds, far less than this.
ABANDONED_AFTER = timedelta(minutes=15)
MAX_KEY_LENGTH = 255


class IdempotencyError(ErrorCode):
    KEY_INVALID = (
        "idempotency_key_invalid",
        _("Idempotency-Key phải có từ 1 đến 255 ký tự ASCII in được."),
        400,
    )
    KEY_REUSED = (
        "idempotency_key_reused",
        _("Idempotency-Key này đã được dùng cho một yêu cầu khác; hãy dùng khóa mới cho yêu cầu mới."),
        422,
    )
    IN_PROGRESS = (
        "idempotency_key_in_progress",
        _("Yêu cầu với Idempotency-Key này đang được xử lý; hãy thử lại sau ít phút."),
        409,
    )


type View = Callable[..., Any]
type Scope = Callable[[HttpRequest], str]


def session_scope(request: HttpRequest) -> str:
    """The caller of a cookie-session API: CSRF checked and signed in first, so that a replay is never
    served to anyone but the person who made the request."""
    enforce_csrf(request)
    return f"user:{signed_in_user(request).pk}"


def _key(request: HttpRequest) -> str | None:
    key = request.headers.get(HEADER)
    if key is None:
        return None
    if not 1 <= len(key) <= MAX_KEY_LENGTH or not all(" " <= ch <= "~" for ch in key):
        raise DomainError(IdempotencyError.KEY_INVALID)
    return key


def _file_digest(upload: UploadedFile[bytes]) -> list[Any]:
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)  # the operation reads the file after us
    return [upload.name or "", upload.content_type or "", upload.size, digest.hexdigest()]


def _multipart(request: HttpRequest) -> bytes:
    """Django refuses ``request.body`` once a multipart body is parsed (ninja parses it before the
    operation runs), so the parsed form stands for it: each field's values in order, and each file's
    name, declared type, size and SHA-256. JSON keeps names and values apart, whatever they contain."""
    fields = {name: request.POST.getlist(name) for name in request.POST}
    files = {name: [_file_digest(f) for f in request.FILES.getlist(name)] for name in request.FILES}
    return json.dumps({"fields": fields, "files": files}, sort_keys=True, ensure_ascii=False).encode()


def fingerprint(request: HttpRequest) -> str:
    """What makes two requests "the same request": method, path and body (the parsed form for multipart)."""
    digest = hashlib.sha256(f"{request.method} {request.path}\n".encode())
    digest.update(_multipart(request) if request.content_type == "multipart/form-data" else request.body)
    return digest.hexdigest()


def _render(request: HttpRequest, result: Any) -> HttpResponse:
    api = problems.installed_api()
    if isinstance(result, HttpResponse):
        return result
    if isinstance(result, Exception):
        return api.on_exception(request, result)
    if isinstance(result, Status):  # ninja's explicit status, e.g. Status(201, body)
        return api.create_response(request, result.value, status=result.status_code)
    return api.create_response(request, result, status=200)


def _claim(scope: str, key: str, request: HttpRequest, request_hash: str) -> IdempotencyRecord | HttpResponse:
    """The new in-progress record, or the answer for a key already used (replay or refusal)."""
    now = timezone.now()
    endpoint = f"{request.method} {request.path}"[:255]
    IdempotencyRecord.objects.filter(scope=scope, key=key, expires_at__lte=now).delete()
    IdempotencyRecord.objects.filter(
        scope=scope, key=key, status_code__isnull=True, created_at__lte=now - ABANDONED_AFTER
    ).delete()
    try:
        with transaction.atomic():
            return IdempotencyRecord.objects.create(
                scope=scope,
                key=key,
                endpoint=endpoint,
                request_hash=request_hash,
                created_at=now,
                expires_at=now + TTL,
            )
    except IntegrityError:
        pass
    found = IdempotencyRecord.objects.filter(scope=scope, key=key).first()
    if found is None:  # finished and released between the two queries: a fresh attempt is in order
        return _claim(scope, key, request, request_hash)
    if found.request_hash != request_hash or found.endpoint != endpoint:
        raise DomainError(IdempotencyError.KEY_REUSED)
    if found.status_code is None:
        raise DomainError(IdempotencyError.IN_PROGRESS)
    response = HttpResponse(bytes(found.response_body), status=found.status_code, content_type=found.content_type)
    response[REPLAYED_HEADER] = "true"
    return response


def idempotent(view: View | None = None, *, scope: Scope = session_scope) -> Any:
    """Decorate a ninja POST operation (under the router's decorator) to honour ``Idempotency-Key``.

    Without the header the operation runs as usual. ``scope`` names the caller (and refuses callers
    who may not post at all); the default suits cookie-session APIs. The operation may return a
    schema, a dict or an ``HttpResponse``; a ``DomainError`` it raises is answered (and remembered) as
    problem+json.
    """

    def decorate(function: View) -> View:
        @wraps(function)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            key = _key(request)
            if key is None:
                return function(request, *args, **kwargs)
            claimed = _claim(scope(request), key, request, fingerprint(request))
            if isinstance(claimed, HttpResponse):
                return claimed
            # The operation runs in its own transactions, not in one around it here: a refusal it audits
            # (core.access.require) must stay written. Its answer is stored right after; a crash in
            # between leaves the key "in progress" until ABANDONED_AFTER.
            try:
                response = _render(request, function(request, *args, **kwargs))
                _store(claimed, response)
            except DomainError as refusal:  # nothing was written: the refusal is the answer to remember
                response = _render(request, refusal)
                _store(claimed, response)
            except BaseException:
                claimed.delete()  # a server error: release the key, the request may be sent again
                raise
            return response

        # Ninja reads the parameters' annotations through the wrapper, whose module would not resolve
        # the operation's postponed annotations (``from __future__ import annotations``).
        wrapper.__signature__ = inspect.signature(function, eval_str=True)  # type: ignore[attr-defined]
        return wrapper

    return decorate(view) if view is not None else decorate


def _store(record: IdempotencyRecord, response: HttpResponse) -> None:
    if response.status_code >= 500:
        record.delete()
        return
    record.status_code = response.status_code
    record.content_type = response.get("Content-Type", "")[:100]
    record.response_body = response.content
    record.save(update_fields=["status_code", "content_type", "response_body"])

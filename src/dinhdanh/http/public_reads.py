"""Representations of public reads, made once per version of what they are made of (issue 17.3,
decision 0050): the administrative units (API and pages), OpenID discovery and the JWKS.

A ``Kind`` names a family of resources: ``version()`` says, cheaply and at every request, which state
of the data the representation reflects (the units' version and today's date, the published key ids,
the issuer); ``cache_control`` says how long others may keep it. A view answers through
``json_answer`` or ``page_answer``, which

* make the body once per (path, query, language) and version, kept per process in a bounded store
  (``Store``: entries and bytes capped, a body past ``MAX_BODY`` is made every time);
* send a strong ``ETag`` — a digest of the body and the language, the same in every process — and the
  kind's ``Cache-Control``; an ``If-None-Match`` that matches (RFC 9110 §13.1.2, weak comparison,
  ``*`` included) is answered 304 with no body, the same ``ETag``, ``Cache-Control`` and the length
  the 200 would have (§8.6);
* leave in ``request.META`` what they answered (``MARK``), for the lean path (``http.lean_reads``)
  to answer the next cookie-less request for the same address as Django answered this one.

Pages carry a CSRF token for their forms (the language switch): the page is made with ``SENTINEL`` in
its place, and every answer gets its own token (``get_token``: the cookie is set as the CSRF
middleware sets it). The page's validator is then weak and names the CSRF secret it was made for
(``W/"<digest>.<language>.<secret's digest>"``): a browser's copy matches only while it holds the same
cookie, so a 304 never leaves it a form whose token its cookie refutes. A page for a signed-in person,
or one with a message to show, is made as before, without a validator (and ``NoStoreMiddleware``
marks it ``no-store``). Pages are ``private``: each carries its reader's token.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import threading
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.messages import get_messages
from django.core.signals import setting_changed
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.http import parse_etags

__all__ = [
    "MARK",
    "SENTINEL",
    "Answered",
    "Kind",
    "Representation",
    "Store",
    "declare",
    "etag_matches",
    "json_answer",
    "page_answer",
    "page_etag",
]

MARK = "dinhdanh.public_read"  # environ key: what json_answer / page_answer answered
# As long as a masked CSRF token (64 letters and digits), so a page keeps its length whatever token it carries.
SENTINEL = secrets.token_hex(32)
_SENTINEL = SENTINEL.encode("ascii")
# Memory per process stays within its budget (150 MB, issue 16) however many addresses are asked: a body
# larger than MAX_BODY (every commune of 2008 at once) is made at every request, and each kind keeps at
# most MAX_ENTRIES bodies and MAX_BYTES (today's 3,321 communes at once are 0.8 MB).
MAX_BODY = 1024 * 1024
MAX_ENTRIES = 1024  # per kind
MAX_BYTES = 4 * 1024 * 1024  # per kind
HTML = "text/html; charset=utf-8"


class Store[K: Hashable, V]:
    """A bounded mapping for many threads: past ``entries`` entries or ``limit`` bytes (as ``size``
    counts them), the oldest entries go first. Reads take no lock."""

    def __init__(self, entries: int, limit: int, size: Callable[[V], int]) -> None:
        self.entries, self.limit, self.size = entries, limit, size
        self._items: dict[K, V] = {}
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: K) -> V | None:
        return self._items.get(key)

    def put(self, key: K, value: V) -> None:
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self._bytes -= self.size(old)
            self._items[key] = value
            self._bytes += self.size(value)
            while self._items and (len(self._items) > self.entries or self._bytes > self.limit):
                oldest = next(iter(self._items))
                self._bytes -= self.size(self._items.pop(oldest))

    def drop(self, key: K) -> None:
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self._bytes -= self.size(old)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._bytes = 0

    def __len__(self) -> int:
        return len(self._items)


@dataclass(frozen=True, slots=True)
class Representation:
    """A body made at ``version``; ``digest`` is its validator's core."""

    version: Hashable
    body: bytes
    content_type: str
    digest: str


def _size(made: Representation) -> int:
    return len(made.body) + 200


@dataclass(eq=False)
class Kind:
    """A family of public resources: what their representations depend on and how long others keep them."""

    name: str
    version: Callable[[], Hashable]
    cache_control: str
    page: bool = False  # an HTML page: a CSRF token of its own in every answer (module docstring)
    store: Store[tuple[str, str, str], Representation] = field(
        default_factory=lambda: Store(MAX_ENTRIES, MAX_BYTES, _size), repr=False
    )


_KINDS: list[Kind] = []


def declare(name: str, version: Callable[[], Hashable], cache_control: str, *, page: bool = False) -> Kind:
    """A kind of public resource; its store is emptied when settings change (tests)."""
    declared = Kind(name, version, cache_control, page=page)
    _KINDS.append(declared)
    return declared


def _forget(**_kwargs: Any) -> None:
    """Settings changed (tests): what was made under the old ones is made again."""
    for each in _KINDS:
        each.store.clear()


setting_changed.connect(_forget, dispatch_uid="dinhdanh.http.public_reads")


@dataclass(frozen=True, slots=True)
class Answered:
    """What a view answered, left in ``request.META[MARK]`` for the lean path."""

    kind: Kind
    made: Representation
    language: str
    etag: str


def _digest(body: bytes) -> str:
    return base64.urlsafe_b64encode(hashlib.blake2b(body, digest_size=16).digest()).rstrip(b"=").decode()


def page_etag(digest: str, language: str, csrf_secret: str) -> str:
    """A page's weak validator: its digest, its language and the CSRF secret its token was made from."""
    return f'W/"{digest}.{language}.{_digest(csrf_secret.encode())[:12]}"'


def etag_matches(header: str | None, etag: str) -> bool:
    """``If-None-Match`` against the current validator: weak comparison (RFC 9110 §13.1.2), ``*``
    matching any current representation."""
    if not header:
        return False
    tags = parse_etags(header)
    if tags == ["*"]:
        return True
    bare = etag.removeprefix("W/")
    return any(tag.removeprefix("W/") == bare for tag in tags)


def _made(
    request: HttpRequest, kind: Kind, language: str, produce: Callable[[], bytes], content_type: str
) -> Representation:
    # The version is read before the body is made: a change in between leaves a newer body under an
    # older version, which the next request replaces — never an older body under a newer version.
    version = kind.version()
    key = (request.path, request.META.get("QUERY_STRING", ""), language)
    made = kind.store.get(key)
    if made is None or made.version != version:
        body = produce()
        made = Representation(version, body, content_type, _digest(body))
        if len(body) <= MAX_BODY:
            kind.store.put(key, made)
    return made


def _answer(request: HttpRequest, kind: Kind, made: Representation, body: bytes, etag: str) -> HttpResponse:
    if etag_matches(request.META.get("HTTP_IF_NONE_MATCH"), etag):
        response: HttpResponse = HttpResponseNotModified()
        response["Content-Length"] = str(len(body))  # the 200's length, never 0 (RFC 9110 §8.6)
    else:
        response = HttpResponse(body, content_type=made.content_type)
    response["ETag"] = etag
    response["Cache-Control"] = kind.cache_control
    return response


def json_answer(
    request: HttpRequest, kind: Kind, produce: Callable[[], bytes], *, content_type: str
) -> HttpResponse:
    """The body ``produce`` makes (kept while ``kind.version()`` stays), with its validator."""
    language = translation.get_language() or ""
    made = _made(request, kind, language, produce, content_type)
    etag = f'"{made.digest}.{language}"'
    response = _answer(request, kind, made, made.body, etag)
    request.META[MARK] = Answered(kind, made, language, etag)
    return response


def _for_visitor(request: HttpRequest) -> bool:
    """Nobody signed in and no message waiting: the page is everyone's but for its CSRF token."""
    user = getattr(request, "user", None)
    return user is not None and not user.is_authenticated and len(get_messages(request)) == 0


def page_answer(
    request: HttpRequest, kind: Kind, template: str, context: Callable[[], dict[str, Any]]
) -> HttpResponse:
    """``template`` rendered with ``context()``: for visitors once per version, with a token of their own."""
    if not _for_visitor(request):
        return render(request, template, context())
    language = translation.get_language() or ""

    def produce() -> bytes:
        # The view's own csrf_token wins over the context processor's, which is then never evaluated.
        return render_to_string(template, {**context(), "csrf_token": SENTINEL}, request).encode()

    made = _made(request, kind, language, produce, HTML)
    token = get_token(request)  # the CSRF middleware sets (or renews) its cookie
    etag = page_etag(made.digest, language, str(request.META["CSRF_COOKIE"]))
    response = _answer(request, kind, made, made.body.replace(_SENTINEL, token.encode("ascii")), etag)
    request.META[MARK] = Answered(kind, made, language, etag)
    return response

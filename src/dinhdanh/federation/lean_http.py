"""The request the lean serving path hands the token, introspection and revocation views (decision 0034).

Django's ``WSGIRequest`` builds a ``QueryDict``, ``HttpHeaders`` from the whole environ (granian's holds
the whole process environment) and several lazy attributes at every request; these views read only the
form, a few headers and the method (``protocol.params.OAuthRequest``). ``LeanRequest`` gives them that,
computed as Django computes it:

* the form: the body decoded as UTF-8 (ISO-8859-1 if that fails, as ``QueryDict``; Django refuses a
  form that names another charset, and so does the lean path by leaving it to Django), split by
  ``urllib.parse.parse_qsl`` with blank values kept — ``QueryDict``'s own call;
  ``get`` answers the last value, ``getlist`` all of them (a parameter given twice stays visible to
  ``one_param``). The size limits are checked by the lean path before (``DATA_UPLOAD_MAX_*``);
* headers: ``get("X-Request-ID")`` reads ``HTTP_X_REQUEST_ID`` (``CONTENT_TYPE``, ``CONTENT_LENGTH``
  unprefixed), the keys ``HttpHeaders`` maps to the same name;
* ``META`` is the environ and ``path`` the script name and path, for the log record of a refusal.

Anything else a view might read (an exception's debug page, say) is answered with Django's request,
built from the same environ (``LeanPath``).
"""

from __future__ import annotations

from typing import Any, overload
from urllib.parse import parse_qsl

__all__ = ["EnvironHeaders", "LeanForm", "LeanRequest", "parse_form"]

_UNPREFIXED = frozenset({"CONTENT_TYPE", "CONTENT_LENGTH"})


class LeanForm:
    """A form's parameters: name -> values in the order sent."""

    __slots__ = ("_lists",)

    def __init__(self, lists: dict[str, list[str]]) -> None:
        self._lists = lists

    @overload
    def get(self, key: str, /) -> str | None: ...
    @overload
    def get(self, key: str, default: str, /) -> str: ...

    def get(self, key: str, default: str | None = None, /) -> str | None:
        values = self._lists.get(key)
        return values[-1] if values else default

    def getlist(self, key: str, /) -> list[str]:
        return list(self._lists.get(key, ()))


def parse_form(body: bytes) -> LeanForm:
    """As ``QueryDict(body, encoding="utf-8")`` (the field count checked by the caller)."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        text = body.decode("iso-8859-1")
    lists: dict[str, list[str]] = {}
    for key, value in parse_qsl(text, keep_blank_values=True, encoding="utf-8"):
        if key in lists:
            lists[key].append(value)
        else:
            lists[key] = [value]
    return LeanForm(lists)


class EnvironHeaders:
    """``request.headers.get`` read from the environ."""

    __slots__ = ("_environ",)

    def __init__(self, environ: dict[str, Any]) -> None:
        self._environ = environ

    @overload
    def get(self, key: str, /) -> str | None: ...
    @overload
    def get(self, key: str, default: str, /) -> str: ...

    def get(self, key: str, default: str | None = None, /) -> str | None:
        name = key.upper().replace("-", "_")
        value = self._environ.get(name if name in _UNPREFIXED else "HTTP_" + name)
        return default if value is None else value


class LeanRequest:
    __slots__ = ("LANGUAGE_CODE", "META", "POST", "_csp_nonce", "body", "headers", "method", "path")

    def __init__(self, environ: dict[str, Any], form: LeanForm, path: str, *, body: bytes = b"") -> None:
        self.META = environ
        self.body = body  # what Django's ``request.body`` gives (its size checked by the lean path)
        self.POST = form
        self.headers = EnvironHeaders(environ)
        self.method = "POST"
        self.path = path
        self.LANGUAGE_CODE = ""
        self._csp_nonce: Any = None

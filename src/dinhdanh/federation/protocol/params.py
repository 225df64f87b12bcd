"""Form parameters of OAuth requests: each at most once (RFC 6749 §3.1, §3.2) and of bounded length.

``OAuthRequest`` is what the token, introspection and revocation code reads of a request: the form, the
headers and the method. Django's ``HttpRequest`` is one; the lean serving path's ``LeanRequest``
(``federation.lean_http``, decision 0034) is the other."""

from __future__ import annotations

from typing import Protocol, overload

from dinhdanh.federation.protocol.errors import OAuthError

__all__ = ["MAX_PARAM", "Form", "Headers", "OAuthRequest", "one_param"]

MAX_PARAM = 2000


class Form(Protocol):
    """The form's parameters, as ``QueryDict`` answers: ``get`` the last value, ``getlist`` all."""

    @overload
    def get(self, key: str, /) -> str | None: ...
    @overload
    def get(self, key: str, default: str, /) -> str: ...

    def getlist(self, key: str, /) -> list[str]: ...


class Headers(Protocol):
    @overload
    def get(self, key: str, /) -> str | None: ...
    @overload
    def get(self, key: str, default: str, /) -> str: ...


class OAuthRequest(Protocol):
    @property
    def POST(self) -> Form: ...  # noqa: N802  # Django's name

    @property
    def headers(self) -> Headers: ...

    @property
    def method(self) -> str | None: ...


def one_param(params: Form, name: str, *, limit: int = MAX_PARAM) -> str:
    values = params.getlist(name)
    if len(values) > 1:
        raise OAuthError("invalid_request", f"{name} given more than once")
    value = values[0] if values else ""
    if len(value) > limit:
        raise OAuthError("invalid_request", f"{name} is too long")
    return value

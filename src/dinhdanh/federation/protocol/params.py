"""Form parameters of OAuth requests: each at most once (RFC 6749 §3.1, §3.2) and of bounded length."""

from __future__ import annotations

from django.http import QueryDict

from dinhdanh.federation.protocol.errors import OAuthError

__all__ = ["MAX_PARAM", "one_param"]

MAX_PARAM = 2000


def one_param(params: QueryDict, name: str, *, limit: int = MAX_PARAM) -> str:
    values = params.getlist(name)
    if len(values) > 1:
        raise OAuthError("invalid_request", f"{name} given more than once")
    value = values[0] if values else ""
    if len(value) > limit:
        raise OAuthError("invalid_request", f"{name} is too long")
    return value

"""Who the person is acting as ("Đang thao tác với tư cách"), for the banner on every page.

``acting_context`` is what a context processor would return; until the lead wires one into
``web/context.py`` and ``web/base.html``, the organization and request pages pass it themselves.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from dinhdanh.organizations import selectors


def acting_context(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)  # none on a request refused before authentication (bad Host)
    if user is None or not user.is_authenticated:
        return {"acting_organization": None}
    return {"acting_organization": selectors.acting_organization(request)}

"""Live checks of step 5: one field at a time, by the same code the service runs on submission
(``applications.validation``), so the message beside the field is the one the server would give.

POST application/json ``{"category": "...", "field": "code", "value": "...", "foreigner": false}`` with the
CSRF header; answer ``{"field": "code", "ok": true}`` or ``{"field": "code", "ok": false, "message": "..."}``.
Nothing is written. Without JavaScript the page works the same: the server checks on submit.
"""

from __future__ import annotations

import json

from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from dinhdanh.applications import representatives, validation
from dinhdanh.applications.forms import CO_MAX, OrganizationForm, field_message
from dinhdanh.applications.models import Kind
from dinhdanh.core.errors import DomainError
from dinhdanh.core.text import clean_optional
from dinhdanh.organizations.categories import Category

MAX_BODY = 4096
# Fields of the organization itself: checked alone, like a one-field update.
ORGANIZATION_FIELDS = frozenset(
    {
        "name", "short_name", "foreign_name", "code", "established_on", "founding_document_number",
        "founding_document_date", "founding_document_issuer", "head_office_code", "street", "phone", "email",
    }
)  # fmt: skip
PERSON_IDS = frozenset({"representative_id", *(f"co_id_{i}" for i in range(1, CO_MAX + 1))})
PERSON_NAMES = frozenset({"representative_name", *(f"co_name_{i}" for i in range(1, CO_MAX + 1))})


def _check(field: str, value: str, category: Category, *, foreigner: bool) -> None:
    if field in ORGANIZATION_FIELDS:
        validation.validate({field: value}, kind=Kind.UPDATE, category=category)
    elif field == "representative_id":
        representatives.representative_number(value, foreigner=foreigner)
    elif field in PERSON_IDS:
        representatives.person("-", value, "", field=field)
    elif field in PERSON_NAMES:
        representatives.person_name(value, field=field)
    elif field == "representative_position":
        clean_optional(value, field=field, max_length=200)


def _bad(message: str, status: int = 400) -> JsonResponse:
    return JsonResponse({"ok": False, "message": message}, status=status)


@never_cache
@require_POST
def register_validate(request: HttpRequest) -> JsonResponse:
    if not request.user.is_authenticated:
        return _bad("unauthenticated", 401)
    if len(request.body) > MAX_BODY:
        return _bad("too large", 413)
    try:
        body = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        return _bad("invalid json")
    if not isinstance(body, dict):
        return _bad("invalid json")
    field, value, category = body.get("field"), body.get("value"), body.get("category")
    if not isinstance(field, str) or not isinstance(value, str) or category not in Category.values:
        return _bad("invalid request")
    if field not in ORGANIZATION_FIELDS | PERSON_IDS | PERSON_NAMES | {"representative_position"}:
        return _bad("unknown field")
    form = OrganizationForm(category=str(category), provinces=[], communes=[])
    try:
        _check(field, value, Category(category), foreigner=body.get("foreigner") is True)
    except DomainError as exc:
        _name, message = field_message(form, exc)
        return JsonResponse({"field": field, "ok": False, "message": message})
    return JsonResponse({"field": field, "ok": True})

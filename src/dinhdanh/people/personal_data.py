"""What people holds about a person, for their copy (``core.personal_data``): never a secret."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dinhdanh.core.personal_data import section
from dinhdanh.people.models import (
    AccountLock,
    AccountSession,
    DataRequest,
    LevelRequest,
    Passkey,
    SignInEvent,
    TotpDevice,
    User,
)

MAX_ROWS = 10_000  # newest first: a copy stays a file one can open


@section("people.account", _("Tài khoản"))
def account(user: User) -> dict[str, Any]:
    return {
        "full_name": user.full_name, "personal_id": user.personal_id_masked, "date_of_birth": user.date_of_birth,
        "is_foreigner": user.is_foreigner, "email": user.email, "phone": user.phone,
        "phone_confirmed_at": user.phone_confirmed_at, "level": user.level, "created_at": user.created_at,
        "password_changed_at": user.password_changed_at, "locked_at": user.locked_at,
        "preferred_language": user.preferred_language, "has_portrait": bool(user.portrait_ref),
    }  # fmt: skip


@section("people.factors", _("Yếu tố xác thực"))
def factors(user: User) -> dict[str, Any]:
    totp = TotpDevice.objects.filter(user=user, confirmed_at__isnull=False).values("created_at").first()
    return {
        "authenticator_app_since": totp["created_at"] if totp else None,
        "passkeys": list(Passkey.objects.filter(user=user).values("name", "created_at", "last_used_at")),
    }


@section("people.signins", _("Lịch sử đăng nhập"))
def signins(user: User) -> list[dict[str, Any]]:
    since = timezone.now() - timedelta(days=int(settings.RETENTION_USAGE_DAYS))
    rows = SignInEvent.objects.filter(user=user, at__gte=since).order_by("-at")
    return [dict(row) for row in rows.values("at", "outcome", "method", "ip", "user_agent")[:MAX_ROWS]]


@section("people.sessions", _("Phiên đăng nhập"))
def sessions(user: User) -> list[dict[str, Any]]:
    rows = AccountSession.objects.filter(user=user).order_by("-created_at")
    fields = ("created_at", "last_seen_at", "method", "ip", "user_agent", "revoked_at", "revoked_reason")
    return list(rows.values(*fields)[:MAX_ROWS])


@section("people.level_requests", _("Yêu cầu cấp / nâng mức tài khoản"))
def level_requests(user: User) -> list[dict[str, Any]]:
    rows = LevelRequest.objects.filter(user=user).order_by("-received_at")
    return [
        dict(row)
        for row in rows.values("kind", "status", "received_at", "decided_at", "reason", "card_number_masked")
    ]


@section("people.locks", _("Khóa tài khoản"))
def locks(user: User) -> list[dict[str, Any]]:
    rows = AccountLock.objects.filter(user=user).order_by("-locked_at")
    return [
        dict(row) for row in rows.values("kind", "reason", "authority", "document_ref", "locked_at", "unlocked_at")
    ]


@section("people.data_requests", _("Yêu cầu về dữ liệu cá nhân"))
def data_requests(user: User) -> list[dict[str, Any]]:
    rows = DataRequest.objects.filter(user=user).order_by("-received_at")
    fields = ("pk", "kind", "state", "detail", "received_at", "due_at", "extended_at", "closed_at", "outcome")
    return list(rows.values(*fields))

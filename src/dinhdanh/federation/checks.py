"""Deploy check federation.E001 (issue 16.1): an active FAPI 2.0 client whose stored posture is not
FAPI's — not private_key_jwt, no public keys, or keys fetched over plain HTTP. Registration refuses
these (``clients._posture``) and the authorization endpoint demands PAR of every ``fapi2`` client by
its profile; this catches a row edited around the service (the admin, a shell, a restored backup)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core import checks
from django.db import DatabaseError

from dinhdanh.core.errors import DomainError
from dinhdanh.federation.clients import posture_of
from dinhdanh.federation.models import Client, Profile


def off_posture_clients() -> list[str]:
    found = []
    for client in Client.objects.filter(active=True, profile=Profile.FAPI2).order_by("client_id"):
        try:
            posture_of(client.profile, client.auth_method, client.jwks, client.jwks_uri)
        except DomainError:
            found.append(client.client_id)
    return found


@checks.register(checks.Tags.security, checks.Tags.database, deploy=True)
def check_fapi_clients(
    app_configs: Any, databases: Iterable[str] | None = None, **kwargs: Any
) -> list[checks.CheckMessage]:
    if not databases:
        return []
    try:
        found = off_posture_clients()
    except DatabaseError:  # not migrated yet: `migrate` runs the checks before it creates the tables
        return []
    if not found:
        return []
    listed = ", ".join(found[:20])
    return [
        checks.Error(
            f"Ứng dụng FAPI 2.0 không đúng cấu hình (private_key_jwt, khóa công khai, PAR): {listed} / FAPI 2.0 "
            f"clients off their posture (private_key_jwt, public keys, PAR): {listed}",
            hint="dinhdanh clients show CLIENT_ID",
            id="federation.E001",
        )
    ]

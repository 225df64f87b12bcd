"""The demo relying party's registration (issue 12.5): a FAPI 2.0 client whose public key is the one
the demo app made in its data folder. Idempotent: the registration is kept while it still names the
same key and addresses; otherwise it is disabled and a new one made (clients have no update service,
and a changed key must not keep signing in under the old registration)."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

from dinhdanh.federation.clients import client_disable, client_register
from dinhdanh.federation.models import Client
from dinhdanh.federation.selectors import clients
from dinhdanh_demo_rp.keys import load_or_create_key, public_jwks, save_client_id

__all__ = ["DEMO_RP_NAME", "DEMO_RP_SERVICE", "demo_rp_register", "rp_data_dir"]

DEMO_RP_NAME = "Cổng dịch vụ công (demo)"
DEMO_RP_NAME_EN = "Public services portal (demo)"
DEMO_RP_SERVICE = "dvc"
SCOPES = ["openid", "profile", "organization"]


def rp_data_dir() -> Path:
    return Path(settings.DATA_DIR) / "demo-rp"


def demo_rp_register(*, port: int, data_dir: Path | None = None) -> Client:
    """Register (or keep) the demo client for ``http://127.0.0.1:<port>``; its id goes to the app's
    data folder, where the app reads it at start."""
    directory = data_dir or rp_data_dir()
    jwks = public_jwks(load_or_create_key(directory))
    base = f"http://127.0.0.1:{port}"
    redirect_uris, logout_uris = [f"{base}/callback"], [f"{base}/signed-out"]
    kept = None
    for client in clients().filter(name=DEMO_RP_NAME, active=True):
        same = (client.jwks, client.redirect_uris, client.post_logout_redirect_uris) == (
            jwks,
            redirect_uris,
            logout_uris,
        )
        if same and kept is None:
            kept = client
        else:
            client_disable(actor=None, client_id=client.client_id)
    if kept is None:
        kept, _secret = client_register(
            actor=None, name=DEMO_RP_NAME, name_en=DEMO_RP_NAME_EN, redirect_uris=redirect_uris,
            post_logout_redirect_uris=logout_uris, scopes=SCOPES, profile="fapi2", auth_method="private_key_jwt",
            jwks=jwks, service=DEMO_RP_SERVICE,
        )  # fmt: skip
    save_client_id(directory, kept.client_id)
    return kept

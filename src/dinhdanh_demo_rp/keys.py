"""The demo relying party's own key pair: made on first start, kept in its data folder (0600)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from joserfc.jwk import ECKey

KEY_FILE = "client-key.json"
CLIENT_FILE = "client.json"


def load_or_create_key(directory: Path) -> ECKey:
    """The ES256 key that signs client assertions; the provider holds only its public half."""
    path = directory / KEY_FILE
    if path.exists():
        return ECKey.import_key(json.loads(path.read_text(encoding="utf-8")))
    directory.mkdir(parents=True, exist_ok=True)
    key = ECKey.generate_key("P-256", parameters={"alg": "ES256", "use": "sig"}, auto_kid=True)
    # Created 0600 from the start, so the private key is never readable by others even for a moment.
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        json.dump(key.as_dict(private=True), handle)
    return key


def public_jwks(key: ECKey) -> dict[str, Any]:
    return {"keys": [key.as_dict(private=False)]}


def save_client_id(directory: Path, client_id: str) -> None:
    """Written by whoever registers the demo client (``dinhdanh demo``), read at start."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / CLIENT_FILE).write_text(json.dumps({"client_id": client_id}), encoding="utf-8")


def load_client_id(directory: Path) -> str:
    path = directory / CLIENT_FILE
    if not path.exists():
        return ""
    return str(json.loads(path.read_text(encoding="utf-8")).get("client_id", ""))

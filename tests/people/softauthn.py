"""A software WebAuthn authenticator and client for tests: real keys, real signatures, real CBOR.

It answers the options our API issues the way a browser plus a platform authenticator would (ES256,
"none" attestation), so the server side is tested against the library for real, with no mocks. Each
knob lets a test produce one specific defect: no user verification, another origin or RP ID, a
counter that does not move.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import struct
from dataclasses import dataclass, field
from typing import Any

import cbor2
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

# Authenticator data flags (WebAuthn §6.1).
UP = 0x01
UV = 0x04
BE = 0x08
BS = 0x10
AT = 0x40


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _public_options(options: dict[str, Any]) -> dict[str, Any]:
    """Accept either our API's ``{"publicKey": {...}}`` or the inner dictionary."""
    inner = options.get("publicKey", options)
    assert isinstance(inner, dict)
    return inner


@dataclass
class SoftAuthenticator:
    rp_id: str = "testserver"
    origin: str = "http://testserver"
    key: ec.EllipticCurvePrivateKey = field(default_factory=lambda: ec.generate_private_key(ec.SECP256R1()))
    credential_id: bytes = field(default_factory=lambda: secrets.token_bytes(32))
    aaguid: bytes = bytes.fromhex("01020304050607080910111213141516")
    counter: int = 0
    counter_step: int = 1  # 0: an authenticator without a signature counter (many synced passkeys)
    user_handle: bytes | None = None
    backed_up: bool = False

    def _cose_key(self) -> bytes:
        numbers = self.key.public_key().public_numbers()
        # COSE_Key EC2 (RFC 9053 §7.1): kty 2, alg -7 (ES256), crv 1 (P-256), x, y.
        return cbor2.dumps(
            {1: 2, 3: -7, -1: 1, -2: numbers.x.to_bytes(32, "big"), -3: numbers.y.to_bytes(32, "big")}
        )

    def _flags(self, *, uv: bool, attested: bool) -> int:
        flags = UP | (UV if uv else 0)
        if self.backed_up:
            flags |= BE | BS
        return flags | (AT if attested else 0)

    def _client_data(self, kind: str, challenge: str, origin: str | None) -> bytes:
        return json.dumps(
            {"type": kind, "challenge": challenge, "origin": origin or self.origin, "crossOrigin": False},
            separators=(",", ":"),
        ).encode()

    def create(
        self,
        options: dict[str, Any],
        *,
        uv: bool = True,
        origin: str | None = None,
        rp_id: str | None = None,
        transports: tuple[str, ...] = ("internal", "hybrid"),
    ) -> dict[str, Any]:
        """``navigator.credentials.create()`` followed by ``credential.toJSON()``."""
        public = _public_options(options)
        self.user_handle = unb64url(public["user"]["id"])
        rp_hash = hashlib.sha256((rp_id or public["rp"].get("id") or self.rp_id).encode()).digest()
        attested = self.aaguid + struct.pack(">H", len(self.credential_id)) + self.credential_id + self._cose_key()
        auth_data = (
            rp_hash + bytes([self._flags(uv=uv, attested=True)]) + struct.pack(">I", self.counter) + attested
        )
        attestation = cbor2.dumps({"fmt": "none", "attStmt": {}, "authData": auth_data})
        client_data = self._client_data("webauthn.create", public["challenge"], origin)
        return {
            "id": b64url(self.credential_id),
            "rawId": b64url(self.credential_id),
            "type": "public-key",
            "response": {
                "clientDataJSON": b64url(client_data),
                "attestationObject": b64url(attestation),
                "transports": list(transports),
            },
            "authenticatorAttachment": "platform",
            "clientExtensionResults": {},
        }

    def get(
        self,
        options: dict[str, Any],
        *,
        uv: bool = True,
        origin: str | None = None,
        rp_id: str | None = None,
        counter: int | None = None,
        user_handle: bool = True,
    ) -> dict[str, Any]:
        """``navigator.credentials.get()`` followed by ``credential.toJSON()``."""
        public = _public_options(options)
        if counter is None:
            self.counter += self.counter_step
            counter = self.counter
        rp_hash = hashlib.sha256((rp_id or public.get("rpId") or self.rp_id).encode()).digest()
        auth_data = rp_hash + bytes([self._flags(uv=uv, attested=False)]) + struct.pack(">I", counter)
        client_data = self._client_data("webauthn.get", public["challenge"], origin)
        signature = self.key.sign(auth_data + hashlib.sha256(client_data).digest(), ec.ECDSA(hashes.SHA256()))
        response: dict[str, Any] = {
            "clientDataJSON": b64url(client_data),
            "authenticatorData": b64url(auth_data),
            "signature": b64url(signature),
        }
        if user_handle and self.user_handle is not None:
            response["userHandle"] = b64url(self.user_handle)
        return {
            "id": b64url(self.credential_id),
            "rawId": b64url(self.credential_id),
            "type": "public-key",
            "response": response,
            "authenticatorAttachment": "platform",
            "clientExtensionResults": {},
        }

"""Real certificates and relying parties for the credential-expiry tests (issue 13.5)."""

from __future__ import annotations

import base64
import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from joserfc.jwk import ECKey

from dinhdanh.federation.clients import client_register
from dinhdanh.federation.models import Client

NOW = datetime(2026, 6, 1, 3, 0, tzinfo=UTC)
RP = "https://rp.example.vn/cb"
_serial = itertools.count(1000)


def certificate(
    not_after: datetime, *, key: ec.EllipticCurvePrivateKey | None = None, name: str = "Cơ quan Thuế"
) -> x509.Certificate:
    key = key or ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(next(_serial))
        .not_valid_before(not_after - timedelta(days=400))
        .not_valid_after(not_after)
        .sign(key, hashes.SHA256())
    )


def pem(cert: x509.Certificate) -> str:
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def private_pem(key: ec.EllipticCurvePrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def jwk(*, kid: str, cert_not_after: datetime | None = None, exp: Any = None) -> dict[str, Any]:
    """A public JWK; with ``cert_not_after`` an ``x5c`` of a certificate on the same key, with ``exp`` that member."""
    key = ECKey.generate_key("P-256", parameters={"kid": kid})
    data = dict(key.as_dict(private=False))
    if cert_not_after is not None:
        cert = certificate(cert_not_after, key=key.private_key, name=f"rp {kid}")
        data["x5c"] = [base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode()]
    if exp is not None:
        data["exp"] = exp
    return data


def relying_party(*keys: dict[str, Any], name: str = "Ngân hàng Thử") -> Client:
    client, _secret = client_register(
        actor=None, name=name, redirect_uris=[RP], auth_method="private_key_jwt", jwks={"keys": list(keys)}
    )
    return client

"""Checking a Power-of-Representation attestation with nothing but our published keys: no database, no
Django — ``joserfc`` and the standard library only, so that a relying party can copy this one file.

What it checks (docs/trust/attestations.md):

* the attestation: a compact JWS with header ``typ: por+jwt``, signed by a key of the JWKS with one
  of our algorithms (never ``none``, never HMAC: a public key is no shared secret), ``nbf <= now <
  exp`` (60 seconds of clock skew);
* its status (draft-ietf-oauth-status-list, "Token Status List"): the Status List Token is a JWS with
  ``typ: statuslist+jwt`` from the same JWKS, its ``sub`` the ``uri`` the attestation names, not
  expired; the entry at ``idx`` is read from ``lst`` (DEFLATE in the ZLIB format, base64url), 2 bits
  an entry, least significant bits first: 0 valid, 1 invalid (revoked), 2 suspended.

Run it as ``python -m dinhdanh.trust.offline_verify TOKEN_FILE --jwks FILE_OR_URL [--status-list
FILE_OR_URL]`` or ``dinhdanh attestation verify …``: exit 0 valid, 1 invalid, revoked, suspended or
expired, 2 unusable input (a file that cannot be read, a JWKS or a status list that is not one).
"""

from __future__ import annotations

import argparse
import base64
import binascii
import json
import re
import sys
import time
import urllib.request
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

__all__ = [
    "ALGORITHMS",
    "ATTESTATION_TYP",
    "STATUS_LIST_TYP",
    "Unusable",
    "Verdict",
    "decode_status_list",
    "encode_status_list",
    "load",
    "main",
    "status_at",
    "verify",
]

ATTESTATION_TYP = "por+jwt"
STATUS_LIST_TYP = "statuslist+jwt"
ALGORITHMS = ("ES256", "PS256", "EdDSA")
LEEWAY = 60
MAX_INPUT = 1 << 20  # a token, a JWKS or a status list token: far larger than any of ours
MAX_LIST_BYTES = 1 << 20  # 4,194,304 entries of 2 bits: a bound for a hostile ``lst`` (zip bomb)
BITS = (1, 2, 4, 8)
STATUS_NAMES = {0: "valid", 1: "invalid", 2: "suspended"}
EXIT_VALID, EXIT_INVALID, EXIT_UNUSABLE = 0, 1, 2
_COMPACT = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")


class Unusable(Exception):  # noqa: N818  # a verdict, not a bug: the input cannot be checked
    """The input cannot be checked at all (exit 2)."""


# --- the status list: byte array, bits, compression (draft-ietf-oauth-status-list, "Status List") ------


def encode_status_list(statuses: Mapping[int, int], *, size: int, bits: int) -> str:
    """``lst`` for a list of ``size`` entries, all 0 but ``statuses`` (index → value)."""
    if bits not in BITS or size <= 0 or (size * bits) % 8:
        raise ValueError("bits must be 1, 2, 4 or 8 and fill whole bytes")
    per_byte, mask = 8 // bits, (1 << bits) - 1
    array = bytearray(size * bits // 8)
    for index, value in statuses.items():
        if not 0 <= index < size or not 0 <= value <= mask:
            raise ValueError("an index or a status out of range")
        shift = (index % per_byte) * bits
        array[index // per_byte] = (array[index // per_byte] & ~(mask << shift)) | (value << shift)
    return base64.urlsafe_b64encode(zlib.compress(bytes(array), 9)).rstrip(b"=").decode("ascii")


def decode_status_list(lst: object, *, max_bytes: int = MAX_LIST_BYTES) -> bytes:
    """The byte array of ``lst``; ``ValueError`` for anything that is not base64url of ZLIB data, or
    that inflates past ``max_bytes``."""
    if not isinstance(lst, str) or not re.fullmatch(r"[A-Za-z0-9_-]+", lst):
        raise ValueError("lst is not base64url")
    try:
        compressed = base64.urlsafe_b64decode(lst + "=" * (-len(lst) % 4))
        inflater = zlib.decompressobj()
        array = inflater.decompress(compressed, max_bytes)
    except (binascii.Error, zlib.error) as exc:
        raise ValueError("lst is not ZLIB data") from exc
    if inflater.unconsumed_tail or not inflater.eof:
        raise ValueError("lst is truncated or larger than allowed")
    return array


def status_at(array: bytes, index: int, *, bits: int) -> int:
    """The status of entry ``index`` (``IndexError`` past the list's end)."""
    if bits not in BITS:
        raise ValueError("bits must be 1, 2, 4 or 8")
    per_byte = 8 // bits
    if not isinstance(index, int) or isinstance(index, bool) or not 0 <= index < len(array) * per_byte:
        raise IndexError("index outside the status list")
    return (array[index // per_byte] >> ((index % per_byte) * bits)) & ((1 << bits) - 1)


# --- tokens -----------------------------------------------------------------------------------------


@dataclass
class Verdict:
    """What the check found. ``valid`` is the answer; ``problems`` say why not (English)."""

    claims: dict[str, Any] = field(default_factory=dict)
    status: int | None = None  # the status entry's value, when a status list was read
    problems: list[str] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return not self.problems

    @property
    def status_name(self) -> str:
        return "not checked" if self.status is None else STATUS_NAMES.get(self.status, f"unknown ({self.status})")


def _keyset(jwks: object) -> KeySet:
    if not isinstance(jwks, dict) or not isinstance(jwks.get("keys"), list) or not jwks["keys"]:
        raise Unusable("the JWKS has no keys")
    public = [
        k for k in jwks["keys"] if isinstance(k, dict) and k.get("kty") in {"EC", "RSA", "OKP"} and "d" not in k
    ]
    if not public:
        raise Unusable("the JWKS has no public EC, RSA or OKP key")
    try:
        return KeySet.import_key_set({"keys": public})
    except (JoseError, ValueError, TypeError, KeyError) as exc:
        raise Unusable("the JWKS cannot be read") from exc


def _decode(token: str, keys: KeySet, typ: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """(header, claims) of a token signed by ``keys``; ``JoseError``/``ValueError`` otherwise."""
    token = token.strip()
    if len(token) > MAX_INPUT or not _COMPACT.fullmatch(token):
        raise ValueError("not a compact JWS")
    decoded = jwt.decode(token, keys, algorithms=list(ALGORITHMS))
    header, claims = dict(decoded.header), dict(decoded.claims)
    if header.get("typ") != typ:
        raise ValueError(f"the header's typ is not {typ}")
    return header, claims


def _number(claims: Mapping[str, Any], name: str) -> int | None:
    value = claims.get(name)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _check_times(claims: Mapping[str, Any], now: int, problems: list[str]) -> None:
    expires, not_before = _number(claims, "exp"), _number(claims, "nbf")
    if expires is None:
        problems.append("no exp claim")
    elif expires + LEEWAY <= now:
        problems.append("expired")
    if not_before is not None and not_before - LEEWAY > now:
        problems.append("not valid yet (nbf)")


def _reference(claims: Mapping[str, Any]) -> tuple[int, str] | None:
    status = claims.get("status")
    entry = status.get("status_list") if isinstance(status, dict) else None
    if not isinstance(entry, dict):
        return None
    index, uri = entry.get("idx"), entry.get("uri")
    if not isinstance(index, int) or isinstance(index, bool) or index < 0 or not isinstance(uri, str):
        return None
    return index, uri


def _status(reference: tuple[int, str], status_list_token: str, keys: KeySet, now: int, iss: object) -> int:
    """The entry's value; ``Unusable`` when the status list token cannot answer for this attestation."""
    try:
        _header, claims = _decode(status_list_token, keys, STATUS_LIST_TYP)
    except (JoseError, ValueError, TypeError) as exc:
        raise Unusable("the status list token is not one signed by a key of the JWKS") from exc
    index, uri = reference
    if claims.get("sub") != uri:
        raise Unusable("the status list token is another list than the one the attestation names")
    if "iss" in claims and claims.get("iss") != iss:
        raise Unusable("the status list token has another issuer than the attestation")
    expires = _number(claims, "exp")
    if expires is not None and expires + LEEWAY <= now:
        raise Unusable("the status list token has expired: fetch a fresh one")
    body = claims.get("status_list")
    bits = body.get("bits") if isinstance(body, dict) else None
    if not isinstance(body, dict) or bits not in BITS:
        raise Unusable("the status list token has no status_list with bits 1, 2, 4 or 8")
    try:
        return status_at(decode_status_list(body.get("lst")), index, bits=bits)
    except (ValueError, IndexError) as exc:
        raise Unusable(f"the status list cannot be read: {exc}") from exc


def verify(token: str, jwks: object, status_list_token: str | None = None, *, now: int | None = None) -> Verdict:
    """Check ``token`` against ``jwks`` (a JWKS as a dict) and, when given, the status list token.
    A token that fails is a ``Verdict`` with problems; ``Unusable`` when the keys or the status list
    cannot be used to decide."""
    now = int(time.time()) if now is None else now
    keys = _keyset(jwks)
    verdict = Verdict()
    try:
        _header, verdict.claims = _decode(token, keys, ATTESTATION_TYP)
    except (JoseError, ValueError, TypeError) as exc:
        verdict.problems.append(f"not an attestation signed by a key of the JWKS ({type(exc).__name__})")
        return verdict
    _check_times(verdict.claims, now, verdict.problems)
    reference = _reference(verdict.claims)
    if reference is None:
        verdict.problems.append("no status list entry (status.status_list.idx, uri)")
    elif status_list_token is not None:
        verdict.status = _status(reference, status_list_token, keys, now, verdict.claims.get("iss"))
        if verdict.status != 0:
            verdict.problems.append(f"status: {verdict.status_name}")
    return verdict


# --- the command ------------------------------------------------------------------------------------


def load(source: str, *, accept: str = "*/*") -> str:
    """A file's text, or a URL's body (http or https, 10 seconds, at most ``MAX_INPUT`` bytes)."""
    data: bytes
    try:
        if source.startswith(("https://", "http://")):
            request = urllib.request.Request(source, headers={"Accept": accept})  # noqa: S310  # scheme checked
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310  # scheme checked
                data = response.read(MAX_INPUT + 1)
        else:
            with Path(source).open("rb") as file:
                data = file.read(MAX_INPUT + 1)
        if len(data) > MAX_INPUT:
            raise Unusable(f"{source}: larger than {MAX_INPUT} bytes")
        return data.decode("utf-8")
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise Unusable(f"{source}: cannot be read ({type(exc).__name__})") from exc


def _load_json(source: str) -> object:
    try:
        return json.loads(load(source, accept="application/json"))
    except ValueError as exc:
        raise Unusable(f"{source}: not JSON") from exc


def _object(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def report(verdict: Verdict) -> list[str]:
    """Lines for a person: the verdict, then the facts."""
    claims = verdict.claims
    legal = _object(claims.get("legal_person"))
    natural = _object(claims.get("natural_person"))
    lines = ["HỢP LỆ / VALID" if verdict.valid else "KHÔNG HỢP LỆ / NOT VALID"]
    lines += [f"  - {problem}" for problem in verdict.problems]
    if claims:
        powers = "full powers" if claims.get("full_powers") else ", ".join(map(str, claims.get("services") or []))
        lines += [
            f"organization: {legal.get('identifier', '?')} {legal.get('legal_name', '')}".rstrip(),
            f"person: {natural.get('family_name', '')} {natural.get('given_name', '')}".strip(),
            f"role: {claims.get('role', '?')}; {powers}",
            f"valid from {claims.get('effective_from_date', '?')} until {claims.get('effective_until_date', '?')}",
            f"status: {verdict.status_name}",
        ]
    return lines


class _Writer(Protocol):
    def write(self, text: str, /) -> object: ...


def main(argv: Sequence[str] | None = None, *, out: _Writer | None = None, err: _Writer | None = None) -> int:
    out, err = out or sys.stdout, err or sys.stderr
    parser = argparse.ArgumentParser(
        prog="dinhdanh attestation verify", description="Check a Power-of-Representation attestation offline."
    )
    parser.add_argument("token", help="a file holding the attestation (a JWT), or - for standard input")
    parser.add_argument("--jwks", required=True, help="the issuer's JWKS: a file or a URL")
    parser.add_argument("--status-list", default="", help="the status list token: a file or a URL")
    args = parser.parse_args(argv)
    try:
        stdin = args.token == "-"  # noqa: S105  # a file name, not a secret
        token = sys.stdin.read(MAX_INPUT + 1) if stdin else load(args.token)
        status_list = load(args.status_list, accept="application/statuslist+jwt") if args.status_list else None
        verdict = verify(token, _load_json(args.jwks), status_list)
    except Unusable as exc:
        err.write(f"KHÔNG KIỂM TRA ĐƯỢC / CANNOT CHECK: {exc}\n")
        return EXIT_UNUSABLE
    out.write("\n".join(report(verdict)) + "\n")
    if verdict.valid and verdict.status is None:
        out.write("(status not checked: pass --status-list)\n")
    return EXIT_VALID if verdict.valid else EXIT_INVALID


if __name__ == "__main__":
    sys.exit(main())

"""The status list's encoding (draft-ietf-oauth-status-list: bits LSB first, ZLIB, base64url) and the
offline verifier's refusals, with keys of the test's own: no database, no Django."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import zlib
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from joserfc import jwt
from joserfc.jwk import ECKey, RSAKey

from dinhdanh.trust.offline_verify import (
    Unusable,
    decode_status_list,
    encode_status_list,
    status_at,
    verify,
)

SIZE = 1 << 16
URI = "https://dinhdanh.example.vn/trust/status-lists/1"
ISS = "https://dinhdanh.example.vn"


@given(
    bits=st.sampled_from([1, 2, 4, 8]),
    entries=st.dictionaries(st.integers(0, 4095), st.integers(0, 255), max_size=200),
)
def test_random_statuses_at_random_indexes_survive_the_round_trip(bits: int, entries: dict[int, int]) -> None:
    statuses = {index: value % (1 << bits) for index, value in entries.items()}
    array = decode_status_list(encode_status_list(statuses, size=4096, bits=bits))
    assert len(array) == 4096 * bits // 8
    for index in range(0, 4096, 7):
        assert status_at(array, index, bits=bits) == statuses.get(index, 0)
    for index, value in statuses.items():
        assert status_at(array, index, bits=bits) == value


def test_the_drafts_own_example_of_two_bits_decodes_as_published() -> None:
    # The draft's 2-bit example: statuses 1,2,0,3,0,1,0,1,1,2,3,3 → bytes C9 44 F9, "eNo76fITAAPfAgc".
    array = decode_status_list("eNo76fITAAPfAgc")
    assert array == bytes([0xC9, 0x44, 0xF9])
    assert [status_at(array, i, bits=2) for i in range(12)] == [1, 2, 0, 3, 0, 1, 0, 1, 1, 2, 3, 3]
    statuses = dict(enumerate([1, 2, 0, 3, 0, 1, 0, 1, 1, 2, 3, 3]))
    assert decode_status_list(encode_status_list(statuses, size=12, bits=2)) == array


def test_a_full_list_of_65536_entries_compresses_to_little() -> None:
    lst = encode_status_list({65535: 2, 0: 1}, size=SIZE, bits=2)
    assert len(lst) < 200
    array = decode_status_list(lst)
    assert (status_at(array, 0, bits=2), status_at(array, 65535, bits=2), status_at(array, 1, bits=2)) == (1, 2, 0)
    with pytest.raises(IndexError):
        status_at(array, SIZE, bits=2)


@pytest.mark.parametrize(
    "lst",
    [
        "",
        "not base64!",
        base64.urlsafe_b64encode(b"plain bytes, not zlib").decode().rstrip("="),
        base64.urlsafe_b64encode(zlib.compress(b"\0" * 100)[:-3]).decode().rstrip("="),  # truncated
        base64.urlsafe_b64encode(zlib.compress(b"\0" * (2 << 20))).decode().rstrip("="),  # a zip bomb
        12,
        None,
    ],
)
def test_a_hostile_lst_is_refused(lst: Any) -> None:
    with pytest.raises(ValueError, match="lst"):
        decode_status_list(lst)


@pytest.mark.parametrize(("statuses", "bits"), [({0: 4}, 2), ({-1: 1}, 2), ({SIZE: 1}, 2), ({0: 1}, 3)])
def test_encoding_refuses_what_does_not_fit(statuses: dict[int, int], bits: int) -> None:
    with pytest.raises(ValueError, match=r"out of range|bits"):
        encode_status_list(statuses, size=SIZE, bits=bits)


# --- the verifier with keys of our own ---------------------------------------------------------------

KEY = ECKey.generate_key("P-256", parameters={"kid": "k1", "alg": "ES256"})
JWKS = {"keys": [KEY.as_dict(private=False)]}


def sign(claims: dict[str, Any], typ: str, key: Any = KEY, alg: str = "ES256") -> str:
    return jwt.encode({"typ": typ, "alg": alg, "kid": "k1"}, claims, key, algorithms=[alg])


def attestation(**changes: Any) -> dict[str, Any]:
    now = int(time.time())
    claims = {
        "iss": ISS, "iat": now, "nbf": now, "exp": now + 3600, "jti": "j1",
        "status": {"status_list": {"idx": 42, "uri": URI}},
    }  # fmt: skip
    claims.update(changes)
    return claims


def status_list(statuses: dict[int, int], **changes: Any) -> str:
    now = int(time.time())
    claims = {
        "iss": ISS, "sub": URI, "iat": now, "exp": now + 600, "ttl": 300,
        "status_list": {"bits": 2, "lst": encode_status_list(statuses, size=SIZE, bits=2)},
    }  # fmt: skip
    claims.update(changes)
    return sign(claims, "statuslist+jwt")


@pytest.mark.parametrize(("value", "valid"), [(0, True), (1, False), (2, False)])
def test_the_entry_decides(value: int, valid: bool) -> None:
    verdict = verify(sign(attestation(), "por+jwt"), JWKS, status_list({42: value, 43: 1}))
    assert (verdict.valid, verdict.status) == (valid, value)


@pytest.mark.parametrize(
    ("token", "problem"),
    [
        (lambda: sign(attestation(exp=int(time.time()) - 3600), "por+jwt"), "expired"),
        (lambda: sign(attestation(nbf=int(time.time()) + 3600), "por+jwt"), "not valid yet"),
        (lambda: sign(attestation(exp="tomorrow"), "por+jwt"), "no exp"),
        (lambda: sign(attestation(status=None), "por+jwt"), "no status list entry"),
        (lambda: sign(attestation(), "at+jwt"), "not an attestation"),
        (lambda: sign(attestation(), "por+jwt", ECKey.generate_key("P-256")), "not an attestation"),
        (lambda: "garbage", "not an attestation"),
        (lambda: "a.b.c", "not an attestation"),
        (lambda: "x" * (2 << 20), "not an attestation"),
    ],
)
def test_a_bad_attestation_is_not_valid(token: Any, problem: str) -> None:
    verdict = verify(token(), JWKS)
    assert not verdict.valid
    assert any(problem in p for p in verdict.problems), verdict.problems


def _unsigned(header: dict[str, Any], claims: dict[str, Any], signature: bytes = b"") -> str:
    return ".".join([_b64(json.dumps(header).encode()), _b64(json.dumps(claims).encode()), _b64(signature)])


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def test_alg_none_and_hmac_with_the_public_key_are_refused() -> None:
    none = _unsigned({"typ": "por+jwt", "alg": "none"}, attestation())
    assert not verify(none, JWKS).valid
    assert not verify(none + "AA", JWKS).valid
    rsa = RSAKey.generate_key(2048, parameters={"kid": "r1"})
    assert not verify(hmac_forged(rsa.as_pem(private=False)), {"keys": [rsa.as_dict(private=False)]}).valid


def hmac_forged(secret: bytes) -> str:
    """HS256 keyed with a public key, made by hand (joserfc refuses to make such a key)."""
    unsigned = _unsigned({"typ": "por+jwt", "alg": "HS256", "kid": "r1"}, attestation())
    signing_input = unsigned.rsplit(".", 1)[0]
    mac = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return signing_input + "." + base64.urlsafe_b64encode(mac).rstrip(b"=").decode()


@pytest.mark.parametrize(
    "listed",
    [
        lambda: status_list({}, sub="https://elsewhere.example/list/9"),
        lambda: status_list({}, iss="https://other-issuer.example"),
        lambda: status_list({}, exp=int(time.time()) - 3600),
        lambda: status_list({}, status_list={"bits": 3, "lst": "eNo"}),
        lambda: status_list({}, status_list={"bits": 2, "lst": "!!"}),
        lambda: status_list(
            {}, status_list={"bits": 2, "lst": encode_status_list({}, size=8, bits=2)}
        ),  # too short
        lambda: sign({"sub": URI}, "JWT"),
        lambda: "garbage",
    ],
)
def test_a_status_list_that_cannot_answer_is_unusable(listed: Any) -> None:
    with pytest.raises(Unusable):
        verify(sign(attestation(), "por+jwt"), JWKS, listed())


@pytest.mark.parametrize(
    "jwks",
    [
        {},
        {"keys": []},
        {"keys": "x"},
        [],
        "x",
        {"keys": [{"kty": "oct", "k": "c2VjcmV0"}]},
        {"keys": [{"kty": "EC"}]},
    ],
)
def test_a_jwks_that_is_not_one_is_unusable(jwks: Any) -> None:
    with pytest.raises(Unusable):
        verify(sign(attestation(), "por+jwt"), jwks)


def test_a_jwks_holding_private_keys_is_not_a_published_one() -> None:
    with pytest.raises(Unusable, match="no public"):
        verify(sign(attestation(), "por+jwt"), {"keys": [KEY.as_dict(private=True)]})

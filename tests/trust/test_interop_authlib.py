"""Issue 13, "done when": a relying party written with Authlib's OAuth client (FAPI 2.0: private_key_jwt,
DPoP-bound tokens) runs against the live server and

* asks whether the organization is active and whether a person is its representative, and verifies the
  signed answers from the JWKS alone;
* asks for the representative's Power-of-Representation attestation and checks it offline — signature
  from the JWKS, status from the status list it fetched once — with the platform's own offline verifier
  *and* with joserfc by hand;
* subscribes to the organization, and receives a signed Security Event Token by HTTPS push (a receiver of
  its own on 127.0.0.1) when the organization is locked; the attestation is then suspended in the status
  list it fetches again."""

from __future__ import annotations

import base64
import json
import zlib
from typing import Any

import httpx
import pytest
from authlib.integrations.httpx_client import OAuth2Client
from joserfc import jwt
from joserfc.jwk import ECKey, KeySet

from dinhdanh.federation.clients import client_register
from dinhdanh.geo.services import units_load
from dinhdanh.organizations.models import LockGround, Organization
from dinhdanh.organizations.services import member_grant, organization_lock
from dinhdanh.people.models import User
from dinhdanh.trust import offline_verify
from dinhdanh.trust.delivery import deliver_due
from dinhdanh.trust.dispatch import dispatch
from dinhdanh.trust.tasks_attestations import follow_organizations
from dinhdanh_demo_rp.client import IssuerAssertion
from dinhdanh_demo_rp.dpop import DPoPAuth, DPoPKey
from tests.conftest import make_user
from tests.organizations.factories import make_organization, make_service
from tests.trust.test_notices_support import local_receiver

pytestmark = pytest.mark.django_db(transaction=True)

NUMBER = "079185000123"
ACCOUNTANT = "079190000456"
SCOPE = "verify.organization verify.member"


def _status_at(status_list_token: str, keys: KeySet, index: int) -> int:
    """Token Status List §4: the byte array, zlib-compressed and base64url-encoded, two bits an entry."""
    claims = jwt.decode(status_list_token, keys, algorithms=["ES256"]).claims
    packed = claims["status_list"]["lst"]
    data = zlib.decompress(base64.urlsafe_b64decode(packed + "=" * (-len(packed) % 4)))
    bits = claims["status_list"]["bits"]
    per_byte = 8 // bits
    return int((data[index // per_byte] >> ((index % per_byte) * bits)) & ((1 << bits) - 1))


def _organization() -> tuple[User, Organization]:
    """The organization, its representative, and a member granted the bank's service (so the bank serves it)."""
    make_service("ngan-hang.mo-tai-khoan")
    representative = make_user("Nguyễn Văn Đại Diện", personal_id=NUMBER)
    organization = make_organization(representative=representative, name="Công ty Liên thông", code="0100109106")
    make_user("Lê Thị Kế Toán", personal_id=ACCOUNTANT)  # granted the bank's service: the bank serves it
    member_grant(
        actor=representative,
        organization=organization,
        personal_id=ACCOUNTANT,
        services=["ngan-hang.mo-tai-khoan"],
    )
    return representative, organization


def _offline(folder: Any, jwks: str, attestation: str, status_list: str) -> int:
    """The platform's own offline verifier, on files, as a relying party would run it."""
    (folder / "jwks.json").write_text(jwks)
    (folder / "por.jwt").write_text(attestation)
    (folder / "status.jwt").write_text(status_list)
    files = [
        str(folder / "por.jwt"),
        "--jwks",
        str(folder / "jwks.json"),
        "--status-list",
        str(folder / "status.jwt"),
    ]
    return offline_verify.main(files)


def test_an_authlib_relying_party_asks_checks_offline_and_hears_of_a_lock(
    live_server: Any, settings: Any, tmp_path: Any
) -> None:
    issuer = settings.FEDERATION_ISSUER = live_server.url
    settings.NOTIFY_OUTBOX_DIR = tmp_path / "outbox"
    units_load(actor=None)  # an earlier transactional test may have emptied the database
    representative, organization = _organization()
    key = ECKey.generate_key("P-256", parameters={"kid": "rp-trust-1"})
    client, _none = client_register(
        actor=None, name="Ngân hàng liên thông", redirect_uris=["https://nganhang.example.vn/cb"],
        scopes=["openid", *SCOPE.split()], profile="fapi2", auth_method="private_key_jwt",
        jwks={"keys": [key.as_dict(private=False)]}, service="ngan-hang.mo-tai-khoan",
    )  # fmt: skip
    meta = httpx.get(f"{issuer}/.well-known/openid-configuration", timeout=10).json()
    proof_key = DPoPKey()
    with OAuth2Client(
        client.client_id, key, token_endpoint_auth_method=IssuerAssertion(issuer, "rp-trust-1"), scope=SCOPE,
        timeout=10,
    ) as oauth:  # fmt: skip
        token = oauth.fetch_token(
            meta["token_endpoint"], grant_type="client_credentials",
            auth=DPoPAuth(proof_key, inner=oauth.client_auth(oauth.token_endpoint_auth_method)),
        )  # fmt: skip
        assert token["token_type"] == "DPoP"
        keys = KeySet.import_key_set(httpx.get(meta["jwks_uri"], timeout=10).json())  # signed with: published
        resource = DPoPAuth(proof_key, access_token=token["access_token"])

        def call(method: str, path: str, body: dict[str, Any] | None = None) -> httpx.Response:
            answer: httpx.Response = oauth.request(method, f"{issuer}{path}", json=body, auth=resource)
            return answer

        # 1. Questions, and their signed answers checked from the JWKS alone.
        active = call("POST", "/api/v1/verify/organization", {"organization": "0100109106"})
        assert active.status_code == 200, active.text
        signed = jwt.decode(active.json()["jws"], keys, algorithms=["ES256"]).claims
        assert (active.json()["answer"], signed["aud"], signed["iss"]) == ("yes", client.client_id, issuer)
        person = call(
            "POST", "/api/v1/verify/person",
            {"organization": organization.eid, "personal_number": NUMBER, "question": "representative"},
        )  # fmt: skip
        assert person.status_code == 200, person.text
        assert person.json()["answer"] == "yes"
        assert NUMBER not in person.text
        assert jwt.decode(person.json()["jws"], keys, algorithms=["ES256"]).claims["aud"] == client.client_id

        # 2. The representative's attestation, checked offline.
        asked = call(
            "POST", "/api/v1/attestations/", {"organization": organization.eid, "personal_number": NUMBER}
        )
        assert asked.status_code == 200, asked.text
        attestation = asked.json()["attestation"]
        por = jwt.decode(attestation, keys, algorithms=["ES256"]).claims
        assert por["legal_person_identifier"] == organization.eid
        entry = por["status"]["status_list"]
        status_list = httpx.get(entry["uri"], timeout=10).text
        assert _status_at(status_list, keys, entry["idx"]) == 0
        assert _offline(tmp_path, httpx.get(meta["jwks_uri"], timeout=10).text, attestation, status_list) == 0

        # 3. Subscribe, push receiver; the organization is locked: a signed SET arrives.
        with local_receiver() as receiver:
            assert (
                call(
                    "PUT", "/api/v1/notices/receiver", {"method": "push", "endpoint_url": receiver.url("/ok")}
                ).status_code
                == 200
            )
            subscribed = call("POST", "/api/v1/notices/subscriptions", {"organization": organization.eid})
            assert subscribed.status_code in {200, 201}, subscribed.text
            organization_lock(
                actor=representative, organization=organization, ground=LockGround.ORGANIZATION_REQUEST,
                reason="Mất con dấu",
            )  # fmt: skip
            dispatch()
            deliver_due()
            (arrived,) = receiver.received
        event = jwt.decode(arrived.body.decode(), keys, algorithms=["ES256"])
        assert event.header["typ"] == "secevent+jwt"
        assert event.claims["aud"] == client.client_id
        (event_type,) = event.claims["events"]
        assert event_type.endswith("/account-disabled")
        assert json.dumps(event.claims).find(NUMBER) == -1

        # 4. The lock suspends the attestation, seen offline in the list fetched again.
        follow_organizations()
        assert _status_at(httpx.get(entry["uri"], timeout=10).text, keys, entry["idx"]) == 2

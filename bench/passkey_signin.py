"""Passkey (WebAuthn) sign-ins per CPU-second through the whole HTTP stack, and what the platform adds
on top of the signature check (issue 17.2, target >= 300 sign-ins/s per core).

    .venv/bin/python bench/passkey_signin.py [rounds]        # default 300
    DATABASE_URL=postgres://dinhdanh:dinhdanh@127.0.0.1:5432/dinhdanh_bench .venv/bin/python bench/passkey_signin.py

A person with one passkey (registered through the API, as the tests do, by the tests' software
authenticator: a real P-256 key, real CBOR, real ES256 signatures) signs in without a password, over and
over. Interleaved, single-threaded, in-process through the Django test client, it measures:
  verify   webauthn.verify_authentication_response alone on one assertion (the floor: parsing, the
           client data and authenticator data checks, one ECDSA P-256 verification)
  noop     GET /api/v1/auth/csrf through the same stack (routing, middleware, session, JSON): what any
           request costs
  signin   a sign-in as a browser makes it, with a fresh cookie jar: POST /api/v1/passkeys/signin/options
           (the challenge handed over in a signed cookie), then POST /api/v1/passkeys/signin/verify (the
           throttle checked, the credential and its owner looked up, the signature checked, then in one
           transaction the challenge spent, the counter moved, the session listed, the sign-in event,
           the session row under a new key and the audit event written). The authenticator's own
           signing is left out of the time.
CPU time (time.process_time) gives sign-ins per core. On PostgreSQL the database server's own CPU is in
another process: the CPU time of this connection's backend (from /proc, same machine) is added per
sign-in (its mean; the kernel counts it in 10 ms ticks). The CSRF check is off, as the test client has
it and as bench/signin_throughput.py measures the password sign-in.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from layers import Clock, Sample, account, django_site, load_average, measure
from signin_throughput import ServerClock, rate_line

ROUNDS = max(1, min(int(sys.argv[1]) if len(sys.argv) > 1 else 300, 100_000))
LOGIN = "079085002345"
HOST = "127.0.0.1"
TARGET = 300.0


def main() -> None:
    database = django_site(tests=True)
    from django.test import Client
    from tests.conftest import signed_in
    from tests.people.passkey_support import post, register
    from tests.people.softauthn import SoftAuthenticator, b64url
    from webauthn import verify_authentication_response
    from webauthn.helpers import base64url_to_bytes

    from dinhdanh.people.models import Passkey

    user = account(LOGIN, "Người Đo Khóa Truy Cập")
    Passkey.objects.filter(user=user).delete()  # a rerun on PostgreSQL starts from one passkey again
    auth = register(
        signed_in(Client(HTTP_HOST=HOST), user, stepped_up=False),
        SoftAuthenticator(rp_id=HOST, origin=f"http://{HOST}"),
        name="Máy đo",
    )
    passkey = Passkey.objects.get(user=user)

    browser = Client(REMOTE_ADDR=HOST, HTTP_HOST=HOST)

    def signin() -> Sample:
        browser.cookies.clear()
        clock = Clock()
        with clock:
            options = post(browser, "passkey_signin_options").json()
        credential = auth.get(options)  # the authenticator's work, not the server's
        with clock:
            answer = post(browser, "passkey_signin_verify", {"credential": credential})
        assert answer.status_code == 200, answer.content
        assert answer.json()["status"] == "signed_in", answer.content
        return clock.sample()

    def noop() -> None:
        browser.cookies.clear()
        answer = browser.get("/api/v1/auth/csrf")
        assert answer.status_code == 200, answer.content

    # One assertion made beforehand, checked again and again against a counter just below its own.
    challenge = b"bench-challenge-of-thirty-two-by"

    fixed = SoftAuthenticator(rp_id=HOST, origin=f"http://{HOST}", key=auth.key, credential_id=auth.credential_id)
    fixed.user_handle = auth.user_handle
    assertion: dict[str, Any] = fixed.get({"challenge": b64url(challenge), "rpId": HOST}, counter=2)
    public_key = bytes(passkey.public_key)
    assert base64url_to_bytes(assertion["rawId"]) == auth.credential_id

    def verify() -> None:
        verify_authentication_response(
            credential=assertion,
            expected_challenge=challenge,
            expected_rp_id=HOST,
            expected_origin=f"http://{HOST}",
            credential_public_key=public_key,
            credential_current_sign_count=1,
            require_user_verification=True,
        )

    server = ServerClock()
    layers: dict[str, Callable[[], Sample | None]] = {
        "verify": verify,
        "noop": noop,
        "signin": server.around("signin", signin),
    }
    medians = measure(layers, ROUNDS)
    passkey.refresh_from_db()
    assert passkey.sign_count == auth.counter, "every sign-in moved the counter"

    print(f"passkey sign-in, ES256; {ROUNDS} rounds, single-threaded; {load_average()}; database {database}")
    floor, request = medians["verify"].cpu, medians["noop"].cpu
    for name, figure in medians.items():
        print(rate_line(name, figure, server, floor, "the signature check", times=True))
    total = medians["signin"].cpu + server.per_run("signin")
    rate = 1 / total
    print(
        f"passkey sign-ins per core: {rate:.0f} (target ≥ {TARGET:.0f}: {'met' if rate >= TARGET else 'NOT met'}); "
        f"× the signature check {total / floor:.1f}, × a no-op request {total / request:.1f}; of a sign-in's CPU "
        f"the signature check is {floor / total * 100:.0f} %, the two requests' bare cost {2 * request / total * 100:.0f} %"
        + (f", the database server {server.per_run('signin') / total * 100:.0f} %" if server.active else "")
    )
    prefix = "DATABASE_URL=… " if database == "PostgreSQL" else ""
    print(f"command: {prefix}.venv/bin/python bench/passkey_signin.py {ROUNDS}")


if __name__ == "__main__":
    main()

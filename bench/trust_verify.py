"""Verification API answers per server CPU-second, single and batch, beside the token endpoint (issue 13.1).

    .venv/bin/python bench/trust_verify.py [--seconds 5] [--postgres] [--batch 100]

The server, the load generator and the CPU accounting are bench/oidc_vs_peer.py's (imported, not
copied): granian, one worker and one thread, pinned to core 0; 32 keep-alive connections from core 1;
a rate is answers per second of the server's CPU time. The relying party holds one client-credentials
token for the whole run (DINHDANH_ACCESS_TOKEN_SECONDS=3600) and a limit it never reaches.

Scenarios, each against a fresh database with one organization (tax code, representative, a member
with a service grant):

  token endpoint      client_credentials with client_secret_basic (the reference: what a relying
                      party pays for the token it then asks with);
  organization        POST /api/v1/verify/organization by tax code;
  person              POST /api/v1/verify/person, the representative question (blind-index lookup);
  member              POST /api/v1/verify/person, a member and service question on today;
  batch               POST /api/v1/verify/batch with --batch questions (organization, representative,
                      member in turn): answers per CPU-second, one request carrying --batch answers.

Every answered call writes its Question rows, one audit event and one rate-window upsert, and signs a
JWS; so a verification call is a write, where the token endpoint (decision 0034) writes nothing.

To compare with an older version in the same session, put its ``src`` first on ``PYTHONPATH`` (both
this process and the server import it from there): ``git archive <commit> src | tar -x -C /tmp/old``,
then ``PYTHONPATH=/tmp/old/src .venv/bin/python bench/trust_verify.py`` (decision 0038's figures).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import oidc_vs_peer as base

REP = "091185000111"
MEMBER = "091085000222"
TAX_CODE = "0100109106"
PASSWORD = "bench-pass-2025-x"  # noqa: S105 - a throwaway database's accounts


def post_json(path: str, body: object, token: str) -> bytes:
    data = json.dumps(body).encode()
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(data)}\r\nAuthorization: Bearer {token}\r\n\r\n"
    )
    return head.encode() + data


def seed() -> str:
    """One organization with its representative and a member granted ``thue.ke_khai``; its eid."""
    from django.db import transaction
    from django.utils import timezone

    from dinhdanh.core.text import name_key
    from dinhdanh.geo.models import AdministrativeUnit, Level, Scheme
    from dinhdanh.geo.services import units_load
    from dinhdanh.organizations.models import MemberGrant, MemberRole, Membership, Organization, Service
    from dinhdanh.organizations.numbers import next_eid
    from dinhdanh.people.services import user_create

    units_load(actor=None)
    office = AdministrativeUnit.objects.filter(scheme=Scheme.CURRENT, level=Level.COMMUNE).order_by("code").first()
    assert office is not None
    rep = user_create(actor=None, personal_id=REP, full_name="Trần Thị Đại Diện", password=PASSWORD)
    member = user_create(actor=None, personal_id=MEMBER, full_name="Phạm Văn Kế Toán", password=PASSWORD)
    now = timezone.now()
    with transaction.atomic():
        service = Service.objects.create(code="thue.ke_khai", name="Khai thuế")
        name = "Công ty TNHH Đo Hiệu Năng"
        org = Organization.objects.create(
            eid=next_eid(), category="enterprise", code=TAX_CODE, name=name, name_key=name_key(name),
            head_office=office, head_office_path=office.path, representative=rep,
            representative_digest=rep.login_digest, representative_masked=rep.personal_id_masked,
            representative_name=rep.full_name, issued_at=now, updated_at=now,
        )  # fmt: skip
        Membership.objects.create(organization=org, user=rep, role=MemberRole.REPRESENTATIVE, granted_at=now)
        held = Membership.objects.create(organization=org, user=member, role=MemberRole.MEMBER, granted_at=now)
        MemberGrant.objects.create(membership=held, service=service)
    return org.eid


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--seconds", type=float, default=5.0, help="measured seconds per scenario (default 5)")
    parser.add_argument("--postgres", action="store_true", help="PostgreSQL (DATABASE_URL) instead of SQLite")
    parser.add_argument("--batch", type=int, default=100, help="questions per batch request (default 100)")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="dinhdanh-verify-bench-"))
    try:
        ours = base.prepare_ours(workdir, postgres=args.postgres)
        ours.env["DINHDANH_TRUST_VERIFY_PER_MINUTE"] = str(10**9)
        eid = seed()
        cores = os.sched_getaffinity(0)
        os.sched_setaffinity(0, {base.LOAD_CORE} if base.LOAD_CORE in cores else cores)
        token_request = base.post("/oauth/token", {"grant_type": "client_credentials"}, auth=ours.basic_auth)
        server = base.serve_ours(ours, "application")
        try:
            (token,) = base.token_pool(ours.port, token_request, 1)
            person = {"organization": eid, "personal_number": REP, "question": "representative"}
            member = {
                "organization": TAX_CODE,
                "personal_number": MEMBER,
                "question": "member",
                "service": "thue.ke_khai",
            }
            kinds = [
                {"kind": "organization", "organization": TAX_CODE},
                {"kind": "person", **person},
                {"kind": "person", **member},
            ]
            batch = {"questions": [kinds[i % 3] for i in range(args.batch)]}
            scenarios = [
                ("token endpoint (client_secret_basic)", token_request, 1),
                ("organization", post_json("/api/v1/verify/organization", {"organization": TAX_CODE}, token), 1),
                ("person: representative", post_json("/api/v1/verify/person", person, token), 1),
                ("person: member for a service", post_json("/api/v1/verify/person", member, token), 1),
                (f"batch of {args.batch}", post_json("/api/v1/verify/batch", batch, token), args.batch),
            ]
            figures = [
                (base.measure(name, server, ours.port, base.cycle([request]), args.seconds), answers)
                for name, request, answers in scenarios
            ]
        finally:
            base.stop(server)
        database = "PostgreSQL" if args.postgres else "SQLite"
        print(f"command: {' '.join([Path(sys.executable).name, *sys.argv])}")
        print(
            f"server: {ours.server_name} (1 worker, 1 thread) on core {base.SERVER_CORE}, {database}; load: "
            f"{base.CONNECTIONS} keep-alive connections on core {base.LOAD_CORE}"
        )
        reference = figures[0][0].rate
        print(f"\n  {'':<38} {'answers/CPU-s':>13} {'× token':>8} {'req/s':>8} {'p50 ms':>7} {'p99 ms':>8}")
        for figure, answers in figures:
            rate = figure.rate * answers
            print(
                f"  {figure.name:<38} {rate:>13,.0f} {rate / reference:>7.2f}x {figure.wall_rate:>8,.0f} "
                f"{figure.p50_ms:>7.2f} {figure.p99_ms:>8.2f}"
            )
        print("\n  × token: answers per server CPU-second over the token endpoint's requests per CPU-second.")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

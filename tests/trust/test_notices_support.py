"""What the notices' tests share (no tests here): a real HTTP receiver on 127.0.0.1 that answers as
told by its path, relying parties with their own client-credentials tokens, an organization a client
serves."""

from __future__ import annotations

import base64
import itertools
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from django.test import Client as Browser

from dinhdanh.federation.clients import client_register
from dinhdanh.federation.models import Client
from dinhdanh.organizations.models import Organization
from dinhdanh.organizations.services import member_grant
from dinhdanh.people.models import User
from tests.conftest import make_user
from tests.organizations.factories import make_organization, make_service

SERVICE = "thue.khai-bao"
_numbers = itertools.count(400_001)


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """A local SET recipient: ``/ok`` 202, ``/refuse`` 400 with an RFC 8935 error, ``/plain400``
    400 without one, ``/down`` 500, ``/slow`` sleeps past our read timeout, ``/moved`` 302 elsewhere,
    ``/gone`` 404."""

    base: str
    received: list[Received] = field(default_factory=list)

    def url(self, path: str) -> str:
        return self.base + path


def _handler(sink: list[Received]) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # quiet
            return

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            sink.append(Received(self.path, dict(self.headers.items()), body))
            if self.path.startswith("/slow"):
                time.sleep(1.5)
            status, answer, extra = {
                "/ok": (202, b"", {}),
                "/refuse": (
                    400,
                    json.dumps({"err": "invalid_key", "description": "kid unknown\r\nX"}).encode(),
                    {},
                ),
                "/plain400": (400, b"nope", {}),
                "/down": (500, b"x" * 100_000, {}),
                "/moved": (302, b"", {"Location": "https://elsewhere.example/"}),
                "/gone": (404, b"", {}),
                "/slow": (202, b"", {}),
            }.get(self.path.split("?")[0], (500, b"", {}))
            try:
                self.send_response(status)
                for name, value in extra.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)
            except OSError:
                pass  # the sender gave up waiting (the slow path)

    return Handler


@contextmanager
def local_receiver() -> Iterator[Receiver]:
    sink: list[Received] = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(sink))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Receiver(f"http://127.0.0.1:{server.server_address[1]}", sink)
    finally:
        server.shutdown()
        server.server_close()


def file_outbox(settings: Any, tmp_path: Path) -> None:
    """Grants and locks notify people: into a file outbox under tmp_path."""
    settings.NOTIFY_OUTBOX_DIR = tmp_path / "outbox"
    settings.NOTIFY_SMS_BACKEND = "dinhdanh.notifications.backends.FileSmsBackend"


def relying_party(name: str = "Cổng khai thuế", *, service: str = SERVICE) -> tuple[Client, str]:
    make_service(service)
    client, secret = client_register(
        actor=None,
        name=name,
        redirect_uris=["https://thue.example.vn/cb"],
        scopes=["openid", "verify.organization", "verify.member"],
        service=service,
    )
    assert secret is not None
    return client, secret


def token_for(client: Client, secret: str, scope: str = "verify.organization") -> str:
    basic = base64.b64encode(f"{client.client_id}:{secret}".encode()).decode()
    answer = Browser().post(
        "/oauth/token", {"grant_type": "client_credentials", "scope": scope}, HTTP_AUTHORIZATION=f"Basic {basic}"
    )
    assert answer.status_code == 200, answer.content
    return str(answer.json()["access_token"])


@dataclass
class Served:
    organization: Organization
    representative: User
    member: User


def served_organization() -> Served:
    """An organization whose representative granted a member the relying parties' service."""
    make_service(SERVICE)
    number = f"091085{next(_numbers):06d}"
    representative = make_user("Trần Thị Đại Diện")
    member = make_user("Phạm Văn Kế Toán", personal_id=number)
    organization = make_organization(representative=representative)
    member_grant(actor=representative, organization=organization, personal_id=number, services=[SERVICE])
    return Served(organization, representative, member)

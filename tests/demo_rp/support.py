"""A provider with one organization and the demo relying party registered against it: shared by the
demo RP's unit tests and the browser journey. Registration goes through the demo's own service
(``demo_rp_register``), so the tests use what ``dinhdanh demo`` uses."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dinhdanh.demo.relying_party import demo_rp_register
from dinhdanh.geo.services import units_load
from dinhdanh.organizations.models import Organization
from dinhdanh.people.models import User
from dinhdanh_demo_rp.app import DemoApp, serve
from dinhdanh_demo_rp.client import RelyingParty
from dinhdanh_demo_rp.keys import load_or_create_key
from tests.conftest import make_user
from tests.organizations.factories import make_organization, make_service

PERSON_ID = "091085000777"
ORG_NAME = "Công ty TNHH Cổng Mẫu"
TAX_CODE = "1700100019"


@dataclass
class World:
    rp: RelyingParty
    person: User
    organization: Organization


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def world(issuer: str, data_dir: Path, port: int) -> World:
    """The person represents one organization; the demo client is registered for ``port``."""
    units_load(actor=None)  # an earlier transactional test may have emptied the database
    make_service("dvc")
    person = make_user("Đặng Văn Công Dân", personal_id=PERSON_ID)
    organization = make_organization(representative=person, name=ORG_NAME, code=TAX_CODE)
    client = demo_rp_register(port=port, data_dir=data_dir)
    rp = RelyingParty(
        issuer=issuer, client_id=client.client_id, base_url=f"http://127.0.0.1:{port}",
        key=load_or_create_key(data_dir), timeout=10,
    )  # fmt: skip
    return World(rp=rp, person=person, organization=organization)


@contextmanager
def running(app: DemoApp, port: int) -> Iterator[Any]:
    """The demo app served on loopback in a thread, stopped (and its socket closed) afterwards."""
    server = serve(app, "127.0.0.1", port)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)

"""Rate limits per address on requests nobody is signed in for (issue 16.1, http.ratelimits): 429 with
Retry-After past the rate, in problem+json under /api/ and /oauth/ and as a bilingual line elsewhere,
nothing done; signed-in people, probes and static files never counted; an IPv6 /64 is one address; the
wrapper and the middleware never count one request twice; a cache that cannot be reached lets requests
through; and the counters are shared by processes through Redis."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import caches
from django.core.handlers.wsgi import WSGIHandler
from django.test import Client

from dinhdanh.http.ratelimits import COUNTED, Group, group_for, wrap
from dinhdanh.people.models import User
from tests.conftest import signed_in

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def limits(settings: Any) -> Iterator[Any]:
    settings.RATELIMIT_ENABLE = True
    settings.RATE_LIMIT_READ, settings.RATE_LIMIT_WRITE, settings.RATE_LIMIT_BACKCHANNEL = "4/m", "2/m", "3/m"
    caches["ratelimit"].clear()
    yield settings
    caches["ratelimit"].clear()


def _signin(client: Client, address: str = "198.51.100.7") -> Any:
    return client.post(
        "/api/v1/auth/signin",
        {"personal_id": "001085000001", "password": "sai-mat-khau-123"},
        content_type="application/json",
        REMOTE_ADDR=address,
    )


@pytest.mark.django_db
def test_past_the_write_rate_an_anonymous_post_is_refused_and_nothing_is_done(limits: Any) -> None:
    from dinhdanh.people.models import Throttle

    client = Client()
    assert [_signin(client).status_code for _ in range(2)] == [401, 401]
    counted = Throttle.objects.count()
    refused = _signin(client)
    assert refused.status_code == 429
    assert refused["Content-Type"] == "application/problem+json"
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert "no-store" in refused["Cache-Control"]
    body = json.loads(refused.content)
    assert body["code"] == "core.rate_limited"
    assert body["status"] == 429
    assert Throttle.objects.count() == counted  # the sign-in never ran
    # A page outside the API: the bilingual line, and another address is not affected.
    page = client.post("/signin/", {"personal_id": "001085000001"}, REMOTE_ADDR="198.51.100.7")
    assert page.status_code == 429
    assert page["Content-Type"].startswith("text/plain")
    assert "Quá nhiều yêu cầu" in page.content.decode()
    assert "Too many requests" in page.content.decode()
    assert _signin(client, "198.51.100.8").status_code == 401


@pytest.mark.django_db
def test_reads_count_apart_from_writes(limits: Any) -> None:
    client = Client()
    assert _signin(client).status_code == 401
    assert [client.get("/", REMOTE_ADDR="198.51.100.7").status_code for _ in range(4)] == [200] * 4
    assert client.get("/", REMOTE_ADDR="198.51.100.7").status_code == 429
    assert _signin(client).status_code == 401  # the write still has one left


@pytest.mark.django_db
def test_an_ipv6_64_is_one_address_and_a_mapped_ipv4_is_its_ipv4(limits: Any) -> None:
    client = Client()
    assert _signin(client, "2001:db8:1:2::1").status_code == 401
    assert _signin(client, "2001:db8:1:2:ffff::9").status_code == 401
    assert _signin(client, "2001:db8:1:2:abcd::3").status_code == 429
    assert _signin(client, "2001:db8:1:3::1").status_code == 401  # the next /64
    assert _signin(client, "192.0.2.5").status_code == 401
    assert _signin(client, "::ffff:192.0.2.5").status_code == 401
    assert _signin(client, "192.0.2.5").status_code == 429


@pytest.mark.django_db
def test_signed_in_people_probes_and_static_files_are_never_counted(limits: Any, citizen: User) -> None:
    client = signed_in(Client(), citizen)
    for _ in range(8):
        assert client.get("/", REMOTE_ADDR="198.51.100.7").status_code == 200
    anonymous = Client()
    for _ in range(8):
        assert anonymous.get("/healthz", REMOTE_ADDR="198.51.100.9").status_code == 200
        assert anonymous.get("/static/nothing-here.css", REMOTE_ADDR="198.51.100.9").status_code == 404
    assert anonymous.get("/", REMOTE_ADDR="198.51.100.9").status_code == 200  # its reads are untouched


def test_the_back_channel_has_its_own_group() -> None:
    from django.urls import reverse

    for name in ("federation:token", "federation:introspect", "federation:revoke", "federation:par"):
        assert group_for("POST", reverse(name)) is Group.BACKCHANNEL
    for name in ("api:verify_organization", "api:verify_person", "api:verify_batch"):
        assert group_for("POST", reverse(name)) is Group.BACKCHANNEL
    assert group_for("GET", "/oauth/authorize") is Group.READ
    assert group_for("POST", "/oauth/authorize") is Group.WRITE
    assert group_for("GET", "/readyz") is None


@pytest.mark.django_db
def test_the_back_channel_is_refused_past_its_own_rate_as_a_problem(limits: Any) -> None:
    client = Client()
    answers = [client.post("/oauth/token", {"grant_type": "nothing"}, REMOTE_ADDR="203.0.113.4") for _ in range(4)]
    assert all(answer.status_code != 429 for answer in answers[:3])
    assert answers[3].status_code == 429
    assert json.loads(answers[3].content)["code"] == "core.rate_limited"
    assert _signin(client, "203.0.113.4").status_code == 401  # writes are counted apart


def _environ(path: str, method: str = "GET", **extra: str) -> dict[str, Any]:
    from io import BytesIO

    return {
        "REQUEST_METHOD": method, "PATH_INFO": path, "SERVER_NAME": "testserver", "SERVER_PORT": "80",
        "REMOTE_ADDR": "198.51.100.20", "wsgi.input": BytesIO(b""), "wsgi.url_scheme": "http",
        "CONTENT_LENGTH": "0", **extra,
    }  # fmt: skip


def _status(app: Any, environ: dict[str, Any]) -> tuple[str, bytes]:
    seen: list[str] = []
    body: Iterable[bytes] = app(environ, lambda status, headers: seen.append(status))
    content = b"".join(body)
    getattr(body, "close", lambda: None)()
    return seen[0], content


@pytest.mark.django_db(transaction=True)
def test_the_wrapper_counts_a_request_without_a_cookie_once(limits: Any) -> None:
    app = wrap(WSGIHandler())
    statuses = [_status(app, _environ("/"))[0][:3] for _ in range(5)]
    # Counted by the wrapper only: four pass (the middleware counting too would refuse the third).
    assert statuses == ["200", "200", "200", "200", "429"]
    status, content = _status(app, _environ("/api/v1/units"))
    assert status.startswith("429")
    assert json.loads(content)["code"] == "core.rate_limited"
    # With a cookie the wrapper leaves it to the middleware, which finds an anonymous session and refuses.
    status, _content = _status(app, _environ("/", HTTP_COOKIE="dinhdanh_session=junk"))
    assert status.startswith("429")


@pytest.mark.django_db(transaction=True)
def test_the_wrapper_counts_a_visitors_csrf_cookie_alone_once_and_leaves_any_other_cookie(limits: Any) -> None:
    app = wrap(WSGIHandler())
    visitor = {"HTTP_COOKIE": "csrftoken=Zq3xY8kLw2Pm9Rt4Vb6Nc1Hd7Jf5Gs0A"}
    environs = [_environ("/", **visitor) for _ in range(5)]
    statuses = [_status(app, environ)[0][:3] for environ in environs]
    assert statuses == ["200", "200", "200", "200", "429"]  # counted twice, the third would be refused
    assert all(environ.get(COUNTED) for environ in environs)
    mixed = _environ("/", HTTP_COOKIE="csrftoken=Zq3xY8kLw2Pm9Rt4Vb6Nc1Hd7Jf5Gs0A; dinhdanh_session=junk")
    status, _content = _status(app, mixed)
    assert not mixed.get(COUNTED)  # the middleware's to count
    assert status.startswith("429")


@pytest.mark.django_db
def test_a_cache_that_cannot_be_reached_lets_requests_through(limits: Any) -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    kept = limits.CACHES
    unreachable = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": f"redis://127.0.0.1:{port}/0",
    }
    limits.CACHES = {**kept, "ratelimit": unreachable}  # Django's setting_changed drops the caches made
    try:
        client = Client()
        assert [_signin(client).status_code for _ in range(4)] == [401] * 4
    finally:
        limits.CACHES = kept


COUNTER = """
import os, django
os.environ["DJANGO_SETTINGS_MODULE"] = "dinhdanh.settings.dev"
django.setup()
from django.test import Client
from django.test.utils import setup_test_environment
setup_test_environment()
client = Client()
codes = [client.get("/no-such-page/", REMOTE_ADDR="198.51.100.30").status_code for _ in range(20)]
print(codes.count(429), len(codes))
"""


@pytest.fixture
def redis_url(tmp_path: Path) -> Iterator[str]:
    server = shutil.which("redis-server")
    if server is None:
        if os.environ.get("DINHDANH_REQUIRE_REDIS"):
            pytest.fail("redis-server is not installed (DINHDANH_REQUIRE_REDIS is set)")
        pytest.skip("redis-server is not installed")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(  # noqa: S603 - a fixed program on loopback
        [
            server,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(tmp_path),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(10)


def test_processes_share_the_counters_through_redis(redis_url: str, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "DINHDANH_"))}
    env.update(
        DINHDANH_DATA_DIR=str(tmp_path / "var"), DINHDANH_RATE_LIMITS="1", DINHDANH_RATE_LIMIT_READ="25/d",
        DINHDANH_CACHE_URL=redis_url, PYTHONPATH=f"{ROOT / 'src'}:{ROOT}",
    )  # fmt: skip
    runs = [
        subprocess.Popen(  # noqa: S603 - our own interpreter
            [sys.executable, "-c", COUNTER],
            env=env,
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    refused = 0
    for run in runs:
        out, err = run.communicate(timeout=300)
        assert run.returncode == 0, err
        count, total = map(int, out.split())
        assert total == 20
        refused += count
    assert refused == 40 - 25  # one rate for both processes: per-process counters would refuse none

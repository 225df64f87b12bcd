"""Deploy checks (issue 16.1) and the database's durability (issue 16.4), in the process; the refusal to
start a production server is in tests/test_startup.py."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from hypothesis import given
from hypothesis import strategies as st

from dinhdanh.core import durability, hardening
from dinhdanh.core.startup import refusals
from dinhdanh.federation.checks import check_fapi_clients
from dinhdanh.federation.models import Client
from tests.federation.fapi import fapi_rp


@pytest.fixture
def safe(settings: Any, tmp_path: Path) -> Any:
    """The production posture: every deploy check of ours passes until a test breaks one setting."""
    data_dir = tmp_path / "var"
    data_dir.mkdir(mode=0o700)
    settings.DATA_DIR = data_dir
    settings.DEBUG = False
    settings.ARGON2_MEMORY_COST_KIB, settings.ARGON2_TIME_COST, settings.ARGON2_PARALLELISM = 65536, 3, 2
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = settings.SECURE_SSL_REDIRECT = True
    settings.FEDERATION_ISSUER = "https://id.example.vn"
    settings.RATELIMIT_ENABLE, settings.ONE_PROCESS = True, True
    assert hardening.problems() == []
    return settings


def ids(found: list[Any]) -> list[str]:
    return [message.id for message in found]


def test_rate_limits_off_or_counted_per_process_are_refused(safe: Any) -> None:
    safe.ONE_PROCESS = False  # several processes may serve: in-memory counters would each allow the rate
    assert ids(hardening.problems()) == ["core.E015"]
    safe.CACHES = {
        **safe.CACHES,
        "ratelimit": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/0",
        },
    }
    assert hardening.problems() == []
    safe.RATELIMIT_ENABLE = False
    assert ids(hardening.problems()) == ["core.E015"]


def test_a_development_sms_backend_is_refused(settings: Any) -> None:
    from dinhdanh.notifications.checks import check_sms_backend

    settings.NOTIFY_SMS_BACKEND = "dinhdanh.notifications.backends.FileSmsBackend"
    assert ids(check_sms_backend(None)) == ["notifications.E001"]
    settings.NOTIFY_SMS_BACKEND = "carrier.sms.GatewaySmsBackend"
    assert check_sms_backend(None) == []


def test_debug_on_is_refused(safe: Any) -> None:
    safe.DEBUG = True
    assert ids(hardening.problems()) == ["core.E010"]


def test_the_test_settings_argon2_cost_is_refused(safe: Any) -> None:
    safe.ARGON2_MEMORY_COST_KIB, safe.ARGON2_TIME_COST, safe.ARGON2_PARALLELISM = 1024, 1, 1  # settings.test
    [message] = hardening.problems()
    assert message.id == "core.E011"
    assert "m=1024 KiB, t=1, p=1" in message.msg


@pytest.mark.parametrize(
    ("memory", "passes", "lanes", "meets"),
    [
        (47104, 1, 1, True), (47103, 1, 1, False), (19456, 2, 1, True), (19455, 2, 1, False),
        (12288, 3, 1, True), (9216, 4, 1, True), (7168, 5, 1, True), (7167, 9, 1, False),
        (65536, 3, 0, False), (1024, 1, 1, False),
    ],
)  # fmt: skip
def test_the_owasp_table(memory: int, passes: int, lanes: int, meets: bool) -> None:
    assert hardening.argon2_meets_owasp(memory, passes, lanes) is meets


@given(st.integers(0, 200_000), st.integers(0, 10), st.integers(1, 8), st.integers(0, 10_000), st.integers(0, 3))
def test_more_cost_never_fails_what_less_passed(
    memory: int, passes: int, lanes: int, more_m: int, more_t: int
) -> None:
    if hardening.argon2_meets_owasp(memory, passes, lanes):
        assert hardening.argon2_meets_owasp(memory + more_m, passes + more_t, lanes)


@pytest.mark.parametrize(
    ("name", "value", "named"),
    [
        ("SESSION_COOKIE_SECURE", False, "SESSION_COOKIE_SECURE"),
        ("CSRF_COOKIE_SECURE", False, "CSRF_COOKIE_SECURE"),
        ("SECURE_SSL_REDIRECT", False, "SECURE_SSL_REDIRECT"),
        ("FEDERATION_ISSUER", "http://id.example.vn", "DINHDANH_ISSUER=http://id.example.vn"),
    ],
)
def test_anything_short_of_https_is_refused(safe: Any, name: str, value: object, named: str) -> None:
    setattr(safe, name, value)
    [message] = hardening.problems()
    assert message.id == "core.E012"
    assert named in message.msg


def test_a_data_dir_open_to_others_is_an_error_in_production(safe: Any) -> None:
    Path(safe.DATA_DIR).chmod(0o750)
    [message] = hardening.problems()
    assert message.id == "core.E013"
    assert "chmod" in (message.hint or "")


@pytest.mark.django_db
def test_the_database_under_test_keeps_what_it_commits() -> None:
    assert durability.gaps_of("default") == []
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW fsync")
            assert cursor.fetchone()[0] == "on"


@pytest.mark.parametrize(
    ("mode", "synchronous", "gaps"),
    [
        ("wal", 1, []), ("WAL", 2, []), ("wal", 3, []),
        ("wal", 0, ["synchronous=off"]), ("delete", 2, ["journal_mode=delete (≠ wal)"]),
        ("memory", 0, ["journal_mode=memory (≠ wal)", "synchronous=off"]),
    ],
)  # fmt: skip
def test_sqlite_needs_the_write_ahead_log_and_synchronous(mode: str, synchronous: int, gaps: list[str]) -> None:
    assert durability.sqlite_gaps(mode, synchronous) == gaps


def test_postgresql_needs_fsync_full_page_writes_and_synchronous_commit() -> None:
    good = {"fsync": "on", "full_page_writes": "on", "synchronous_commit": "on"}
    assert durability.postgresql_gaps(good) == []
    assert durability.postgresql_gaps({**good, "synchronous_commit": "local"}) == []
    assert durability.postgresql_gaps({**good, "fsync": "off"}) == ["fsync=off"]
    assert durability.postgresql_gaps({**good, "full_page_writes": "off", "synchronous_commit": "off"}) == [
        "full_page_writes=off",
        "synchronous_commit=off",
    ]
    assert durability.postgresql_gaps({}) == ["fsync=None", "full_page_writes=None"]


@pytest.mark.django_db
def test_a_fapi_client_edited_around_the_service_is_refused() -> None:
    rp = fapi_rp(scopes=("openid", "profile"), service="")
    assert check_fapi_clients(None, databases=["default"]) == []
    assert check_fapi_clients(None) == []  # no database given: nothing read
    Client.objects.filter(pk=rp.client.pk).update(auth_method="client_secret_basic")
    [message] = check_fapi_clients(None, databases=["default"])
    assert message.id == "federation.E001"
    assert rp.client.client_id in message.msg
    Client.objects.filter(pk=rp.client.pk).update(auth_method="private_key_jwt", jwks=None)
    assert ids(check_fapi_clients(None, databases=["default"])) == ["federation.E001"]
    Client.objects.filter(pk=rp.client.pk).update(active=False)
    assert check_fapi_clients(None, databases=["default"]) == []  # a disabled client signs nobody in


@pytest.mark.django_db
def test_outside_production_the_start_checks_only_the_database(settings: Any) -> None:
    settings.REFUSE_UNSAFE_START = False  # settings.test: cheap argon2, no HTTPS — not refused here
    assert refusals() == []
    settings.REFUSE_UNSAFE_START = True
    assert {"core.E011", "core.E012"} <= set(ids(refusals()))

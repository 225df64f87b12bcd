"""``http.rate_counter``: against Redis a counted request is one round trip, with django-ratelimit's
windows and figures (issue 17.3)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from unittest import mock

import pytest
from django.core.cache import caches
from django.test import Client
from django_ratelimit import core as ratelimit_core
from hypothesis import given
from hypothesis import strategies as st
from redis.connection import AbstractConnection

from dinhdanh.http.rate_counter import count, split_rate, window_end
from tests.http.test_ratelimits import redis_url  # noqa: F401  (the fixture: a redis-server of its own)

rates = st.builds(
    lambda n, m, u: f"{n}/{m}{u}",
    st.integers(1, 10**8),
    st.sampled_from(["", "1", "5", "30"]),
    st.sampled_from("smhd"),
)


@given(rates)
def test_rates_split_as_django_ratelimit_splits_them(rate: str) -> None:
    assert split_rate(rate) == ratelimit_core._split_rate(rate)


@given(st.text(min_size=1, max_size=70), st.sampled_from([1, 5, 60, 3600, 86400, 150]), st.integers(0, 2**33))
def test_windows_end_where_django_ratelimit_ends_them(value: str, period: int, now: int) -> None:
    with mock.patch.object(ratelimit_core.time, "time", return_value=float(now)):
        expected = ratelimit_core._get_window(value, period)
    assert window_end(value, period, now) == expected
    assert now <= window_end(value, period, now) <= now + period


@pytest.fixture
def on_redis(settings: Any, redis_url: str) -> Iterator[Any]:  # noqa: F811  (the imported fixture)
    settings.CACHES = {
        **settings.CACHES,
        "ratelimit": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": redis_url},
    }
    settings.RATELIMIT_ENABLE = True
    settings.RATE_LIMIT_READ = "4/m"
    yield settings
    caches["ratelimit"].clear()


@pytest.mark.django_db
def test_past_the_rate_a_read_is_refused_through_redis_and_another_address_is_not(on_redis: Any) -> None:
    client = Client()
    answers = [client.get("/no-such-page/", REMOTE_ADDR="198.51.100.40") for _ in range(6)]
    assert [a.status_code for a in answers] == [404] * 4 + [429] * 2
    assert 1 <= int(answers[-1]["Retry-After"]) <= 60
    assert client.get("/no-such-page/", REMOTE_ADDR="198.51.100.41").status_code == 404


def test_a_count_is_one_round_trip_and_its_key_expires_after_its_window(on_redis: Any) -> None:
    sent = 0
    original = AbstractConnection.send_packed_command

    def counting(self: AbstractConnection, *args: Any, **kwargs: Any) -> None:
        nonlocal sent
        sent += 1
        original(self, *args, **kwargs)  # type: ignore[no-untyped-call]

    first = count(None, "dinhdanh.read", "digest-of-an-address", "4/m")  # connects (and says hello) first
    with mock.patch.object(AbstractConnection, "send_packed_command", counting):
        usages = [count(None, "dinhdanh.read", "digest-of-an-address", "4/m") for _ in range(3)]
    assert sent == 3
    assert [u[0] for u in [first, *usages] if u] == [1, 2, 3, 4]
    assert all(u is not None and u[1] == 4 and 0 <= u[2] <= 60 for u in usages)
    client = caches["ratelimit"]._cache.get_client()  # type: ignore[attr-defined]
    (key,) = client.keys("*digest-of-an-address*")
    assert 0 < client.ttl(key) <= 60 + 5

"""``http.rate_counter``: against Redis a counted request is one round trip, with django-ratelimit's
windows and figures (issue 17.3)."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from typing import Any
from unittest import mock

import pytest
from django.core.cache import caches
from django.test import Client
from django_ratelimit import core as ratelimit_core
from hypothesis import HealthCheck, given
from hypothesis import settings as examples
from hypothesis import strategies as st
from redis.connection import AbstractConnection

from dinhdanh.http import rate_counter
from dinhdanh.http.rate_counter import batch_of, count, split_rate, window_end
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


class Packets:
    """Counts the command packets sent to Redis while it is entered (``sent``)."""

    def __init__(self) -> None:
        self.sent = 0
        original = AbstractConnection.send_packed_command

        def counting(conn: AbstractConnection, *args: Any, **kwargs: Any) -> None:
            self.sent += 1
            original(conn, *args, **kwargs)  # type: ignore[no-untyped-call]

        self._patch = mock.patch.object(AbstractConnection, "send_packed_command", counting)

    def __enter__(self) -> Packets:
        self._patch.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._patch.stop()


def test_a_count_is_one_round_trip_and_its_key_expires_after_its_window(on_redis: Any) -> None:
    first = count(None, "dinhdanh.read", "digest-of-an-address", "4/m")  # connects (and says hello) first
    with Packets() as packets:
        usages = [count(None, "dinhdanh.read", "digest-of-an-address", "4/m") for _ in range(3)]
    assert packets.sent == 3
    assert [u[0] for u in [first, *usages] if u] == [1, 2, 3, 4]
    assert all(u is not None and u[1] == 4 and 0 <= u[2] <= 60 for u in usages)
    client = caches["ratelimit"]._cache.get_client()  # type: ignore[attr-defined]
    (key,) = client.keys("*digest-of-an-address*")
    assert 0 < client.ttl(key) <= 60 + 5


def _stored(value: str) -> int:
    client = caches["ratelimit"]._cache.get_client()  # type: ignore[attr-defined]
    return sum(int(client.get(k)) for k in client.keys(f"*{value}*"))


def test_under_a_large_rate_a_process_syncs_once_a_batch(on_redis: Any) -> None:
    assert batch_of(1000) == 10
    assert batch_of(600) == 6
    assert batch_of(199) == 1
    assert batch_of(10**6) == 16
    count(None, "dinhdanh.read", "warm-up", "4/m")  # connects first
    with Packets() as packets:
        usages = [count(None, "dinhdanh.read", "a-busy-address", "1000/m") for _ in range(25)]
    assert packets.sent == 2  # the 10th and the 20th request
    assert [u[0] for u in usages if u] == list(range(1, 26))
    assert _stored("a-busy-address") == 20  # the last five are sent with the next batch


def test_a_count_other_processes_pushed_over_the_limit_is_seen_within_a_batch(on_redis: Any) -> None:
    count(None, "dinhdanh.read", "warm-up", "4/m")
    client = caches["ratelimit"]._cache.get_client()  # type: ignore[attr-defined]
    now = int(time.time())
    end = window_end("shared-address", 60, now)
    if end - now < 3:  # too near the window's end for the test to stay in one window
        time.sleep(end - now + 1)
        now = int(time.time())
        end = window_end("shared-address", 60, now)
    client.set(caches["ratelimit"].make_key(f"rl:dinhdanh.read:{end}:shared-address"), 995, ex=end - now + 5)
    with Packets() as packets:
        verdicts = [count(None, "dinhdanh.read", "shared-address", "1000/m") for _ in range(40)]
    assert packets.sent == 1  # one sync at the 10th; past the limit, refused here with no round trip
    counted = [u[0] for u in verdicts if u]
    assert all(c <= 1000 for c in counted[:9])
    assert counted[9] == 1005
    assert all(c > 1000 for c in counted[9:])


@examples(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.integers(1, 700), st.randoms(use_true_random=False), st.sampled_from([3, 150, 200, 500]))
def test_several_processes_let_through_the_rate_plus_at_most_a_batch_each(
    on_redis: Any, requests: int, chance: Any, limit: int
) -> None:
    # Three processes, each with tallies of its own, take requests from one address in a random order.
    value, rate = f"address-{uuid.uuid4()}", f"{limit}/d"
    processes: list[dict[Any, Any]] = [{}, {}, {}]
    allowed = 0
    for _ in range(requests):
        with mock.patch.object(rate_counter, "_tallies", chance.choice(processes)):
            usage = count(None, "dinhdanh.read", value, rate)
        assert usage is not None
        allowed += usage[0] <= usage[1]
    assert min(requests, limit) <= allowed <= limit + 3 * (batch_of(limit) - 1)

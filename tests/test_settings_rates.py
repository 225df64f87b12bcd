"""The rate-limit settings read from the environment (http.ratelimits): a rate django-ratelimit reads
with a period above zero, or one bilingual line naming the variable; a Redis address or one line that
never prints it (it may hold a password)."""

from __future__ import annotations

import pytest
from django_ratelimit.core import _split_rate
from hypothesis import given
from hypothesis import strategies as st

from dinhdanh.settings.env import ConfigError, cache_url, rate
from tests.test_cli import assert_one_bilingual_line, dinhdanh


@given(st.text(max_size=12))
def test_a_rate_accepted_is_one_the_library_reads(raw: str) -> None:
    with pytest.MonkeyPatch.context() as env:
        env.setenv("DINHDANH_RATE_LIMIT_READ", raw.replace("\x00", ""))
        try:
            value = rate("DINHDANH_RATE_LIMIT_READ", "600/m")
        except ConfigError as error:
            message = str(error)
            value = ""
        else:
            message = "DINHDANH_RATE_LIMIT_READ"
    assert "DINHDANH_RATE_LIMIT_READ" in message  # a refusal names the variable
    if value:
        count, period = _split_rate(value)
        assert count > 0
        assert period > 0


@pytest.mark.parametrize("raw", ["600/m", "10/5s", "1/d", ""])
def test_good_rates(raw: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DINHDANH_RATE_LIMIT_WRITE", raw)
    assert rate("DINHDANH_RATE_LIMIT_WRITE", "60/m") == raw


@pytest.mark.parametrize("raw", ["600", "0/m", "10/0s", "-1/m", "ten/m", "10/w", "10 / m", "1/05s"])
def test_bad_rates(raw: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DINHDANH_RATE_LIMIT_WRITE", raw)
    with pytest.raises(ConfigError, match="DINHDANH_RATE_LIMIT_WRITE"):
        rate("DINHDANH_RATE_LIMIT_WRITE", "60/m")


def test_a_cache_address_that_is_not_redis_is_one_line_without_its_secret(tmp_path: object) -> None:
    run = dinhdanh(["check"], tmp_path, DINHDANH_CACHE_URL="memcached://user:hunter22@cache:11211")  # type: ignore[arg-type]
    assert_one_bilingual_line(run, vietnamese="phải là địa chỉ Redis", english="must be a Redis address")
    assert "hunter22" not in run.err


def test_redis_addresses_are_taken(monkeypatch: pytest.MonkeyPatch) -> None:
    for raw in ("redis://127.0.0.1:6379/0", "rediss://:pw@cache:6380/1", "unix:///run/redis.sock", ""):
        monkeypatch.setenv("DINHDANH_CACHE_URL", raw)
        assert cache_url("DINHDANH_CACHE_URL") == raw

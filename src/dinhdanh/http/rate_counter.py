"""Counting rate-limited requests on Redis: one round trip per batch of requests (issue 17.3).

django-ratelimit counts through Django's cache API: ``add`` and, once the window's key exists,
``incr``, which Django's Redis cache does as ``EXISTS`` then ``INCRBY``: three round trips, about
200 µs of a server process's CPU per anonymous request on loopback, as much as the rest of a cached
public read. Against Redis the same fixed window is counted here instead (decisions 0054 and 0057):

- a sync is one pipelined round trip, ``SET key 0 EX ttl NX`` (the window's key, made with its
  expiry if it is not there yet) then ``INCRBY key n``. Keys name their window, so a key is read only
  inside it and expires after it: an expiry can never fall between the two commands;
- each process keeps, per group and address, the count Redis last gave it and the requests it has
  let through since (``pending``). A request is let through without a round trip while ``pending``
  stays under the group's batch (a hundredth of its rate, at most 16, so 1 — every request synced —
  for any rate under 200 per window) and the figure it knows plus ``pending`` stays within the
  limit; otherwise it syncs and is judged on Redis's figure. Other processes' unsynced requests are
  what a process cannot see: the overshoot is at most ``batch - 1`` per process and window;
- a count over the limit never falls inside its window, so once a process has seen it, it refuses
  the address's requests until the window ends with no round trip at all (a flood costs nothing).

Any other cache (one process's memory) goes through django-ratelimit as before. The window is
django-ratelimit's: periods aligned on the epoch, shifted per key by a CRC of it so that windows do not
all end together; the count and the seconds left are what ``get_usage`` returns.
"""

from __future__ import annotations

import threading
import time
import zlib
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.core.signals import setting_changed
from django_ratelimit.core import get_usage

__all__ = ["Usage", "batch_of", "count", "forget"]

type Usage = tuple[int, int, int]  # (count with this request, limit, seconds left in the window)
_FUDGE = 5  # seconds a window's key outlives it (django-ratelimit's EXPIRATION_FUDGE)
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_MAX_BATCH = 16
_MAX_TALLIES = 8192  # addresses remembered per process; past it, ended windows are dropped first


def split_rate(rate: str) -> tuple[int, int]:
    """("600/m") -> (600, 60); ``settings.env.rate`` has checked the form at start."""
    limit, per = rate.split("/")
    multiplier = int(per[:-1]) if per[:-1] else 1
    return int(limit), multiplier * _UNITS[per[-1]]


def batch_of(limit: int) -> int:
    """Requests a process may let through between two syncs: under 1 % of the rate, at most 16."""
    return max(1, min(_MAX_BATCH, limit // 100))


def window_end(value: str, period: int, now: int) -> int:
    """When the current window of ``value`` ends (django_ratelimit.core._get_window)."""
    if period == 1:
        return now
    end = now - now % period + zlib.crc32(value.encode()) % period
    return end + period if end < now else end


@dataclass(slots=True)
class _Tally:
    end: int  # the window this tally counts
    known: int = 0  # Redis's count at the last sync
    pending: int = 0  # let through here since, not yet sent


_tallies: dict[tuple[str, str], _Tally] = {}
_lock = threading.Lock()


def forget(**_: Any) -> None:
    """Drop what this process remembers (a test that empties the cache; settings that change)."""
    with _lock:
        _tallies.clear()


setting_changed.connect(forget, dispatch_uid="dinhdanh.http.rate_counter.forget")


def _redis(cache: Any) -> Any | None:
    # Django's Redis cache keeps its redis-py client behind ``_cache``; any other backend: None.
    return cache._cache.get_client(write=True) if isinstance(cache, RedisCache) else None


def _tally(group: str, value: str, end: int) -> _Tally:
    """The tally of this window, under ``_lock``."""
    tally = _tallies.get((group, value))
    if tally is None or tally.end != end:
        if len(_tallies) >= _MAX_TALLIES:
            now = int(time.time())
            for key in [k for k, t in _tallies.items() if t.end < now]:
                del _tallies[key]
            if len(_tallies) >= _MAX_TALLIES:  # an address at most loses batch - 1 uncounted requests
                _tallies.clear()
        tally = _tallies[group, value] = _Tally(end)
    return tally


def count(request: Any, group: str, value: str, rate: str) -> Usage | None:
    """Count this request in ``group`` for ``value`` (a digest of the address); None when the cache
    did not answer with a count (the caller fails open). ``request`` may be None: django-ratelimit
    reads it only to match methods, and every method counts here."""
    cache = caches[settings.RATELIMIT_USE_CACHE]
    client = _redis(cache)
    if client is None:
        usage = get_usage(request, group=group, key=lambda _g, _r: value, rate=rate, increment=True)
        if usage is None:
            return None
        return int(usage["count"]), int(usage["limit"]), int(usage["time_left"])
    limit, period = split_rate(rate)
    now = int(time.time())
    end = window_end(value, period, now)
    with _lock:
        tally = _tally(group, value, end)
        if tally.known > limit:  # over, and a count never falls inside its window
            return tally.known, limit, end - now
        tally.pending += 1
        estimate = tally.known + tally.pending
        if tally.pending < batch_of(limit) and estimate <= limit:
            return estimate, limit, end - now
        sending, tally.pending = tally.pending, 0
    try:
        counted = _send(client, cache.make_key(f"rl:{group}:{end}:{value}"), sending, end - now + _FUDGE)
    except Exception:
        with _lock:  # not sent: counted again at the next sync
            tally.pending += sending
        raise
    with _lock:
        tally.known = max(tally.known, counted)  # two threads' answers may come back in either order
    return counted, limit, end - now


def _send(client: Any, key: str, n: int, ttl: int) -> int:
    pipe = client.pipeline(transaction=False)
    pipe.set(key, 0, ex=ttl, nx=True)
    pipe.incrby(key, n)
    _created, counted = pipe.execute()
    return int(counted)

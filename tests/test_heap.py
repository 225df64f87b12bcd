"""A server worker freezes its loaded heap out of the collector's walks (``dinhdanh.http.heap``)."""

from __future__ import annotations

import gc

from dinhdanh.http.heap import settle


def test_settling_loads_the_views_and_freezes_what_is_loaded() -> None:
    try:
        frozen = settle()
        # Only gc.freeze adds to the permanent generation; a frozen object freed since (another
        # thread's, a cache entry) leaves it, so the count may have dropped a little, never grown.
        assert 0 <= frozen - gc.get_freeze_count() < 1_000
        assert frozen > 10_000  # the application's modules, models and URL patterns
        assert "dinhdanh.campaigns.views_dashboard" in __import__("sys").modules
        garbage: list[object] = []
        garbage.append(garbage)  # a cycle made after the freeze is still collected
        del garbage
        assert gc.collect() >= 1
    finally:
        gc.unfreeze()

"""A server worker freezes its loaded heap out of the collector's walks (``dinhdanh.http.heap``)."""

from __future__ import annotations

import gc

from dinhdanh.http.heap import settle


def test_settling_loads_the_views_and_freezes_what_is_loaded() -> None:
    try:
        frozen = settle()
        assert frozen == gc.get_freeze_count()
        assert frozen > 10_000  # the application's modules, models and URL patterns
        assert "dinhdanh.campaigns.views_dashboard" in __import__("sys").modules
        garbage: list[object] = []
        garbage.append(garbage)  # a cycle made after the freeze is still collected
        del garbage
        assert gc.collect() >= 1
    finally:
        gc.unfreeze()

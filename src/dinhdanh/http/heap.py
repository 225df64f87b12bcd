"""Settle the server's heap once the application is loaded (a worker's start, before its first request).

Python's cyclic collector walks every tracked object of the generations it collects; a loaded Django
application holds hundreds of thousands (modules, models, URL patterns, templates) that live as long as
the process. A page that builds a few thousand model rows (a province's plan with a thousand targets)
triggers collections that walk all of them: measured on a national data set, the board of Hà Nội's plan
took 142 ms at p50 and 168 ms at p95 with the collector as it is, 91 ms and 104 ms once the loaded
heap was frozen (``bench/campaign_national.py``). ``gc.freeze`` moves what exists now into a
permanent generation the collector skips; objects made later are collected as before.
"""

from __future__ import annotations

import gc

from django.urls import get_resolver

__all__ = ["settle"]


def settle() -> int:
    """Load what the first request would (the URL patterns and every view module), then freeze the heap.
    Returns how many objects were frozen."""
    get_resolver().url_patterns  # noqa: B018  (the property imports every URL module and view)
    gc.collect()  # what is garbage now is not frozen with the rest
    gc.freeze()
    return gc.get_freeze_count()

"""Reads of the registries for faces and other apps: lists and snapshots (``lists``), lookups for the
checks of a request (``lookup``)."""

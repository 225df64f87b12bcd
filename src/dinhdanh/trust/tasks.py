"""The trust services' recurring jobs (``core.schedule`` discovers this module): each part keeps its own
in its own module, imported here."""

from __future__ import annotations

from dinhdanh.trust import tasks_attestations, tasks_credentials, tasks_notices

__all__ = ["tasks_attestations", "tasks_credentials", "tasks_notices"]

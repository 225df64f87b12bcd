from __future__ import annotations

import pytest

from tests.core.audit_support import start_empty_log


@pytest.fixture
def empty_log() -> None:
    """An audit log with no events and a fresh head, for tests that count from seq 1."""
    start_empty_log()

"""Reads that may lag go to a replica when one is configured (issue 16.5): the router's decisions, then
for real in a subprocess whose "replica" is a stale copy of its SQLite file."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from django.db import transaction

from dinhdanh.campaigns.models import Plan
from dinhdanh.core import replica as replica_module
from dinhdanh.core.models import AuditEvent, RoleAssignment
from dinhdanh.core.replica import REPLICA, LaggingReadsRouter, lagging
from dinhdanh.people.models import User
from dinhdanh.registries.models import Record
from tests.test_cli import dinhdanh

router = LaggingReadsRouter()


@pytest.fixture
def replica(monkeypatch: pytest.MonkeyPatch) -> None:
    """The alias is configured (as DATABASE_REPLICA_URL would); the subprocess test below uses a real one."""
    monkeypatch.setattr(replica_module, "configured", lambda: True)


def test_nothing_goes_to_a_replica_that_is_not_configured() -> None:
    with lagging():
        assert router.db_for_read(Plan) is None


def test_only_marked_reads_of_figures_lists_and_logs_go_to_the_replica(replica: None) -> None:
    assert router.db_for_read(Plan) is None  # not marked
    with lagging():
        assert [router.db_for_read(m) for m in (Plan, Record, AuditEvent)] == [REPLICA] * 3
        assert router.db_for_read(User) is None  # who a person is: always the primary
        assert router.db_for_read(RoleAssignment) is None  # what they may do: always the primary
    assert router.db_for_read(Plan) is None  # the mark ends with its block
    assert router.db_for_write(Plan) is None
    assert router.allow_migrate(REPLICA, "campaigns") is False


@pytest.mark.django_db
def test_inside_a_transaction_reads_stay_on_the_primary(replica: None) -> None:
    with lagging(), transaction.atomic():
        assert router.db_for_read(AuditEvent) is None


READS = """
import json
from dinhdanh.core.models import AuditEvent
from dinhdanh.core.replica import lagging
from dinhdanh.people.models import User
with lagging():
    late = AuditEvent.objects.count(), User.objects.count()
print(json.dumps({"late": late, "now": [AuditEvent.objects.count(), User.objects.count()]}))
"""


@pytest.mark.skipif(bool(os.environ.get("DATABASE_URL")), reason="the replica here is a stale SQLite copy")
def test_a_lagging_replica_serves_marked_reads_and_only_those(tmp_path: Path) -> None:
    data_dir = tmp_path / "var"
    assert dinhdanh(["migrate"], data_dir).code == 0
    stale = tmp_path / "replica.sqlite3"
    shutil.copyfile(data_dir / "dinhdanh.sqlite3", stale)  # the replica, behind from here on
    made = dinhdanh(["shell", "-c", "from tests.conftest import make_user; make_user('Mai Văn Bốn')"], data_dir,
                    PYTHONPATH=str(Path(__file__).resolve().parents[2]))  # fmt: skip
    assert made.code == 0, made.err
    shown = dinhdanh(["shell", "-v", "0", "-c", READS], data_dir, DATABASE_REPLICA_URL=f"sqlite:///{stale}")
    assert shown.code == 0, shown.err
    counts = json.loads(shown.out.strip().splitlines()[-1])
    events_now, users_now = counts["now"]
    events_late, users_late = counts["late"]
    assert events_late < events_now  # the audit log read late: the user's creation not there yet
    assert users_late == users_now == 1  # accounts always from the primary

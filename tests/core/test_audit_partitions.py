"""The audit log partitioned into chains by province (or central) and month (decision 0019)."""

from __future__ import annotations

import json
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from dinhdanh.core import audit
from dinhdanh.core.models import AuditChainHead, AuditEvent
from dinhdanh.organizations.audit_actions import OrganizationAction
from dinhdanh.people.audit_actions import PeopleAction
from tests.conftest import unit
from tests.core.audit_support import append_only_lifted
from tests.organizations.factories import make_organization

pytestmark = pytest.mark.django_db

type Commits = Callable[..., AbstractContextManager[list[Callable[[], Any]]]]
COMMUNE = "30292"  # Phường Bình Đức, An Giang (province 91)
HA_NOI_COMMUNE = "00004"  # Phường Ba Đình, Hà Nội (province 01)


def month() -> str:
    return f"{timezone.now():%Y-%m}"


def note(**kwargs: Any) -> AuditEvent:
    return audit.record(PeopleAction.SIGNOUT, actor=None, object_type="test.thing", **kwargs)


def test_each_province_has_its_own_chain_and_head(empty_log: None) -> None:
    an_giang, ha_noi = unit(COMMUNE), unit(HA_NOI_COMMUNE)
    events = [note(unit=an_giang), note(unit=ha_noi), note(unit=an_giang), note()]
    assert [(e.chain, e.seq) for e in events] == [
        (f"91:{month()}", 1),
        (f"01:{month()}", 1),
        (f"91:{month()}", 2),
        (f"central:{month()}", 1),
    ]
    heads = dict(AuditChainHead.objects.exclude(chain=audit.MAIN).values_list("chain", "last_seq"))
    assert heads == {f"91:{month()}": 2, f"01:{month()}": 1, f"central:{month()}": 1}
    result = audit.verify()
    assert (result.ok, result.checked, result.chains) == (True, 4, 3)


def test_the_unit_comes_from_the_object_and_reads_have_chains_of_their_own(empty_log: None) -> None:
    org = make_organization()
    written = audit.record(OrganizationAction.ORG_VIEWED, actor=None, obj=org)
    assert written.chain == f"{org.head_office.province_code}:{month()}"
    looked = audit.record(OrganizationAction.ORG_VIEWED, actor=None, obj=org, read=True)
    assert looked.chain == f"reads:{org.head_office.province_code}:{month()}"
    assert (written.seq, looked.seq) == (1, 1)


def test_verify_names_the_chain_at_fault(empty_log: None) -> None:
    note(unit=unit(COMMUNE))
    target = note(unit=unit(HA_NOI_COMMUNE))
    note(unit=unit(HA_NOI_COMMUNE))
    with append_only_lifted():
        AuditEvent.objects.filter(pk=target.pk).update(after={"forged": True})
    result = audit.verify()
    assert (result.ok, result.chain, result.broken_seq, result.reason) == (
        False,
        f"01:{month()}",
        1,
        "content_mismatch",
    )


def test_an_event_moved_to_another_chain_breaks_its_seal(empty_log: None) -> None:
    moved = note(unit=unit(COMMUNE))
    with append_only_lifted():
        AuditEvent.objects.filter(pk=moved.pk).update(chain=f"01:{month()}")
    result = audit.verify()
    assert not result.ok
    assert result.reason in {"content_mismatch", "head_missing"}


def test_unkeyed_events_are_legacy_only_in_the_main_chain(empty_log: None) -> None:
    event = note(unit=unit(COMMUNE))
    with append_only_lifted():
        AuditEvent.objects.filter(pk=event.pk).update(key_id="")
    assert audit.verify().reason == "unkeyed_after_keyed"


def test_events_of_a_chain_without_a_head_are_caught(empty_log: None) -> None:
    note(unit=unit(COMMUNE))
    AuditChainHead.objects.filter(chain=f"91:{month()}").delete()
    result = audit.verify()
    assert (result.ok, result.reason, result.chain) == (False, "head_missing", f"91:{month()}")


def test_every_chain_is_checkpointed_and_checked(
    empty_log: None, settings: Any, tmp_path: Path, django_capture_on_commit_callbacks: Commits
) -> None:
    path = tmp_path / "audit" / "checkpoints.jsonl"
    settings.AUDIT_CHECKPOINT_FILE = path
    with django_capture_on_commit_callbacks(execute=True):
        note(unit=unit(COMMUNE))
        note(unit=unit(HA_NOI_COMMUNE))
        note(unit=unit(HA_NOI_COMMUNE))
    written = [json.loads(line) for line in path.read_text().splitlines()]
    assert sorted((c["chain"], c["seq"]) for c in written) == [(f"01:{month()}", 1), (f"91:{month()}", 1)]
    assert audit.verify() == audit.Verification(True, 3, checkpoints=2)
    result, pinned = audit.checkpoint()
    assert result.ok
    assert sorted((m.chain, m.seq) for m in pinned) == [(f"01:{month()}", 2), (f"91:{month()}", 1)]
    # A whole chain removed with its head: its checkpoints still name it.
    with append_only_lifted():
        AuditEvent.objects.filter(chain=f"01:{month()}").delete()
    AuditChainHead.objects.filter(chain=f"01:{month()}").delete()
    result = audit.verify()
    assert (result.ok, result.reason, result.chain) == (False, "checkpoint_ahead", f"01:{month()}")

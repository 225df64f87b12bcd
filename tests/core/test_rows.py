"""``core.rows``: SQL built once per model and database, run on the connection's DB-API cursor. What it
reads and writes must be what the ORM reads and writes (decisions 0034, 0039)."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction

from dinhdanh.core.models import AuditChainHead, AuditEvent
from dinhdanh.core.rows import Insert, SelectOne, Update

pytestmark = pytest.mark.django_db

_BY_CHAIN = SelectOne(AuditChainHead, "{chain} = %s", ["chain"])
_LOCKED = SelectOne(AuditChainHead, "{chain} = %s", ["chain"], for_update=True)
_HEADS = Insert(AuditChainHead)
_HEADS_QUIET = Insert(AuditChainHead, ignore_conflicts=True)
_MOVE = Update(AuditChainHead, ["last_seq", "last_hash"], "{chain} = %s", ["chain"])


def test_a_row_read_is_the_orm_s_instance() -> None:
    made = AuditChainHead.objects.create(chain="t:1", last_seq=7, last_hash="a" * 64, key_id="k1")
    read = _BY_CHAIN.first("t:1")
    assert read is not None
    assert (read.pk, read.chain, read.last_seq, read.last_hash, read.key_id) == (
        made.pk, "t:1", 7, "a" * 64, "k1",
    )  # fmt: skip
    assert read._state.adding is False
    assert _BY_CHAIN.first("t:none") is None
    assert _BY_CHAIN.found("t:1")
    assert not _BY_CHAIN.found("t:none")


def test_a_locking_read_says_for_update_where_the_database_has_it() -> None:
    AuditChainHead.objects.create(chain="t:2", last_seq=1, last_hash="b" * 64)
    with transaction.atomic():
        assert _LOCKED.first("t:2") is not None
    sql, _converters = _LOCKED._compile(connection)
    assert sql.endswith(" FOR UPDATE") is connection.features.has_select_for_update
    with pytest.raises(TypeError):
        SelectOne(AuditChainHead, "{chain} = %s", ["chain"], for_update=True, reuse=True)


def test_an_instance_saved_gets_the_key_the_database_chose() -> None:
    before = AuditChainHead.objects.create(chain="t:3", last_seq=0, last_hash="c" * 64)
    head = _HEADS.save(AuditChainHead(chain="t:4", last_seq=2, last_hash="d" * 64))
    assert head.pk is not None
    assert head.pk > before.pk
    assert head._state.adding is False
    assert head._state.db == "default"
    stored = AuditChainHead.objects.get(pk=head.pk)
    assert (stored.chain, stored.last_seq, stored.last_hash, stored.key_id) == ("t:4", 2, "d" * 64, "")


def test_a_duplicate_is_refused_or_ignored_as_asked_and_nothing_is_half_written() -> None:
    assert _HEADS.add(chain="t:5", last_hash="e" * 64) is True
    with pytest.raises(IntegrityError), transaction.atomic():
        _HEADS.save(AuditChainHead(chain="t:5", last_seq=9, last_hash="f" * 64))
    assert _HEADS_QUIET.add(chain="t:5", last_seq=9, last_hash="f" * 64) is False
    assert list(AuditChainHead.objects.filter(chain="t:5").values_list("last_seq", "last_hash")) == [(0, "e" * 64)]
    with pytest.raises(TypeError):  # an ignored conflict would leave the instance without a row
        _HEADS_QUIET.save(AuditChainHead(chain="t:6", last_hash="0" * 64))
    with pytest.raises(TypeError):
        _HEADS.add(chain="t:7", last_hash="0" * 64, colour="blue")


def test_an_update_changes_the_rows_named_and_counts_them() -> None:
    AuditChainHead.objects.create(chain="t:8", last_seq=1, last_hash="1" * 64, key_id="k")
    AuditChainHead.objects.create(chain="t:9", last_seq=1, last_hash="1" * 64)
    assert _MOVE.run([2, "2" * 64], ["t:8"]) == 1
    assert _MOVE.run([3, "3" * 64], ["t:none"]) == 0
    rows = dict(AuditChainHead.objects.filter(chain__startswith="t:").values_list("chain", "last_seq"))
    assert rows == {"t:8": 2, "t:9": 1}
    assert AuditChainHead.objects.get(chain="t:8").key_id == "k"  # a column not named is left alone


def test_an_event_with_json_and_a_foreign_key_round_trips() -> None:
    from django.utils import timezone

    event = Insert(AuditEvent).save(
        AuditEvent(
            chain="t:json", seq=1, occurred_at=timezone.now(), actor=None, actor_label="system",
            action="x.y", after={"tên": "Nguyễn Văn Ả", "n": [1, 2.5, None]}, prev_hash="0" * 64, hash="1" * 64,
        )
    )  # fmt: skip
    stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.after == {"tên": "Nguyễn Văn Ả", "n": [1, 2.5, None]}
    assert stored.before is None
    assert stored.actor_id is None

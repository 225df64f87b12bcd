"""One home for counters (issue 11.7): request numbers and identification numbers grow by one, never
repeat, roll back with their transaction, and do not wait on or mix with each other."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from django.db import close_old_connections, connection, transaction

from dinhdanh.applications.services.common import next_number
from dinhdanh.core.models import Sequence
from dinhdanh.core.sequences import next_value


@pytest.mark.django_db
def test_each_name_counts_on_its_own() -> None:
    assert [next_value("a"), next_value("a"), next_value("b"), next_value("a")] == [1, 2, 1, 3]
    assert dict(Sequence.objects.values_list("name", "last_value")) == {"a": 3, "b": 1}


@pytest.mark.django_db
def test_a_rolled_back_value_is_taken_again_not_skipped_or_repeated() -> None:
    next_value("x")

    def take_then_fail() -> None:
        with transaction.atomic():
            assert next_value("x") == 2
            raise RuntimeError

    with pytest.raises(RuntimeError):
        take_then_fail()
    assert next_value("x") == 2


@pytest.mark.django_db
def test_request_numbers_count_per_year() -> None:
    assert next_number(datetime(2026, 6, 1, tzinfo=UTC)) == "HS-2026-0000001"
    assert next_number(datetime(2026, 6, 2, tzinfo=UTC)) == "HS-2026-0000002"
    assert next_number(datetime(2027, 1, 1, 3, tzinfo=UTC)) == "HS-2027-0000001"
    # 31/12 at 20:00 UTC is already 1 January in Việt Nam: the year is the local one.
    assert next_number(datetime(2026, 12, 31, 20, tzinfo=UTC)) == "HS-2027-0000002"


@pytest.mark.django_db(transaction=True)
def test_parallel_transactions_never_read_the_same_value() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serializes writers itself; the row lock is PostgreSQL's to prove")
    taken: list[int] = []
    failures: list[BaseException] = []
    lock = threading.Lock()

    def take() -> None:
        try:
            for _ in range(25):
                with transaction.atomic():
                    value = next_value("parallel")
                with lock:
                    taken.append(value)
        except BaseException as exc:  # reported by the assertion below
            failures.append(exc)
        finally:
            close_old_connections()

    threads = [threading.Thread(target=take) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not failures
    assert sorted(taken) == list(range(1, 101))

"""Validation of a large registry file in worker processes, while the importing process reads the file
and writes the database (issue 17.1: a million rows within a minute on two cores).

Workers validate and encode (``RecordParser.stage`` and ``assemble``, then ``RowEncoder.values``:
fingerprint, digests, the sealed number) with the communes and keys the importing process hands them
at start, and never touch the database (a worker is a fresh interpreter that would see the default
data directory and database, not the ones this process uses, e.g. under tests). The importing process
reads the file, works out each row's commune and province (through its own unit cache) and writes the
batches. Batches go out in file order and come back in file order, and only a few are in flight, so
memory stays flat and the error report lists rows in order. A worker that dies takes the import down
with it (the transaction rolls back), never silently drops rows. How many workers:
``REGISTRY_IMPORT_WORKERS``.
"""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils import timezone

from dinhdanh.registries.fields import RecordParser
from dinhdanh.registries.headers import FIELD_ALIASES
from dinhdanh.registries.import_stage import FIELDS, Outcome, stage_chunk, start

if TYPE_CHECKING:
    from dinhdanh.registries.readers import RowSource
    from dinhdanh.registries.services.imports import Progress, Rows
    from dinhdanh.registries.sources import Source

__all__ = ["MIN_BYTES", "import_in_parallel", "workers", "worth_it"]

# Starting workers costs about a second (a fresh interpreter loads Django); below this size (about
# 50,000 rows) one process is as fast.
MIN_BYTES = 8 * 1024**2
CHUNK = 1000  # rows per task
IN_FLIGHT = 4  # tasks per worker queued ahead
_FIELDS = FIELDS
assert tuple(FIELD_ALIASES) == FIELDS  # noqa: S101  (a field added to one must be added to the other)


def workers() -> int:
    """How many validation workers (``REGISTRY_IMPORT_WORKERS``); 0 for none."""
    return int(settings.REGISTRY_IMPORT_WORKERS)


def worth_it(rows: RowSource) -> bool:
    return workers() >= 1 and rows.size >= MIN_BYTES


def _chunks(records: Iterator[tuple[int, dict[str, str]]]) -> Iterator[tuple[list[int], list[tuple[str, ...]]]]:
    numbers: list[int] = []
    values: list[tuple[str, ...]] = []
    for number, record in records:
        numbers.append(number)
        values.append(tuple(record.get(field, "") for field in _FIELDS))
        if len(numbers) >= CHUNK:
            yield numbers, values
            numbers, values = [], []
    if numbers:
        yield numbers, values


def import_in_parallel(
    records: Iterator[tuple[int, dict[str, str]]], source: Source, sink: Rows, progress: Progress | None
) -> None:
    parser = RecordParser(source)  # this process's: communes and provinces, with its database
    today = timezone.localdate()
    context = multiprocessing.get_context("spawn")
    pending: deque[tuple[list[int], Future[list[Outcome]]]] = deque()
    count = workers()
    with ProcessPoolExecutor(
        max_workers=count, mp_context=context, initializer=start, initargs=sink.upserter.encoder.state()
    ) as pool:
        try:
            for numbers, values in _chunks(records):
                places = [parser.place(cells[_COMMUNE], cells[_PROVINCE]) for cells in values]
                pending.append((numbers, pool.submit(stage_chunk, (source.value, today, values, places))))
                if len(pending) >= IN_FLIGHT * count:
                    _finish(pending.popleft(), sink, progress)
            while pending:
                _finish(pending.popleft(), sink, progress)
        finally:
            for _numbers, future in pending:
                future.cancel()


_COMMUNE, _PROVINCE = _FIELDS.index("commune_code"), _FIELDS.index("province_code")


def _finish(done: tuple[list[int], Future[list[Outcome]]], sink: Rows, progress: Progress | None) -> None:
    numbers, future = done
    for number, outcome in zip(numbers, future.result(), strict=True):
        sink.rows += 1
        if len(outcome) == 3:
            sink.accept(number, *outcome)
        else:
            sink.problems(number, outcome[0])
    if progress is not None:
        progress(sink.rows, 0)

"""What a validation worker of a large import runs (``import_workers``). Kept apart, and importing
Django models only once Django is set up, because a spawned worker imports this module to find the
functions before it has set anything up."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from dinhdanh.registries.record_keys import record_key  # no Django in it: safe before django.setup()

if TYPE_CHECKING:
    from dinhdanh.registries.fields import Placed, RecordParser, RowProblem
    from dinhdanh.registries.upsert import RowEncoder

__all__ = ["FIELDS", "Outcome", "stage_chunk", "start"]

# headers.FIELD_ALIASES order (SPEC §8); import_workers checks that they agree.
FIELDS = (
    "code", "name", "short_name", "foreign_name", "established_on", "address", "commune_code", "province_code",
    "representative_name", "representative_id", "status",
)  # fmt: skip
# Per record: (record key, fingerprint, column values) when valid, else (its problems,).
type Outcome = tuple[str, str, tuple[Any, ...]] | tuple[tuple[RowProblem, ...]]
type Task = tuple[str, date, list[tuple[str, ...]], list[Placed]]

_encoder: RowEncoder | None = None
_parser: RecordParser | None = None


def start(communes: dict[str, tuple[int, str]], dates_as_text: bool, keys: dict[str, bytes]) -> None:
    """Worker initializer: set Django up (a spawned interpreter has not), then make the encoder from
    what needs the importing process's database and settings (``RowEncoder.state``), as plain data
    because it is unpickled before Django is set up."""
    import django  # noqa: PLC0415  (a spawned worker sets Django up itself; see the module's note)

    django.setup(set_prefix=False)
    from dinhdanh.registries.upsert import RowEncoder  # noqa: PLC0415  (models: after django.setup())

    global _encoder  # noqa: PLW0603
    _encoder = RowEncoder(communes, dates_as_text=dates_as_text, keys=keys)


def _plain(problems: list[RowProblem]) -> tuple[RowProblem, ...]:
    from dinhdanh.registries.fields import RowProblem  # noqa: PLC0415  (models: after django.setup())

    # Parameters go back through a pipe: anything that is not plain data becomes its text.
    plain = (str, int, float, bool, type(None))
    out = []
    for problem in problems:
        if not all(isinstance(value, plain) for value in problem.params.values()):
            params = {k: v if isinstance(v, plain) else str(v) for k, v in problem.params.items()}
            problem = RowProblem(problem.field, problem.value_shown, problem.reason, params)  # noqa: PLW2901
        out.append(problem)
    return tuple(out)


def stage_chunk(task: Task) -> list[Outcome]:
    """Validate and encode the records of a chunk (value tuples in ``FIELDS`` order), each with the
    commune and province the importing process worked out for it."""
    from dinhdanh.registries.fields import RecordParser, RegistryRow  # noqa: PLC0415  (after django.setup())

    global _parser  # noqa: PLW0603  (one parser per worker keeps its caches across chunks)
    source, today, records, places = task
    if _parser is None or _parser.source != source or _parser.today != today:
        _parser = RecordParser(source, today=today)
    assert _encoder is not None  # noqa: S101  (set by start)
    parser, encoder = _parser, _encoder
    out: list[Outcome] = []
    for values, placed in zip(records, places, strict=True):
        parsed = parser.assemble(parser.stage(dict(zip(FIELDS, values, strict=True))), placed)
        if isinstance(parsed, RegistryRow):
            fingerprint, row_values = encoder.values(parsed)
            out.append((record_key(parsed), fingerprint, row_values))
        else:
            out.append((_plain(parsed),))
    return out

"""Fuzzing the plan file's reader (operations issue): whatever arrives — random text, random YAML
documents, aliases that would expand a billion times, tags that name Python callables, numbers beyond
any column, bytes that are not UTF-8, NUL, a BOM, deep nesting — the reader gives a plan or the
plan's own refusal (``PlanFileErrors``: every line named, each in Vietnamese and English), never
another exception and never a side effect of a tag; and a plan written back as YAML reads back equal.

The examples are derandomized (the same inputs on every run: a failure reproduces, never flakes) and
every input is bounded, so no example can hang the run.
"""

from __future__ import annotations

import io
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.core.management import call_command
from django.core.management.base import CommandError
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from dinhdanh.campaigns.errors import LineError, PlanError, PlanFileErrors
from dinhdanh.campaigns.models.plans import Plan, PlanStatus, Segment, TaskStatus, Weekday
from dinhdanh.campaigns.plan_format import PlanSpec, parse_plan
from dinhdanh.campaigns.plan_reader import MAX_BYTES
from dinhdanh.core.text import nfc
from tests.campaigns.test_plan_format import GOOD

pytestmark = pytest.mark.django_db

FUZZ = settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
FEW = settings(max_examples=25, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))

_TOP_KEYS = (
    "slug", "reference", "title", "issuing_body", "issued_on", "scope", "status", "reporting", "phases",
    "targets", "tasks",
)  # fmt: skip
_LINE_PREFIX = re.compile(r"^dòng (\d+) / line \1: ")


# --- the property every input must meet --------------------------------------------------------------


def outcome(text: str) -> PlanSpec | PlanFileErrors:
    """The plan ``text`` gives, or its refusal; any other exception fails the test that calls this."""
    try:
        return parse_plan(text)
    except PlanFileErrors as exc:
        assert_readable_refusal(exc, text)
        return exc


def assert_readable_refusal(exc: PlanFileErrors, text: str) -> None:
    """Every refusal is one of the plan's own, names a line of the file, and reads in both languages."""
    assert exc.errors, "a refusal names at least one line"
    last_line = text.count("\n") + 2  # a mark may sit just past the last line break
    for error in exc.errors:
        assert isinstance(error, LineError)
        assert isinstance(error.error, PlanError)
        assert 1 <= error.line <= last_line
        vi, en = error.message("vi"), error.message("en")
        assert vi.startswith(f"dòng {error.line}: ")
        assert vi != en, f"{error.code} reads the same in English: {vi!r}"
        found = _LINE_PREFIX.match(error.bilingual())
        assert found is not None
        assert int(found[1]) == error.line
    assert [e.line for e in exc.errors] == sorted(e.line for e in exc.errors)
    assert exc.message("vi") != exc.message("en")


def refusal(text: str) -> PlanFileErrors:
    found = outcome(text)
    assert isinstance(found, PlanFileErrors), "expected a refusal"
    return found


def codes(exc: PlanFileErrors) -> set[PlanError]:
    return {e.error for e in exc.errors}  # type: ignore[misc]


# --- strategies -----------------------------------------------------------------------------------------

_huge = st.integers(min_value=-(10**60), max_value=10**60)
_scalars = st.one_of(
    st.none(),
    st.booleans(),
    _huge,
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=40),
    st.dates(),
    st.sampled_from(["01", "0x1F", "1e400", "yes", "~", "2024-13-45", "31/02/2025", "24:00", "registry", ""]),
)
_keys = st.one_of(st.sampled_from((*_TOP_KEYS, "number", "value", "unit", "<<", "")), st.text(max_size=12))
# Nesting is kept well inside PyYAML's recursion (see the deep-nesting test below for beyond it).
yaml_values = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(_keys, inner, max_size=5),
    max_leaves=40,
)
# Documents shaped like a plan (its keys, random values) get past the first checks into the rest.
plan_shaped = st.dictionaries(st.sampled_from(_TOP_KEYS), yaml_values, max_size=len(_TOP_KEYS))


def dump(value: Any) -> str:
    return yaml.safe_dump(value, allow_unicode=True, sort_keys=False)


# --- any input: a plan or the plan's refusal --------------------------------------------------------------


@FUZZ
@given(yaml_values)
def test_any_yaml_document_gives_a_plan_or_a_bilingual_refusal(value: Any) -> None:
    outcome(dump(value))


@FUZZ
@given(plan_shaped)
def test_a_document_with_the_plan_keys_and_random_values_gives_a_plan_or_a_refusal(value: dict[str, Any]) -> None:
    outcome(dump(value))


@FUZZ
@given(st.sampled_from(_TOP_KEYS), yaml_values)
def test_one_value_of_a_good_plan_replaced_by_anything_gives_a_plan_or_a_refusal(key: str, value: Any) -> None:
    data = yaml.safe_load(GOOD)
    data[key] = value
    outcome(dump(data))


@FUZZ
@given(st.text(max_size=400), st.integers(min_value=0, max_value=len(GOOD)))
def test_any_text_spliced_into_a_good_plan_gives_a_plan_or_a_refusal(junk: str, at: int) -> None:
    outcome(GOOD[:at] + junk + GOOD[at:])


@FUZZ
@given(
    st.text(
        alphabet=st.characters(codec=None, categories=("Cc", "Cf", "Cs", "Co", "Zl", "Zp", "Zs", "So")),
        max_size=200,
    )
)
def test_controls_surrogates_and_odd_spaces_give_a_refusal_never_a_crash(text: str) -> None:
    outcome(text)
    outcome(GOOD.replace("Kế hoạch thử", text or "x"))


@pytest.mark.parametrize(
    "junk",
    ["\x00", "\ufeff", "\ufeff\ufeff", "\udc80", "\x85", "\u2028", "\x1b[31m", "\u202e", "\t", "\r", "\r\n"],
)
def test_nul_bom_lone_surrogate_and_control_characters_in_every_field(junk: str) -> None:
    for line in GOOD.splitlines():
        if ": " in line and not line.lstrip().startswith("-"):
            key, value = line.split(": ", 1)
            outcome(GOOD.replace(line, f"{key}: {junk}{value}"))
            outcome(GOOD.replace(line, f'{key}: "{junk}{value}"'))
    outcome(junk + GOOD)


def test_a_bom_before_a_good_plan_is_read_as_the_plan() -> None:
    assert isinstance(outcome("\ufeff" + GOOD), PlanSpec)


def test_a_nul_is_refused_as_unreadable_yaml_naming_its_position() -> None:
    text = GOOD.replace("title: Kế hoạch thử", "title: Kế\x00hoạch")
    found = refusal(text)
    assert [e.error for e in found.errors] == [PlanError.YAML_SYNTAX]
    assert f"position {text.index(chr(0))}" in found.errors[0].message("en")


def test_a_nul_is_refused_on_its_own_line() -> None:
    found = refusal(GOOD.replace("title: Kế hoạch thử", "title: Kế\x00hoạch"))
    assert [(e.line, e.error) for e in found.errors] == [(3, PlanError.YAML_SYNTAX)]


# --- aliases, tags, numbers, size ----------------------------------------------------------------------


@FEW
@given(st.integers(min_value=1, max_value=12), st.integers(min_value=2, max_value=12))
def test_a_billion_laughs_is_refused_as_aliases_without_expanding(depth: int, width: int) -> None:
    lines = ["lol0: &lol0 [" + ", ".join(["lol"] * width) + "]"]
    lines += [f"lol{n}: &lol{n} [" + ", ".join([f"*lol{n - 1}"] * width) + "]" for n in range(1, depth + 1)]
    # width ** depth leaves once expanded: up to 12 ** 12, about 9e12, from a file of a few lines.
    found = refusal("\n".join(lines) + "\n")
    assert [(e.line, e.error) for e in found.errors] == [(1, PlanError.YAML_SYNTAX)]
    assert "aliases" in found.errors[0].message("en")


@pytest.mark.parametrize(
    "text",
    [
        "a: &x [*x]\n",  # an alias inside its own anchor: a cycle once loaded
        "slug: &s thu-nghiem\nreference: *s\n",
        GOOD.replace("title: Kế hoạch thử", "title: &t Kế hoạch thử").replace("title: Tuyên truyền", "title: *t"),
        "<<: &m {slug: a}\n",
    ],
)
def test_anchors_and_aliases_are_refused_even_in_a_good_plan(text: str) -> None:
    found = refusal(text)
    assert PlanError.YAML_SYNTAX in codes(found) or PlanError.UNKNOWN_KEY in codes(found)


_TAGS = [
    "!!python/object/apply:os.mkdir [{path}]",
    "!!python/object/new:os.mkdir [{path}]",
    "!!python/object/apply:pathlib.Path.mkdir [!!python/object/apply:pathlib.Path [{path}]]",
    "!!python/name:os.mkdir",
    "!!python/module:os",
    "!!python/object:os.stat_result {{}}",
    "!<tag:yaml.org,2002:python/object/apply:os.mkdir> [{path}]",
    "!!binary aGVsbG8=",
    "!!set {{a, b}}",
    "!!omap [a: 1]",
    "!!timestamp 2024-12-25",
    "!!int 0x1F",
    "!custom {path}",
]


@pytest.mark.parametrize("tag", _TAGS)
@pytest.mark.parametrize("key", ["title", "scope", "issued_on", "phases", "slug"])
def test_tags_are_never_constructed(tag: str, key: str, tmp_path: Path) -> None:
    sentinel = tmp_path / "made-by-a-tag"
    value = tag.format(path=f'"{sentinel}"')
    lines = [f"{key}: {value}" if line.startswith(f"{key}:") else line for line in GOOD.splitlines()]
    outcome("\n".join(lines) + "\n")
    outcome(f"{value}\n")
    outcome(f"- {value}\n")
    assert not sentinel.exists()


def test_a_tagged_scalar_is_read_as_the_text_written_not_as_what_the_tag_would_make() -> None:
    spec = outcome(GOOD.replace("title: Kế hoạch thử", "title: !!python/name:os.system Kế hoạch thử"))
    assert isinstance(spec, PlanSpec)
    assert spec.title == "Kế hoạch thử"


@FEW
@given(st.sampled_from(["value: 100", "baseline: 400", "number: 1,", "percent: 100"]), _huge)
def test_numbers_beyond_any_column_are_refused_on_their_line(field: str, number: int) -> None:
    key = field.split(":", maxsplit=1)[0]
    written = f"{key}: {number}" + ("," if field.endswith(",") else "")
    text = GOOD.replace(field, written, 1)
    found = outcome(text)
    if isinstance(found, PlanSpec):  # a number a column holds, consistent with the rest of the plan
        assert 0 <= number < 10**9
    elif not 0 <= number < 10**9:
        line = next(n for n, text_line in enumerate(text.splitlines(), 1) if written in text_line)
        assert (line, PlanError.BAD_INTEGER) in [(e.line, e.error) for e in found.errors]


@pytest.mark.parametrize("number", ["1e400", "-0", ".inf", ".nan", "0x10", "0o10", "1_000", "١٢", "１２", "+5"])
def test_numbers_yaml_would_read_otherwise_are_refused(number: str) -> None:
    found = refusal(GOOD.replace("value: 100", f"value: {number}"))
    assert PlanError.BAD_INTEGER in codes(found)


def test_the_size_limit_counts_bytes_and_refuses_before_parsing() -> None:
    # A comment of multibyte letters: the file is under the limit in characters and over it in bytes.
    padding_bytes = MAX_BYTES - len(GOOD.encode())
    under = GOOD + "#" + "ệ" * ((padding_bytes - 2) // 3) + "\n"
    assert len(under.encode()) <= MAX_BYTES
    assert isinstance(outcome(under), PlanSpec)
    over = GOOD + "#" + "ệ" * (padding_bytes // 3 + 1) + "\n"
    assert len(over) < MAX_BYTES < len(over.encode())
    found = refusal(over)
    assert [(e.line, e.error) for e in found.errors] == [(1, PlanError.FILE_TOO_LARGE)]
    # Aliases and deep lists past the limit are not even composed.
    found = refusal("[" * (MAX_BYTES + 1))
    assert [(e.line, e.error) for e in found.errors] == [(1, PlanError.FILE_TOO_LARGE)]


@pytest.mark.parametrize("depth", [10, 100, 200])
def test_moderately_deep_nesting_is_refused_as_out_of_shape(depth: int) -> None:
    for text in ("[" * depth + "]" * depth, "- " * depth + "x\n", "{a: " * depth + "1" + "}" * depth):
        outcome(text)
        outcome(GOOD.replace('scope: "91"', "scope: " + text.strip()))


@pytest.mark.parametrize("text", ["[" * 5000, "- " * 5000 + "x\n", "{a: " * 5000 + "1" + "}" * 5000])
def test_very_deep_nesting_within_the_size_limit_is_refused_as_a_line_error(text: str) -> None:
    assert len(text.encode()) < MAX_BYTES
    outcome(text)


# --- bytes: the one entry that reads them (`dinhdanh plan load FILE`) --------------------------------------


def load_bytes(raw: bytes, tmp_path: Path) -> str | None:
    """``dinhdanh plan load`` on ``raw``: ``None`` if loaded, else the one bilingual line it exits with."""
    path = tmp_path / "plan.yaml"
    path.write_bytes(raw)
    try:
        call_command("plan", "load", str(path), stdout=io.StringIO(), stderr=io.StringIO())
    except CommandError as exc:
        line = str(exc)
        assert " / " in line, f"not bilingual: {line!r}"
        return line
    return None


_good_bytes = GOOD.encode()


@FEW
@given(
    raw=st.one_of(
        st.binary(max_size=600),
        st.tuples(st.integers(min_value=0, max_value=len(_good_bytes) - 1), st.binary(min_size=1, max_size=8)).map(
            lambda p: _good_bytes[: p[0]] + p[1] + _good_bytes[p[0] + len(p[1]) :]
        ),
        st.sampled_from(
            [
                GOOD.encode("utf-16"),
                GOOD.encode("utf-32"),
                GOOD.encode("cp1258", errors="replace"),
                GOOD.encode("latin-1", errors="replace"),
                b"\xef\xbb\xbf" + b"\xef\xbb\xbf" + _good_bytes,
                _good_bytes.replace(b"th\xe1\xbb\xad", b"th\xe1\xbb"),  # a cut multibyte letter
                b"\x00" * 64,
                b"\xff\xfe\x00\x00",
            ]
        ),
    )
)
def test_any_bytes_load_or_exit_with_one_bilingual_line(
    raw: bytes, tmp_path_factory: pytest.TempPathFactory
) -> None:
    before = Plan.objects.count()
    refused = load_bytes(raw, tmp_path_factory.mktemp("bytes"))
    if refused is not None:
        assert Plan.objects.count() == before  # nothing written by a refused file
    try:
        raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        assert refused == "Tệp không phải UTF-8 / the file is not UTF-8"


def test_a_utf8_bom_file_loads_and_a_utf16_file_is_refused_as_not_utf8(tmp_path: Path) -> None:
    assert load_bytes(b"\xef\xbb\xbf" + _good_bytes, tmp_path) is None
    assert Plan.objects.filter(slug="thu-nghiem").exists()
    assert load_bytes(GOOD.replace("thu-nghiem", "khac").encode("utf-16"), tmp_path) == (
        "Tệp không phải UTF-8 / the file is not UTF-8"
    )


# --- written back, read back equal -------------------------------------------------------------------------
# The project has no plan writer; this one writes a checked plan as the format documents it, so that
# reading it back shows the reader keeps what it read (quoting, dates, numbers, units, normalized text).


def spec_data(spec: PlanSpec) -> dict[str, Any]:
    """The plan as a YAML-ready mapping in the file format (units by scheme and code, dates ISO)."""
    weekdays = {int(w.value): w.name.lower() for w in Weekday}
    data: dict[str, Any] = {
        "slug": spec.slug,
        "reference": spec.reference,
        "title": spec.title,
        "issuing_body": spec.issuing_body,
        "issued_on": spec.issued_on.isoformat(),
        "scope": f"{spec.scope.scheme}/{spec.scope.code}",
        "status": spec.status,
    }
    reporting: dict[str, str] = {}
    if spec.unit_report_weekday is not None:
        reporting["unit_weekday"] = weekdays[spec.unit_report_weekday]
    if spec.unit_report_time is not None:
        reporting["unit_time"] = spec.unit_report_time.strftime("%H:%M")
    if spec.province_report_weekday is not None:
        reporting["province_weekday"] = weekdays[spec.province_report_weekday]
    if reporting:
        data["reporting"] = reporting
    data["phases"] = [
        {
            "number": p.number,
            "name": p.name,
            "starts_on": p.starts_on.isoformat(),
            "ends_on": p.ends_on.isoformat(),
        }
        for p in spec.phases
    ]
    targets = []
    for t in spec.targets:
        target: dict[str, Any] = {"phase": t.phase, "metric": t.metric, "segment": t.segment or "all"}
        target["unit"] = f"{t.unit.scheme}/{t.unit.code}"
        target["percent" if t.kind == "percent" else "value"] = t.value
        if t.baseline is not None:
            target["baseline"] = t.baseline
        if t.due_on is not None:
            target["due_on"] = t.due_on.isoformat()
        if t.allocations:
            shares = []
            for a in t.allocations:
                share: dict[str, Any] = {"unit": f"{a.unit.scheme}/{a.unit.code}"}
                if a.edited:
                    share["value"] = a.value
                if a.baseline is not None:
                    share["baseline"] = a.baseline
                shares.append(share)
            target["allocations"] = shares
        targets.append(target)
    data["targets"] = targets
    data["tasks"] = [
        {
            "number": k.number,
            "title": k.title,
            "lead": k.lead_unit,
            "coordinating": k.coordinating_units,
            "deadline": "regular" if k.regular else k.deadline.isoformat() if k.deadline else None,
            "timing": k.timing,
            "status": k.status,
        }
        for k in spec.tasks
    ]
    return data


def test_the_example_plan_written_back_reads_back_equal() -> None:
    first = parse_plan(GOOD)
    again = parse_plan(dump(spec_data(first)))
    assert spec_data(again) == spec_data(first)
    assert [(a.unit.pk, a.value, a.edited) for a in again.targets[1].allocations] == [
        (a.unit.pk, a.value, a.edited) for a in first.targets[1].allocations
    ]


# Free text as people type it: letters with any accents, digits, punctuation, symbols, odd spaces. The
# reader normalizes it (NFC, one space, stripped), so the plan read back holds ``nfc`` of what was written.
_free = st.text(
    alphabet=st.characters(categories=("L", "M", "N", "P", "S", "Zs"), exclude_characters="\u180e"),
    min_size=1,
    max_size=20,
)
_slug = st.from_regex(r"[a-z0-9]{1,12}(-[a-z0-9]{1,8}){0,3}", fullmatch=True).filter(lambda s: s != "units")
_days = st.dates(min_value=date(2024, 1, 1), max_value=date(2025, 6, 30))  # "91" is Kiên Giang then


@st.composite
def plan_data(draw: st.DrawFn) -> dict[str, Any]:
    issued_on = draw(_days)
    bounds = sorted(
        draw(st.sets(st.dates(min_value=date(2024, 1, 1), max_value=date(2026, 12, 31)), min_size=2, max_size=6))
    )
    phases = [
        {"number": n, "name": draw(_free), "starts_on": a.isoformat(), "ends_on": b.isoformat()}
        for n, (a, b) in enumerate(zip(bounds[0::2], bounds[1::2], strict=False), 1)
    ]
    combos = draw(
        st.lists(
            st.tuples(
                st.integers(min_value=1, max_value=len(phases)),
                st.sampled_from([str(m) for m in ("accounts_issued", "accounts_activated", "requests_received")]),
                st.sampled_from([str(s.value) or "all" for s in Segment]),
            ),
            unique=True,
            max_size=4,
        )
    )
    targets = [
        {"phase": p, "metric": m, "segment": s, "unit": "2008/91", "percent": draw(st.integers(0, 100))}
        for p, m, s in combos
    ]
    numbers = draw(st.lists(_free.map(nfc).filter(lambda s: 0 < len(s) <= 20), unique=True, max_size=3))
    tasks = [
        {
            "number": number,
            "title": draw(_free),
            "lead": draw(_free),
            "coordinating": draw(st.lists(_free, max_size=2)),
            "deadline": draw(st.one_of(st.just("regular"), _days.map(date.isoformat))),
            "timing": draw(st.one_of(st.just(""), _free)),
            "status": draw(st.sampled_from([str(s) for s in TaskStatus])),
        }
        for number in numbers
    ]
    data: dict[str, Any] = {
        "slug": draw(_slug),
        "reference": draw(_free),
        "title": draw(_free),
        "issuing_body": draw(_free),
        "issued_on": issued_on.isoformat(),
        "scope": "2008/91",
        "status": draw(st.sampled_from([str(s) for s in PlanStatus])),
    }
    if draw(st.booleans()):
        day = st.sampled_from([w.name.lower() for w in Weekday])
        data["reporting"] = {
            "unit_weekday": draw(day),
            "unit_time": f"{draw(st.integers(0, 23)):02d}:{draw(st.integers(0, 59)):02d}",
            "province_weekday": draw(day),
        }
    data.update(phases=phases, targets=targets, tasks=tasks)
    return data


def normalized(data: dict[str, Any]) -> dict[str, Any]:
    """What the reader makes of ``data``: its free text in ``nfc``, blank optional text as ""."""
    out = dict(data)
    for key in ("reference", "title", "issuing_body"):
        out[key] = nfc(out[key])
    out["phases"] = [{**p, "name": nfc(p["name"])} for p in data["phases"]]
    out["tasks"] = [
        {
            **k,
            "title": nfc(k["title"]),
            "lead": nfc(k["lead"]),
            "coordinating": [nfc(c) for c in k["coordinating"]],
            "timing": nfc(k["timing"]),
        }
        for k in data["tasks"]
    ]
    return out


@FUZZ
@given(plan_data())
def test_a_plan_written_as_yaml_reads_back_as_written(data: dict[str, Any]) -> None:
    texts = [data[k] for k in ("reference", "title", "issuing_body")] + [p["name"] for p in data["phases"]]
    texts += [k[f] for k in data["tasks"] for f in ("title", "lead")] + [
        c for k in data["tasks"] for c in k["coordinating"]
    ]
    assume(all(nfc(t) for t in texts))  # a text of spaces alone is an empty value, refused apart
    spec = outcome(dump(data))
    assert isinstance(spec, PlanSpec), spec.bilingual() if isinstance(spec, PlanFileErrors) else ""
    assert spec_data(spec) == normalized(data)
    # And once more: what the reader made of it is a fixed point.
    assert spec_data(parse_plan(dump(spec_data(spec)))) == spec_data(spec)

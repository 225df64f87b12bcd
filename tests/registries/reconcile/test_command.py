"""`dinhdanh reconcile`: the JSON summary, the workbook, baselines, and one-line refusals."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone
from openpyxl import load_workbook

from dinhdanh.cli import main
from dinhdanh.registries.models import Baseline
from tests.registries.reconcile.support import World

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _keep_the_test_connection(monkeypatch: pytest.MonkeyPatch) -> None:
    """``main`` runs Django's command runner, which closes every connection when it ends; on PostgreSQL
    that would close the test's own transaction."""
    from django.db import connections

    monkeypatch.setattr(connections, "close_all", lambda: None)


def run(*args: str) -> dict[str, Any]:
    out = io.StringIO()
    call_command("reconcile", *args, stdout=out)
    result: dict[str, Any] = json.loads(out.getvalue())
    return result


def test_the_summary_is_per_province_and_category(world: World) -> None:
    result = run()
    rows = {(r["unit"], r["category"]): r for r in result["rows"]}
    an_giang = rows[("91", "enterprise")]
    assert (an_giang["outreach"], an_giang["registered"], an_giang["accounts"]) == (2, 7, 6)
    assert an_giang["by_source"] == {"business": 7}
    assert an_giang["cleansing"] == {
        "name": 1, "commune": 1, "representative": 1, "terminated": 1, "unlisted": 1, "conflict": 1,
        "old_id_card": 0,
    }  # fmt: skip
    assert (an_giang["with_account"], an_giang["difference"]) == (4, 3)
    assert rows[("01", "enterprise")]["cleansing"]["unlisted"] == 1
    assert rows[("91", "other")]["outreach"] == 1
    assert result["total"]["outreach"] == 5
    assert result["total"]["cleansing"]["unlisted"] == 2


def test_a_unit_gives_rows_per_commune_and_a_category_filters(world: World) -> None:
    result = run("--unit", "91", "--category", "tax_agency")
    assert result["unit"] == "91"
    assert [(r["unit"], r["outreach"], r["by_source"]) for r in result["rows"]] == [
        ("30292", 0, {"tax": 2}),
        ("30301", 1, {"tax": 1}),
    ]


def test_the_workbook_and_baselines(world: World, tmp_path: Path) -> None:
    target = tmp_path / "van-dong.xlsx"
    today = timezone.localdate().isoformat()
    result = run("--unit", "30292", "--outreach-xlsx", str(target), "--baseline", today)
    assert result["outreach_xlsx"] == {"file": str(target), "rows": 2}
    sheet = load_workbook(target).active
    assert sheet is not None
    assert [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)] == ["0100000002", "KS-30292-0002"]
    assert result["baselines"] == {"as_of": today, "units": 1, "rows": 4}
    run("--unit", "91", "--baseline", today)
    assert Baseline.objects.filter(as_of=today).count() == 4 * (1 + world.a.parent.children.count())  # type: ignore[union-attr]
    assert Baseline.objects.filter(as_of=today, taken_by__isnull=True).exists()


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--unit", "999"], "reconcile.bad_unit"),
        (["--unit", "99"], "99"),
        (["--unit", "../../etc"], "reconcile.bad_unit"),
        (["--category", "bank"], "bank"),
        (["--baseline", "31/12/2025"], "YYYY-MM-DD"),
        (["--baseline", "2025-02-30"], "2025-02-30"),
        (["--baseline", "2999-01-01"], "2999-01-01"),
        (["--outreach-xlsx", "/nonexistent/dir/x.xlsx"], "/nonexistent/dir/x.xlsx"),
    ],
)
def test_bad_input_is_one_line_and_non_zero(
    world: World, capsys: pytest.CaptureFixture[str], args: list[str], words: str
) -> None:
    assert main(["reconcile", *args]) != 0
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    assert "Traceback" not in captured.err
    assert lines[0].startswith("dinhdanh: ")
    assert words in lines[0] or "Mã đơn vị" in lines[0]
    assert not Baseline.objects.exists()


def test_the_command_exits_zero(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["reconcile", "--unit", "30301"]) == 0
    assert json.loads(capsys.readouterr().out)["unit"] == "30301"

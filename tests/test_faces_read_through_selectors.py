"""Faces read through selectors only (issue 11.3): no page, API operation or schema module touches a
model's manager (``Model.objects``). Reads with their access rules live in the apps' selectors, so that
the page and the API cannot drift apart; this test keeps it so."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src" / "dinhdanh"


def _faces() -> list[Path]:
    files = [*SRC.glob("*/views/*.py"), *SRC.glob("*/views.py"), *SRC.glob("*/api*.py"), *SRC.glob("web/*.py")]
    return sorted(f for f in files if f.name != "__init__.py")


def _managers(path: Path) -> list[int]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [node.lineno for node in ast.walk(tree) if isinstance(node, ast.Attribute) and node.attr == "objects"]


def test_the_faces_are_found() -> None:
    names = {f.relative_to(SRC).as_posix() for f in _faces()}
    assert {"applications/api.py", "organizations/views/member.py", "people/views/officers.py"} <= names


@pytest.mark.parametrize("path", _faces(), ids=lambda p: p.relative_to(SRC).as_posix())
def test_no_face_reads_a_model_manager(path: Path) -> None:
    assert not _managers(path), f"{path.relative_to(SRC)} reads Model.objects at lines {_managers(path)}"

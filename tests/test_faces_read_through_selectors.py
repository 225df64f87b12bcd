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


# Apps whose faces show data that not everyone may read: each keeps its rule in a policy module of
# named predicates, which its selectors (and services) import; the faces never do the checking.
POLICED = ("organizations", "applications", "registries", "people")


def _imports_policy(path: Path, app: str) -> bool:
    imports = [n for n in ast.walk(ast.parse(path.read_text("utf-8"))) if isinstance(n, ast.ImportFrom)]
    return any(
        n.module == f"dinhdanh.{app}.policy"
        or (n.module == f"dinhdanh.{app}" and any(alias.name == "policy" for alias in n.names))
        for n in imports
    )


@pytest.mark.parametrize("app", POLICED)
def test_each_policed_app_has_one_policy_that_its_selectors_apply(app: str) -> None:
    policy = SRC / app / "policy.py"
    assert policy.is_file(), f"{app} has no policy module"
    selectors = [SRC / app / "selectors.py", *sorted((SRC / app / "selectors").glob("*.py"))]
    assert any(_imports_policy(p, app) for p in selectors if p.is_file()), (
        f"no selector of {app} applies its policy"
    )
    functions = [n for n in ast.parse(policy.read_text("utf-8")).body if isinstance(n, ast.FunctionDef)]
    assert functions, f"{app}.policy names no predicate"

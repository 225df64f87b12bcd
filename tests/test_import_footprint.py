"""What a process holds before it serves anything (issue 16, decision 0049): loading the URL configuration
and the task modules must not import the libraries that only a few pages or jobs use — webauthn
(passkey ceremonies), openpyxl (XLSX exports and error reports), python-docx (official documents) — nor,
on SQLite, the PostgreSQL driver (about 10 MB; registries.bulk_pg once pulled it in). They are imported
where they are used; this checks, in a fresh interpreter, that nothing pulls them in again."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

LAZY = ("webauthn", "openpyxl", "docx", "psycopg")

LOAD_EVERYTHING_A_WORKER_LOADS = """
import importlib, importlib.util, json, sys
import django
django.setup()
from django.apps import apps
from django.urls import URLResolver, get_resolver

def walk(patterns, seen):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):  # an include: its module (and ninja's routers) load here
            seen.append(str(pattern.pattern))
            walk(pattern.url_patterns, seen)

included = []
walk(get_resolver().url_patterns, included)
tasks = [f"{c.name}.tasks" for c in apps.get_app_configs() if importlib.util.find_spec(f"{c.name}.tasks") is not None]
for name in tasks:
    importlib.import_module(name)
print(json.dumps({
    "included": len(included),
    "tasks": tasks,
    "loaded": sorted({m.split(".")[0] for m in sys.modules} & set(%r)),
}))
"""


def test_urls_and_tasks_load_without_the_libraries_few_pages_use(tmp_path: Path) -> None:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "DINHDANH_"))}
    clean.update(DJANGO_SETTINGS_MODULE="dinhdanh.settings.dev", DINHDANH_DATA_DIR=str(tmp_path / "data"))
    done = subprocess.run(  # noqa: S603 - our own interpreter
        [sys.executable, "-c", LOAD_EVERYTHING_A_WORKER_LOADS % (LAZY,)],
        env=clean,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert found["included"] > 10  # the walk reached the included URL modules, the API's among them
    assert "dinhdanh.campaigns.tasks" in found["tasks"]
    assert found["loaded"] == []


def test_the_libraries_are_still_there_for_the_pages_that_use_them() -> None:
    """The lazy imports name modules that exist (a typo would only show on the page that needs it)."""
    from dinhdanh.campaigns.documents import annex, docx_report
    from dinhdanh.people import passkeys
    from dinhdanh.registries import reports

    assert callable(annex.render_annex)
    assert callable(docx_report.render_docx)
    assert len(passkeys._algorithms()) == 3
    assert "internal" in passkeys._transport_names()
    assert reports.ErrorReport("probe").count == 0

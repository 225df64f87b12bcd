"""What the demo loaded, read back for the home page and the `dinhdanh demo` banner."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from dinhdanh.core.access import role_label
from dinhdanh.organizations.categories import Category
from dinhdanh.registries.sources import Source
from dinhdanh.settings.env import flag


def manifest_path() -> Path:
    return Path(settings.DATA_DIR) / "demo" / "manifest.json"


def demo_summary() -> dict[str, Any] | None:
    """The manifest with labels in the active language; sign-ins only when running as the demo."""

    path = manifest_path()
    if not path.exists():
        return None
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    for source in data["sources"]:
        source["label"] = str(Source(source["source"]).label)
        source["category_label"] = str(Category(source["category"]).label)
    if flag("DINHDANH_DEMO"):
        for signin in data["signins"]:
            signin["role_label"] = role_label(signin["role"])
            signin["unit_name"] = signin["unit_name"] or str(_("Toàn quốc"))
    else:
        data["signins"] = []
    return data

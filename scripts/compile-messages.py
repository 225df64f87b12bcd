"""Compile every django.po into django.mo with polib, so no GNU gettext is needed to build or run.

Usage: python scripts/compile-messages.py [--check]
--check exits 1 when a .mo is missing or stale, or a .po has untranslated or fuzzy entries.
"""

from __future__ import annotations

import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent / "src" / "dinhdanh" / "locale"


def main(check: bool) -> int:
    problems = []
    for po_path in sorted(ROOT.glob("*/LC_MESSAGES/django.po")):
        po = polib.pofile(str(po_path))
        untranslated = [e.msgid for e in po.untranslated_entries()]
        fuzzy = [e.msgid for e in po.fuzzy_entries()]
        if untranslated or fuzzy:
            problems.append(f"{po_path}: {len(untranslated)} untranslated, {len(fuzzy)} fuzzy")
        mo_path = po_path.with_suffix(".mo")
        if check:
            if not mo_path.exists():
                problems.append(f"{mo_path}: missing")
                continue
            compiled = {(e.msgctxt, e.msgid): e.msgstr or e.msgstr_plural for e in polib.mofile(str(mo_path))}
            source = {(e.msgctxt, e.msgid): e.msgstr or e.msgstr_plural for e in po.translated_entries()}
            if compiled != source:
                problems.append(f"{mo_path}: stale, run `make messages`")
        else:
            po.save_as_mofile(str(mo_path))
    for line in problems:
        print(line, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main("--check" in sys.argv[1:]))

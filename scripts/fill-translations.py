"""Fill English translations given as a JSON object {msgid: msgstr} into the catalogue, clearing fuzzy
flags, then compile (used after `make messages` lists what is new). Usage: fill-translations.py FILE."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import polib

CATALOGUE = Path(__file__).resolve().parent.parent / "src/dinhdanh/locale/en/LC_MESSAGES/django.po"


def main() -> int:
    wanted: dict[str, str] = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    po = polib.pofile(str(CATALOGUE))
    filled = 0
    for entry in po:
        if entry.msgid in wanted and not entry.obsolete:
            entry.msgstr = wanted[entry.msgid]
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
            entry.previous_msgid = entry.previous_msgid_plural = None
            filled += 1
    po.save(str(CATALOGUE))
    print(f"{filled} filled")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Reading a YAML node tree while keeping every refusal with its line (the plan file's parser).

The file is *composed*, not loaded: the node tree keeps each value's line and its text as written, so
"01" stays "01" (YAML 1.1 would read an octal 1) and "2024-12-25" is parsed by us, not by YAML's
timestamp rules. Anchors and aliases are refused: the format has no use for them, and an alias lets
a small file expand into a huge one.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, time
from typing import Any

import yaml
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from dinhdanh.campaigns.errors import LineError, PlanError
from dinhdanh.core.errors import CoreError, DomainError
from dinhdanh.core.text import clean, fold

MAX_BYTES = 1_000_000
_INTEGER = re.compile(r"^[0-9]{1,9}$")
_ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_VN_DATE = re.compile(r"^([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})$")
_TIME = re.compile(r"^([0-9]{1,2}):([0-9]{2})$")


class Reader:
    """Collects every refusal (``LineError``) instead of stopping at the first."""

    def __init__(self) -> None:
        self.errors: list[LineError] = []

    def fail(self, node: yaml.Node, error: PlanError, **params: Any) -> None:
        self.errors.append(LineError(error, line=node.start_mark.line + 1, **params))

    # --- the document ---------------------------------------------------------------------------

    def compose(self, text: str) -> yaml.Node | None:
        if len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
            self.errors.append(LineError(PlanError.FILE_TOO_LARGE, line=1, limit=MAX_BYTES))
            return None
        try:
            root = yaml.compose(text, Loader=yaml.SafeLoader)
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line = mark.line + 1 if mark is not None else 1
            problem = (exc.problem or exc.context or "").strip()
            self.errors.append(LineError(PlanError.YAML_SYNTAX, line=line, problem=problem[:200]))
            return None
        except yaml.reader.ReaderError as exc:  # an unreadable character: its position, not a mark
            line = text[: max(0, exc.position)].count("\n") + 1
            self.errors.append(
                LineError(PlanError.YAML_SYNTAX, line=line, problem=f"{exc.reason}, position {exc.position}"[:200])
            )
            return None
        except yaml.YAMLError as exc:
            self.errors.append(LineError(PlanError.YAML_SYNTAX, line=1, problem=str(exc)[:200]))
            return None
        except RecursionError:  # PyYAML's composer recurses once per level of nesting
            self.errors.append(LineError(PlanError.YAML_SYNTAX, line=1, problem="nesting too deep"))
            return None
        if root is None:
            self.errors.append(LineError(PlanError.EMPTY_FILE, line=1))
            return None
        if _has_alias(root):
            self.errors.append(
                LineError(PlanError.YAML_SYNTAX, line=1, problem="anchors and aliases (&, *) are not allowed")
            )
            return None
        return root

    # --- structure -------------------------------------------------------------------------------

    def mapping(
        self, node: yaml.Node, *, what: str, allowed: Sequence[str], required: Sequence[str] = ()
    ) -> dict[str, yaml.Node] | None:
        """The mapping's values by key; unknown keys (with a "did you mean"), repeated keys and missing
        required keys are refused. ``None`` if ``node`` is no mapping at all."""
        if not isinstance(node, yaml.MappingNode):
            self.fail(node, PlanError.NOT_A_MAPPING, what=what)
            return None
        found: dict[str, yaml.Node] = {}
        lines: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else "?"
            if key in found:
                self.fail(key_node, PlanError.DUPLICATE_KEY, key=key, first=lines[key])
                continue
            if key not in allowed:
                suggestion = suggest(key, allowed)
                if suggestion:
                    self.fail(key_node, PlanError.UNKNOWN_KEY_HINT, key=key[:60], suggestion=suggestion)
                else:
                    self.fail(key_node, PlanError.UNKNOWN_KEY, key=key[:60])
                continue
            found[key] = value_node
            lines[key] = key_node.start_mark.line + 1
        for key in required:
            if key not in found and not any(e.params.get("suggestion") == key for e in self.errors):
                self.fail(node, PlanError.MISSING_KEY, what=what, key=key)
        return found

    def sequence(self, node: yaml.Node, *, what: str) -> list[yaml.Node]:
        if isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:null":
            return []
        if not isinstance(node, yaml.SequenceNode):
            self.fail(node, PlanError.NOT_A_LIST, what=what)
            return []
        return list(node.value)

    # --- values ------------------------------------------------------------------------------------

    def scalar(self, node: yaml.Node, key: str) -> str | None:
        if not isinstance(node, yaml.ScalarNode):
            self.fail(node, PlanError.NOT_A_SCALAR, key=key)
            return None
        return str(node.value)

    def text(self, node: yaml.Node, key: str, *, limit: int, optional: bool = False) -> str | None:
        raw = self.scalar(node, key)
        if raw is None:
            return None
        if optional and not raw.strip():
            return ""
        try:
            return clean(raw, field=key, max_length=limit)
        except DomainError as exc:
            mapped = {
                CoreError.EMPTY_VALUE: PlanError.EMPTY_VALUE,
                CoreError.TOO_LONG: PlanError.TOO_LONG,
            }.get(exc.error, PlanError.CONTROL_CHARACTERS)  # type: ignore[call-overload]
            self.fail(node, mapped, key=key, limit=limit)
            return None

    def integer(self, node: yaml.Node, key: str) -> int | None:
        raw = self.scalar(node, key)
        if raw is None:
            return None
        if not _INTEGER.match(raw.strip()):
            self.fail(node, PlanError.BAD_INTEGER, key=key, value=raw[:30])
            return None
        return int(raw)

    def day(self, node: yaml.Node, key: str) -> date | None:
        raw = self.scalar(node, key)
        if raw is None:
            return None
        value = raw.strip()
        try:
            if _ISO_DATE.match(value):
                return date.fromisoformat(value)
            if found := _VN_DATE.match(value):  # 30/6/2025, as the plans write it
                return date(int(found[3]), int(found[2]), int(found[1]))
        except ValueError:
            pass
        self.fail(node, PlanError.BAD_DATE, key=key, value=raw[:30])
        return None

    def clock(self, node: yaml.Node, key: str) -> time | None:
        raw = self.scalar(node, key)
        if raw is None:
            return None
        found = _TIME.match(raw.strip())
        if found and int(found[1]) < 24 and int(found[2]) < 60:
            return time(int(found[1]), int(found[2]))
        self.fail(node, PlanError.BAD_TIME, key=key, value=raw[:30])
        return None

    def choice(self, node: yaml.Node, key: str, choices: dict[str, Any]) -> Any:
        """The value ``choices`` maps the (folded) text to; an unknown one is refused with the nearest."""
        raw = self.scalar(node, key)
        if raw is None:
            return None
        folded = fold(raw).replace(" ", "_")
        if folded in choices:
            return choices[folded]
        suggestion = suggest(folded, list(choices))
        if suggestion:
            self.fail(node, PlanError.BAD_CHOICE_HINT, key=key, value=raw[:40], suggestion=suggestion)
        else:
            self.fail(node, PlanError.BAD_CHOICE, key=key, value=raw[:40], choices=", ".join(choices))
        return None


def suggest(word: str, known: Sequence[str]) -> str | None:
    """The known word a typo most likely meant: at most a third of its letters off (two at least)."""
    if not word or not known:
        return None
    limit = max(2, len(word) // 3)
    found = process.extractOne(word, known, scorer=Levenshtein.distance, score_cutoff=limit)
    return str(found[0]) if found else None


def _has_alias(root: yaml.Node) -> bool:
    """Whether a node is reached twice: what an alias (``*name``) makes of the composed tree."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            return True
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                stack.extend((key, value))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
    return False

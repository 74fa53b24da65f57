"""Collecting validation problems with positions, and typed reads of located YAML values.

The policy validator must report *every* mistake in one run, each with file, line, column,
the dotted key path and a way out. So readers here never raise: a wrong value is recorded
as a :class:`Problem` and the reader returns the default, letting validation continue.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

from .errors import UserError
from .model import Warning_
from .yaml_source import Entry, Node, SourceIssue

T = TypeVar("T")

Located = Node | Entry | SourceIssue | None
"""Anything with a ``line``/``column`` (None: the position of the enclosing value)."""


@dataclass(frozen=True)
class Problem:
    """One mistake in a policy file, as the person editing it needs to see it."""

    file: str
    line: int
    column: int
    key: str
    """Dotted key path, e.g. ``services.clarity.project_id`` ("" for the whole file)."""
    message: str
    """What is wrong and what was expected."""
    hint: str = ""
    """How to fix it: a "did you mean", an example, the allowed values."""

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}" if self.line else self.file
        text = f"{where}: {self.key}: {self.message}" if self.key else f"{where}: {self.message}"
        return f"{text}; {self.hint}" if self.hint else text


class PolicyError(UserError):
    """A policy file with one or more problems; ``str()`` lists each on its own line."""

    def __init__(self, problems: Sequence[Problem]):
        self.problems: list[Problem] = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


def did_you_mean(word: str, candidates: Iterable[str]) -> str | None:
    """The closest candidate to a misspelt ``word`` (case-insensitive), or None."""
    import difflib  # only for a mistake: a valid policy never asks (1 ms of every build)

    options = {c.lower(): c for c in candidates}
    match = difflib.get_close_matches(word.lower(), list(options), n=1, cutoff=0.6)
    return options[match[0]] if match else None


def suggestion(word: str, candidates: Sequence[str], *, what: str = "one of") -> str:
    """A hint for an unknown name: "did you mean 'x'?" or the list of allowed names."""
    close = did_you_mean(word, candidates)
    if close is not None:
        return f"did you mean {close!r}?"
    return f"expected {what}: {', '.join(candidates)}" if candidates else ""


def describe(node: Node) -> str:
    """What a YAML value is, in words a site maintainer knows."""
    if node.kind == "mapping":
        return "a mapping"
    if node.kind == "sequence":
        return "a list"
    value = node.value
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"{str(value).lower()} (a true/false value)"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, date):
        return f"the date {value}"
    return f"the text {value!r}"


def child(path: str, key: str | int) -> str:
    """The dotted path of ``key`` under ``path`` (``[i]`` for list items)."""
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


class Reporter:
    """Records problems and warnings for one file, and reads typed values from nodes."""

    def __init__(self, file: str):
        self.file = file
        self.problems: list[Problem] = []
        self.warnings: list[Warning_] = []

    # -- recording -------------------------------------------------------------------------

    def error(self, at: Located, path: str, message: str, hint: str = "") -> None:
        line, column = _where(at)
        self.problems.append(Problem(self.file, line, column, path, message, hint))

    def warn(self, at: Located, path: str, message: str, hint: str = "") -> None:
        line, column = _where(at)
        text = f"{message}; {hint}" if hint else message
        self.warnings.append(Warning_(text, self.file, line, column, path or None))

    # -- structure -------------------------------------------------------------------------

    def mapping(self, node: Node | None, path: str, allowed: Sequence[str] | None, *,
                null_ok: bool = True) -> dict[str, Entry]:
        """The entries of a mapping, after reporting unknown keys (with a did-you-mean).

        Unknown entries are dropped so later checks only see keys they understand.
        ``allowed=None`` accepts any key (mappings keyed by user-chosen names).
        """
        if node is None or node.broken or (node.is_null and null_ok):
            return {}
        if node.kind != "mapping":
            self.error(node, path, f"expected a mapping (indented 'key: value' lines), got "
                       f"{describe(node)}")
            return {}
        known: dict[str, Entry] = {}
        for key, entry in node.value.items():
            if allowed is None or key in allowed:
                known[key] = entry
            else:
                self.error(entry, child(path, key), f"unknown key {key!r}",
                           suggestion(key, allowed, what="one of the keys"))
        return known

    def sequence(self, node: Node | None, path: str) -> list[Node]:
        """The items of a list (``[]`` when absent or null)."""
        if node is None or node.broken or node.is_null:
            return []
        if node.kind != "sequence":
            self.error(node, path, f"expected a list, got {describe(node)}",
                       "write it as [a, b] or as lines starting with '- '")
            return []
        return list(node.value)

    # -- scalars ---------------------------------------------------------------------------

    def string(self, node: Node | None, path: str, default: T, *, null_ok: bool = False,
               example: str = "") -> str | T:
        """A text value; numbers and true/false are refused (YAML would change them)."""
        if node is None or node.broken or (node.is_null and null_ok):
            return default
        if node.kind == "scalar" and isinstance(node.value, str):
            bad = control_character(node.value)
            if bad is not None:
                self.error(node, path, f"contains the control character {bad!r}",
                           "remove it (in YAML, an escape like \\x00 or \\x1b in double "
                           "quotes writes one); it would corrupt the cookie, the CSP or a "
                           "header file")
                return default
            return node.value
        hint = f"e.g. {example}" if example else ""
        if node.kind == "scalar" and node.value is not None:
            hint = "put it in quotes so YAML keeps it as text" + (f", e.g. {example}"
                                                                 if example else "")
        self.error(node, path, f"expected text, got {describe(node)}", hint)
        return default

    def boolean(self, node: Node | None, path: str, default: bool) -> bool:
        if node is None or node.broken:
            return default
        if node.kind == "scalar" and isinstance(node.value, bool):
            return node.value
        self.error(node, path, f"expected true or false, got {describe(node)}")
        return default

    def integer(self, node: Node | None, path: str, default: int, *, minimum: int = 1,
                maximum: int | None = None, why_max: str = "") -> int:
        """A whole number in ``[minimum, maximum]`` (true/false is not a number here)."""
        if node is None or node.broken:
            return default
        value = node.value if node.kind == "scalar" else None
        if not isinstance(value, int) or isinstance(value, bool):
            self.error(node, path, f"expected a whole number, got {describe(node)}")
            return default
        if value < minimum:
            self.error(node, path, f"must be at least {minimum}, got {value}")
            return default
        if maximum is not None and value > maximum:
            self.error(node, path, f"must be at most {maximum}, got {value}", why_max)
            return default
        return value

    def choice(self, node: Node | None, path: str, choices: Sequence[str], default: str) -> str:
        """One of ``choices``; a near miss gets a did-you-mean."""
        value = self.string(node, path, None)
        if value is None:
            return default
        if value in choices:
            return value
        self.error(node, path, f"unknown value {value!r}", suggestion(value, choices))
        return default

    def string_list(self, node: Node | None, path: str) -> list[tuple[str, Node, str]]:
        """The texts of a list, each with its node and path (for per-item messages)."""
        out = []
        for i, item in enumerate(self.sequence(node, path)):
            value = self.string(item, child(path, i), None)
            if value is not None:
                out.append((value, item, child(path, i)))
        return out


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def control_character(text: str) -> str | None:
    """The first C0/C1 control character in ``text`` (NUL included; tab and newline, which
    multi-line texts use and every output escapes, are allowed), or None."""
    m = _CONTROL.search(text)
    return m.group() if m else None


def _where(at: Located) -> tuple[int, int]:
    if at is None:
        return 1, 1
    return at.line, at.column


def value_of(entry: Entry | None) -> Node | None:
    """The value node of an optional entry."""
    return entry.node if entry is not None else None

"""Read YAML into plain values that remember where they came from.

``yaml.safe_load`` throws positions away and silently keeps the last of two equal keys, so a
validator built on it can neither say *where* a mistake is nor see a duplicated key. This
module composes the node graph instead (``yaml.compose``, which keeps marks) and converts it
into :class:`Node` values carrying 1-based line and column numbers, collecting duplicate keys
and constructs we do not accept (merge keys, custom tags) as :class:`SourceIssue` s rather
than failing on the first one, so the caller can report every problem at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import yaml
from yaml.constructor import ConstructorError, SafeConstructor

Kind = Literal["mapping", "sequence", "scalar"]

_MAP_TAG = "tag:yaml.org,2002:map"
_SEQ_TAG = "tag:yaml.org,2002:seq"
_MERGE_TAG = "tag:yaml.org,2002:merge"


@dataclass
class Node:
    """One YAML value and its position (1-based line and column of its first character).

    ``value`` is ``dict[str, Entry]`` for a mapping, ``list[Node]`` for a sequence and the
    constructed Python value (str, int, float, bool, None, date...) for a scalar.
    """

    kind: Kind
    value: Any
    line: int
    column: int
    tag: str = ""
    broken: bool = False
    """Already reported as unreadable (a refused tag): readers skip it silently."""

    @property
    def is_null(self) -> bool:
        return self.kind == "scalar" and self.value is None

    def plain(self) -> Any:
        """The value without positions (for tests and for code that needs no marks)."""
        if self.kind == "mapping":
            return {k: e.node.plain() for k, e in self.value.items()}
        if self.kind == "sequence":
            return [n.plain() for n in self.value]
        return self.value


@dataclass
class Entry:
    """A mapping entry: the key (as text) with its own position, and the value node."""

    key: str
    line: int
    column: int
    node: Node


@dataclass(frozen=True)
class SourceIssue:
    """Something in the YAML itself that is wrong, found while reading it."""

    line: int
    column: int
    message: str
    hint: str = ""
    path: tuple[str, ...] = ()
    """Keys leading to the issue, so messages can name ``services.clarity``."""


@dataclass
class Document:
    """The result of reading a YAML text: the root node (None for an empty file) and issues."""

    root: Node | None
    issues: list[SourceIssue] = field(default_factory=list)


class _ScalarBuilder(SafeConstructor):
    """SafeConstructor used only for scalars: the same typing rules as ``yaml.safe_load``."""


def read_yaml(text: str) -> Document:
    """Parse ``text`` into a located :class:`Document`.

    A syntax error yields a document without root and one issue at the error's position;
    the caller reports it like any other problem (never a traceback).
    """
    try:
        composed = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        return Document(None, [_syntax_issue(exc)])
    except yaml.YAMLError as exc:  # errors without a mark (rare: reader problems)
        return Document(None, [SourceIssue(1, 1, f"not valid YAML: {exc}")])
    if composed is None:
        return Document(None)
    issues: list[SourceIssue] = []
    return Document(_convert(composed, issues, (), _ScalarBuilder()), issues)


def _syntax_issue(exc: yaml.MarkedYAMLError) -> SourceIssue:
    mark = exc.problem_mark or exc.context_mark
    line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    what = exc.problem or "invalid syntax"
    if exc.context:
        what = f"{what} ({exc.context}"
        if exc.context_mark is not None and exc.context_mark is not mark:
            what += f" started at line {exc.context_mark.line + 1}"
        what += ")"
    hint = ""
    problem = exc.problem or ""
    if "\t" in problem or "'\\t'" in problem or "tab" in problem:
        hint = "indent with spaces, not tabs"
    elif "mapping values are not allowed" in problem:
        hint = "check the indentation of this line and quote values that contain ': '"
    return SourceIssue(line, column, f"broken YAML: {what}", hint)


def _position(node: yaml.Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def _convert(node: yaml.Node, issues: list[SourceIssue], path: tuple[str, ...],
             scalars: _ScalarBuilder) -> Node:
    line, column = _position(node)
    if isinstance(node, (yaml.MappingNode, yaml.SequenceNode)) and \
            node.tag not in (_MAP_TAG, _SEQ_TAG):
        issues.append(SourceIssue(line, column, f"unsupported YAML tag {node.tag!r}",
                                  "remove the tag and write a plain value", path))
        return Node("scalar", None, line, column, node.tag, broken=True)
    if isinstance(node, yaml.MappingNode):
        return Node("mapping", _convert_mapping(node, issues, path, scalars), line, column,
                    node.tag)
    if isinstance(node, yaml.SequenceNode):
        items = [_convert(item, issues, (*path, str(i)), scalars)
                 for i, item in enumerate(node.value)]
        return Node("sequence", items, line, column, node.tag)
    try:
        value = scalars.construct_object(node, deep=True)
    except ConstructorError:
        issues.append(SourceIssue(line, column, f"unsupported YAML tag {node.tag!r}",
                                  "remove the tag and write a plain value", path))
        return Node("scalar", None, line, column, node.tag, broken=True)
    return Node("scalar", value, line, column, node.tag)


def _convert_mapping(node: yaml.MappingNode, issues: list[SourceIssue],
                     path: tuple[str, ...], scalars: _ScalarBuilder) -> dict[str, Entry]:
    entries: dict[str, Entry] = {}
    for key_node, value_node in node.value:
        line, column = _position(key_node)
        if key_node.tag == _MERGE_TAG:
            issues.append(SourceIssue(line, column, "YAML merge keys ('<<') are not supported",
                                      "write the keys out in full", path))
            continue
        if not isinstance(key_node, yaml.ScalarNode):
            issues.append(SourceIssue(line, column, "a key must be a plain name, not a list or "
                                      "a mapping", "", path))
            continue
        key = key_node.value
        if key in entries:
            first = entries[key]
            issues.append(SourceIssue(
                line, column, f"duplicate key {key!r} (first at line {first.line})",
                "YAML keeps only one of them; merge the two entries into one", (*path, key)))
            continue
        entries[key] = Entry(key, line, column,
                             _convert(value_node, issues, (*path, key), scalars))
    return entries

"""What every host format shares: the :class:`Host` record, the error, and merging into a file
the site already has.

Why merge at all: a site often has its own ``_headers``, ``vercel.json`` or ``.htaccess``
(redirects, caching). Everything outside our part is kept byte for byte (text) or key for key,
in order (JSON); running twice gives the same bytes. Text formats mark our part with
``# BEGIN/END mkdocs-clarity`` comment lines; JSON has no comments, so each JSON host finds its
part by shape (see its module).

A CSP set by hand elsewhere in the same file is an error: two policies would both be enforced
and the hand-written one would block our hashes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from consent_generator.errors import UserError

BEGIN = "# BEGIN mkdocs-clarity: generated, replaced on every build; edit consent.yml instead"
END = "# END mkdocs-clarity"
_BEGIN_RE = re.compile(r"^[ \t]*# BEGIN mkdocs-clarity\b.*$", re.M)
_END_RE = re.compile(r"^[ \t]*# END mkdocs-clarity\b.*$", re.M)

Headers = list[tuple[str, str]]
"""Header (name, value) pairs in the order they are written."""
Render = Callable[[str, Headers, Path], str]
Read = Callable[[str], dict[str, str]]
Check = Callable[[str, Path], None]


class HeaderExportError(UserError):
    """A header file cannot be written safely (invalid existing file, host limit, conflict)."""


@dataclass(frozen=True)
class Host:
    """One host format: everything the engine knows about it lives in its module.

    The registry (:mod:`.registry`) finds every module of this package that defines ``HOST``;
    adding a host is one module (and its test).
    """

    delivery: str
    """The ``csp.delivery`` name in consent.yml."""
    file: str
    """Where the host reads it, relative to the site root (hosts may share a file)."""
    docs: str
    """The host's own documentation of this file (linked from the audit)."""
    render: Render
    """``existing`` text -> text with our headers merged in; raises HeaderExportError."""
    read: Read
    """The site-wide headers the file makes the host send (lower-cased names); never raises
    (an unreadable file yields ``{}``: the export reports it)."""
    check: Check | None = None
    """The host's documented limits on the whole rendered file; raises HeaderExportError.
    Applied whenever the file is written, since one file may be deployed to any host using it."""
    hsts: str = ""
    """What the host does about Strict-Transport-Security by itself (for the docs and audit)."""


@dataclass(frozen=True)
class HeaderFile:
    """One written (or, in a dry run, planned) header file."""

    path: Path
    deliveries: tuple[str, ...]
    changed: bool
    """False when the file already held exactly these bytes."""
    content: bytes


# --------------------------------------------------------------------------- text formats


def replace_block(existing: str, lines: list[str], path: Path) -> str:
    """``existing`` with our marked block (``lines`` between the markers) replaced or
    appended; everything else untouched."""
    block = "\n".join([BEGIN, *lines, END]) + "\n"
    begins = list(_BEGIN_RE.finditer(existing))
    ends = list(_END_RE.finditer(existing))
    if not begins and not ends:
        if not existing:
            return block
        sep = "" if existing.endswith("\n") else "\n"
        return existing + sep + ("\n" if existing.strip() else "") + block
    if len(begins) != 1 or len(ends) != 1 or ends[0].start() < begins[0].end():
        raise HeaderExportError(
            f"{path}: the '# BEGIN mkdocs-clarity' / '# END mkdocs-clarity' markers are "
            "unbalanced; delete both markers and the lines between them, then build again")
    end = ends[0].end()
    if existing[end:end + 1] == "\n":
        end += 1
    return existing[:begins[0].start()] + block + existing[end:]


def outside_block(text: str) -> str:
    """``text`` without our marked block (what the site owner wrote)."""
    b, e = _BEGIN_RE.search(text), _END_RE.search(text)
    if b and e and e.start() > b.end():
        return text[:b.start()] + text[e.end():]
    return text


def check_foreign(existing: str, path: Path, pattern: str,
                  refused: Mapping[str, tuple[str, str]]) -> None:
    """Refuse a header we send that the owner also set outside our block.

    ``pattern``: the host's syntax for setting a header, with ``{name}`` where the header
    name goes; ``refused``: header-name regex -> (what it is, why two break the site and the
    fix), from :func:`.headerset.conflicts`.
    """
    for n, line in enumerate(outside_block(existing).splitlines(), 1):
        for name, (what, why) in refused.items():
            if re.search(pattern.format(name=name), line, re.I):
                raise HeaderExportError(
                    f"{path}: {what} is already set outside the mkdocs-clarity block "
                    f"(near line {n}: {line.strip()[:80]!r}); {why}")


def quote_double(value: str) -> str:
    """A double-quoted config string as nginx and Apache read it: ``\\`` and ``"`` escaped."""
    return value.replace("\\", "\\\\").replace('"', '\\"')


def unquote_double(value: str) -> str:
    """The inverse of :func:`quote_double`."""
    return re.sub(r"\\(.)", r"\1", value)


# --------------------------------------------------------------------------- JSON formats


def load_json(existing: str, path: Path) -> dict[str, Any]:
    """The existing JSON object (``{}`` for an empty file); a clear error for anything else."""
    if not existing.strip():
        return {}
    try:
        data = json.loads(existing)
    except json.JSONDecodeError as exc:
        raise HeaderExportError(
            f"{path}:{exc.lineno}:{exc.colno}: not valid JSON ({exc.msg}); fix the file so "
            "mkdocs-clarity can merge its headers into it") from None
    if not isinstance(data, dict):
        raise HeaderExportError(f"{path}: expected a JSON object at the top level")
    return data


def dump_json(data: Mapping[str, Any]) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def read_json(text: str) -> dict[str, Any]:
    """The JSON object in ``text``, or ``{}`` when it is not one (read-back never raises)."""
    try:
        data = json.loads(text)
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}

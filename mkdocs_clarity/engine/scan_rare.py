"""The scan's records of what few built pages hold: ``style=""`` attributes, CSP ``<meta>``
elements and inline event handlers (fields of :class:`~mkdocs_clarity.engine.scan.PageScan`).

Their own module, imported by the scan on the first such tag, because a page MkDocs builds
with Material has none of them: each frozen slotted dataclass is ~0.5 ms of ``@dataclass``
work that every build's import paid for nothing (issue 15).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class StyleAttr:
    hash: str
    """Hash of the decoded attribute value (what ``'unsafe-hashes'`` matches)."""
    value: str
    tag: str
    line: int
    injected: bool


@dataclass(frozen=True, slots=True)
class CspMeta:
    content: str
    ours: bool
    """Written by a previous run (``data-consent-csp``)."""
    original: str | None
    """For ours: the page's own policy it replaced (``data-consent-original``)."""
    line: int
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class EventHandler:
    tag: str
    attr: str
    line: int

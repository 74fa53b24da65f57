"""Which files of a built site are pages: one definition for the rewrite and the audit.

Why its own module: ``apply`` rewrote ``.htm`` files while the audit only looked at ``.html``,
so a tracker in ``legacy.htm`` was gated but never audited (or, had it slipped through, never
reported). Both now ask this module.
"""

from __future__ import annotations

import os
from pathlib import Path

PAGE_SUFFIXES = (".html", ".htm")
"""File name endings served as ``text/html`` by every static host we support."""


def is_page_name(name: str) -> bool:
    """Whether a file called ``name`` is a page (case-insensitive, as hosts map types)."""
    return name.lower().endswith(PAGE_SUFFIXES)


def page_files(site_dir: Path | str) -> list[str]:
    """Every page under ``site_dir``: relative, ``/`` separators, sorted (stable reports)."""
    out = []
    for root, dirs, files in os.walk(site_dir):
        dirs.sort()
        for name in sorted(files):
            if is_page_name(name):
                rel = os.path.relpath(os.path.join(root, name), site_dir)
                out.append(rel.replace(os.sep, "/"))
    return out

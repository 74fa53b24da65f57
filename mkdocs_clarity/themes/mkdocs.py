"""MkDocs' built-in ``mkdocs`` theme. Its run-time loads are all named in the page:
highlight.js and its styles come from cdnjs by ``<script src>``/``<link>`` (allowed by exact
URL like any page resource; ``hljs.highlightAll()`` by hash) and search runs in a
same-origin worker (``search/worker.js``). So the profile adds no source; it exists to
recognise the theme (analytics, footer placement of the consent link, colour mode)."""

from __future__ import annotations

import re

NAME = "mkdocs"

HIGHLIGHT_JS = re.compile(r"https://cdnjs\.cloudflare\.com/ajax/libs/highlight\.js/[0-9.]+/")
"""highlight.js as the mkdocs and readthedocs themes load it (``theme.highlightjs``, on by
default): the script, its ``hljs_languages`` and its styles, one version directory."""
CLAIMS = ((HIGHLIGHT_JS, "mkdocs theme highlight.js (theme.highlightjs)"),)


def recognise(text: str, generator: str) -> bool:
    return 'href="' in text and ("css/base.css" in text or "css/bootstrap.min.css" in text) \
        and (generator.startswith("mkdocs-") or "js/base.js" in text)


def page_facts(text: str) -> set[str]:
    return set()

"""MkDocs' built-in ``readthedocs`` theme: like the ``mkdocs`` theme, everything it loads is
named in the page (highlight.js from cdnjs, ``js/theme.js``, a same-origin search worker),
so no source is added; the profile recognises the theme."""

from __future__ import annotations

from mkdocs_clarity.themes.mkdocs import HIGHLIGHT_JS

NAME = "readthedocs"
CLAIMS = ((HIGHLIGHT_JS, "readthedocs theme highlight.js (theme.highlightjs)"),)


def recognise(text: str, generator: str) -> bool:
    return "css/theme.css" in text and "js/theme.js" in text


def page_facts(text: str) -> set[str]:
    return set()

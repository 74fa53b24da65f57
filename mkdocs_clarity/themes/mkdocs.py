"""MkDocs' built-in ``mkdocs`` theme. Its run-time loads are all named in the page:
highlight.js and its styles come from cdnjs by ``<script src>``/``<link>`` (allowed by exact
URL like any page resource; ``hljs.highlightAll()`` by hash) and search runs in a
same-origin worker (``search/worker.js``). So the profile adds no source; it exists to
recognise the theme (analytics, footer placement of the consent link, colour mode)."""

from __future__ import annotations

NAME = "mkdocs"


def recognise(text: str, generator: str) -> bool:
    return 'href="' in text and ("css/base.css" in text or "css/bootstrap.min.css" in text) \
        and (generator.startswith("mkdocs-") or "js/base.js" in text)


def page_facts(text: str) -> set[str]:
    return set()

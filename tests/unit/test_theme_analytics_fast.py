"""``analytics._material_ids`` (literal ``str.find`` + ``match``) finds exactly what the old
``_MATERIAL.finditer`` found, on tag soup built around the ``__analytics`` script."""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import example, given, settings
from hypothesis import strategies as st

from mkdocs_clarity.themes import analytics

OLD = re.compile(r'<script id="__analytics">[^<]*?\("config","((?:G|UA)-[A-Z0-9-]+)"')
"""The regex as it was, searched with ``finditer`` over the whole page."""

PIECES = ['<script id="__analytics">', '<script id="__analytics"', '<script id="__analytics">',
          '("config","G-ABC123")', '("config","UA-1-2")', '("config","G-B"', '("config","G-C"',
          '("config","g-abc")', '("config",',
          '"G-', "<", ">", "<script>", "</script>", "x", " ", "\n", "G-X", "UA-", "__analytics",
          '<SCRIPT id="__analytics">', "function(){}", "é", '"', "(", ")"]


def _old(text: str) -> set[str]:
    return {m.group(1) for m in OLD.finditer(text)}


@settings(max_examples=800, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=30))
# the next tag right at a match's end:
@example(['<script id="__analytics">', '("config","G-B"',
          '<script id="__analytics">', '("config","G-C"'])
def test_same_as_finditer_on_tag_soup(parts: list[str]) -> None:
    text = "".join(parts)
    assert analytics._material_ids(text) == _old(text)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet='<script id="__analytics">("config","GUA-0123456789ABCZ")\n', max_size=200))
def test_same_as_finditer_on_its_own_letters(text: str) -> None:
    assert analytics._material_ids(text) == _old(text)


def test_same_as_finditer_on_every_fixture_and_material_pages() -> None:
    root = Path(__file__).resolve().parents[1]
    pages = [p.read_text("utf-8", "replace") for p in sorted(root.rglob("*.html"))]
    snippet = ('<script id="__analytics">function __md_analytics(){window.dataLayer=[];'
               'gtag("js",new Date),gtag("config","G-ABCDE12345"),document.addEventListener('
               '"DOMContentLoaded",function(){})}</script>')
    pages += [p + snippet + p for p in pages[:20]] + [snippet * 3]
    assert any(_old(p) for p in pages)
    for page in pages:
        assert analytics._material_ids(page) == _old(page)
    assert analytics.from_page(snippet, "material") == {"G-ABCDE12345"}

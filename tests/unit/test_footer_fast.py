"""``footer._md_copyright_end`` (literal ``str.find``, then the regex matched from the
``<div`` before it) ends where ``_MD_COPYRIGHT.search`` ended, on any text (fifth
performance round)."""

from __future__ import annotations

from pathlib import Path

from hypothesis import example, given, settings
from hypothesis import strategies as st

from mkdocs_clarity.themes import footer

ROOT = Path(__file__).resolve().parents[2]
PIECES = ['<div class="md-copyright">', '<div  class="md-copyright" >', "<div\n\t",
          '<div\u2003class="md-copyright">', '<div\x1cclass="md-copyright">',
          'class="md-copyright"', 'class="md-copyright" ', '<div class="md-copyright"',
          "<div", "<DIV ", "<divclass", "<", ">", " ", "\n", "\x0b", "\u00a0", "x", "v",
          'class="md-copyright__highlight">', '<div class="md-copyright', '"', "=",
          "<footer>", "</footer>"]


def _old(html: str) -> int:
    m = footer._MD_COPYRIGHT.search(html)
    return m.end() if m else -1


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=25))
@example(['<div class="md-copyright"', "<div ", 'class="md-copyright">'])
@example(["<div", " ", "<div", " ", 'class="md-copyright">'])
@example(["<div", "\u00a0", 'class="md-copyright"', "\u00a0", ">"])
def test_same_as_the_regex_search_on_tag_soup(parts: list[str]) -> None:
    text = "".join(parts)
    assert footer._md_copyright_end(text) == _old(text)


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet='<div class="md-copyright">\n\t\u2003', max_size=120))
def test_same_as_the_regex_search_on_its_own_letters(text: str) -> None:
    assert footer._md_copyright_end(text) == _old(text)


def test_same_on_every_fixture_page() -> None:
    pages = [p.read_text("utf-8", "replace") for p in sorted((ROOT / "tests").rglob("*.html"))]
    assert sum(_old(p) >= 0 for p in pages) >= 1  # Material pages among them
    for page in pages:
        assert footer._md_copyright_end(page) == _old(page)

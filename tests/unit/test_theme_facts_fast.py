"""The math profile's quick "does the page mention MathJax/KaTeX" check (fourth performance
round) answers exactly as ``word in text.lower()`` did, on any text."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from mkdocs_clarity.themes import math
from tests.harness.corpus import GROUPS, variants

ROOT = Path(__file__).resolve().parents[2]
WORDS = (("mathjax", 4), ("katex", 4))
PIECES = ["mathjax", "MathJax", "MATHJAX", "katex", "KaTeX", "\u212aatex", "kat\u0130ex",
          "math jax", "athjax", "mathja", "atex", "kate", "j", "J", "x", "X", "k", "\u0130",
          "<script src=\"https://cdn.jsdelivr.net/npm/katex@0.16/dist/katex.min.js\">", " "]


def old_page_facts(text: str) -> set[str]:
    low = text.lower()
    if "mathjax" not in low and "katex" not in low:
        return set()
    return {"script:" + m.group(1) for m in math._url().finditer(text)}


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=30), st.integers(0, 300))
def test_mentions_is_word_in_lowered_text(parts: list[str], xs: int) -> None:
    text = "".join(parts) + "x" * xs  # past _MAX_ANCHORS occurrences too
    for word, anchor in WORDS:
        assert math._mentions(text, word, anchor) == (word in text.lower())
        assert math._mentions(text[::-1], word, anchor) == (word in text[::-1].lower())


def test_page_facts_as_before_on_the_fixture_pages() -> None:
    pages = [p.read_text("utf-8", "replace") for p in (ROOT / "tests/fixtures").rglob("*.html")]
    pages += [v.page for g in GROUPS for v in variants(g)]
    for text in pages:
        assert math.page_facts(text) == old_page_facts(text)
    katex = '<script src="https://unpkg.com/KaTeX@0.16.9/dist/katex.min.js"></script>'
    assert math.page_facts(katex) == old_page_facts(katex) != set()
    assert len(pages) > 200

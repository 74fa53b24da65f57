"""Balanced masking answers most e-mail/number hits from a short walk that starts a few
start tags before each hit (``masking._enclosing_near``) instead of walking every tag from
the body's start: it must give exactly what the walk from the body's start gives, for any
markup (broken nesting, stray ``<``, ``>`` in values, comments, raw text), any offsets and
any body start (fifth performance round)."""

from __future__ import annotations

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from mkdocs_clarity.engine import masking
from mkdocs_clarity.engine.masking import _enclosing_all, _enclosing_hits
from mkdocs_clarity.engine.scan import scan_page

from .test_masking_wraps import DEEP

PIECES = [*DEEP, "<p class=account>", "Contact: a@b.example", " 0123 4567 8901 ", "</td>",
          "<td>", "<ul>", "</ul>", "<a title=\"x<b>\">", "<b title='>'>", "a < b", "<", "</",
          "<3", "<img alt=\"<p>\">", "</P>", "<P>", "</nav>", "<nav>", "<!-- <p> -->", "x>y",
          "<script>'<p>'</script>", "<template><p>", "</template>", "<textarea><b></textarea>",
          "<span/>", "<input value=\"a@b.example\">"]


def _both(html: str, offsets: list[int], start: int):
    opaque = scan_page(html, "x.html").opaque
    near = _enclosing_hits(html, offsets, start, opaque)
    walk = _enclosing_all(html, offsets, start, opaque)
    return [t and t.start for t in near], [t and t.start for t in walk]


@settings(max_examples=600, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=40), st.data())
@example(["<p>", "<b>", "x", "</b>", " a@b.example"], None)
@example(["<div>", "<p>", "</div>", " a@b.example"], None)
@example(["<a title=\"x<b>\">", " a@b.example"], None)
def test_the_near_walk_finds_what_the_walk_from_the_body_finds(pieces, data):
    html = "".join(pieces)
    if data is None:  # the examples: every offset from the start
        offsets, start = list(range(len(html) + 1)), 0
    else:
        start = data.draw(st.integers(0, len(html)))
        offsets = sorted(data.draw(st.sets(st.integers(start, len(html)), max_size=12)))
    near, walk = _both(html, offsets, start)
    assert near == walk


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=30))
def test_every_offset(pieces):
    html = "".join(pieces)
    near, walk = _both(html, list(range(len(html) + 1)), 0)
    assert near == walk


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=30), st.integers(1, 48), st.integers(0, 40),
       st.integers(1, 8))
def test_every_offset_with_small_bounds(pieces, span, budget, tries):
    """The bounds (characters looked at, matches stepped, start tags tried) only make more
    offsets undecided, never another answer."""
    html = "".join(pieces)
    old = masking._NEAR_SPAN, masking._NEAR_BUDGET, masking._NEAR_TRIES
    masking._NEAR_SPAN, masking._NEAR_BUDGET, masking._NEAR_TRIES = span, budget, tries
    try:
        near, walk = _both(html, list(range(len(html) + 1)), 0)
    finally:
        masking._NEAR_SPAN, masking._NEAR_BUDGET, masking._NEAR_TRIES = old
    assert near == walk


@pytest.fixture(autouse=True)
def _every_offset_tried(monkeypatch):
    """The tests give many offsets a page: let the short walks try each of them."""
    monkeypatch.setattr(masking, "_NEAR_HITS", 1 << 20)


def test_many_offsets_take_the_walk_from_the_body(monkeypatch):
    monkeypatch.setattr(masking, "_NEAR_HITS", 2)
    html = "<body><p>a 0123 4567 8901</p><p>b 0123 4567 8901</p><p>c 0123 4567 8901</p>"
    offsets = [html.index(c + " 0") + 2 for c in "abc"]
    calls: list[list[int]] = []
    real = masking._enclosing_all

    def counted(html, offsets, *args, **kwargs):
        calls.append(list(offsets))
        return real(html, offsets, *args, **kwargs)

    monkeypatch.setattr(masking, "_enclosing_all", counted)
    near = _enclosing_hits(html, offsets, 6, ())
    assert calls[0] == offsets  # all of them, at once (then the wraps walked flat)
    assert [t and t.start for t in near] == [html.index("<p>" + c) for c in "abc"]


def test_an_address_in_a_navigation_page_needs_no_walk_from_the_body(monkeypatch):
    nav = "<nav><ul>" + '<li><a href="p/"><span>Page</span></a></li>' * 200 + "</ul></nav>"
    html = f"<body>{nav}<main><div class=\"account\">Contact: someone@example.org</div></main>"
    start = html.index(">") + 1
    at = html.index("someone")
    calls: list[int] = []
    real = masking._enclosing_all

    def counted(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(masking, "_enclosing_all", counted)
    got = _enclosing_hits(html, [at], start, ())
    assert calls == [] and got[0] is not None and got[0].start == html.index("<div")
    # an offset the short walk cannot decide (nothing open since the tags it tried) still
    # gets the walk from the body's start
    after = html.index("</main>") + len("</main>")
    got = _enclosing_hits(html + " 0123 4567 8901", [after + 1], start, ())
    assert calls == [1] and got[0] is None

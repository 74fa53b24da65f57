"""The shortcuts of issue 15's fourth round find exactly what the long way finds: an
attribute looked up only when the tag's text holds its name, type selectors taken from the
scan's tag index without a look into comments and raw text, a possessive e-mail regex, and
digit runs too short to count rejected before counting."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from consent_generator.model import MaskingConfig
from mkdocs_clarity.engine.masking import _has, compile_masking, find_masks
from mkdocs_clarity.engine.masking_rules import EMAIL_LOCAL, MIN_DIGITS, is_long_number
from mkdocs_clarity.engine.scan import scan_page, tag_at

NAMES = ["data-clarity-mask", "DATA-Clarity-MASK", "data-clarity-unmask", "data-clarity-mas\u212a",
         "class", "x"]
ATTR = st.builds(lambda n, v: f" {n}{v}", st.sampled_from(NAMES),
                 st.sampled_from(["", "=1", '="data-clarity-mask"', "='a b'", "=data-clarity-mask"]))


@settings(max_examples=300, deadline=None)
@given(st.lists(ATTR, max_size=4), st.sampled_from(["data-clarity-mask", "data-clarity-unmask"]))
def test_has_is_tag_has(attrs, name):
    tag = tag_at("<p" + "".join(attrs) + ">", 0)
    assert tag is not None
    assert _has(tag, name) == tag.has(name)


PIECES = ["<table>", "</table>", "<form>", "</form>", "<input>", "<INPUT type=x>", "<!-- <form> -->",
          "<script>var a = '<input>';</script>", "<textarea><input></textarea>", "<p>",
          "</p>", "a@b.example ", "0123 4567 8901 ", "<div class=account>", "</div>",
          "<style>form{}</style>", "<select>", "<!--", "-->", "text "]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=25))
def test_the_tag_index_finds_what_the_literal_search_finds(pieces):
    html = "<html><body>" + "".join(pieces) + "</body></html>"
    compiled = compile_masking(MaskingConfig(mode="balanced", mask=("table", ".account")))
    scan = scan_page(html, "x.html", index=compiled.type_names)
    body = tag_at(html, scan.body_tag[0]) if scan.body_tag else None
    common = dict(opaque=scan.opaque, body_tag=body, body_end=scan.body_close)
    indexed = find_masks(html, compiled, tag_index=scan.tag_index, **common)
    searched = find_masks(html, compiled, **common)
    assert indexed.insertions == searched.insertions


EMAIL_LOCAL_BEFORE = re.compile(r"[A-Za-z0-9._%+-]+\Z")


@settings(max_examples=300, deadline=None)
@given(st.text(st.sampled_from("ab1.%+- <>@"), max_size=70), st.integers(0, 70))
def test_possessive_local_part_finds_the_same_start(text, cut):
    cut = min(cut, len(text))
    for start in range(0, cut + 1):
        new, old = EMAIL_LOCAL.search(text, start, cut), EMAIL_LOCAL_BEFORE.search(text, start, cut)
        assert (new and new.span()) == (old and old.span())


@given(st.text(st.sampled_from("0123456789 -\u0663"), max_size=MIN_DIGITS + 4))
def test_short_runs_are_rejected_as_counting_would(run):
    counted = sum(c.isdigit() for c in run) >= MIN_DIGITS and re.search(r"\d{4}", run) is not None
    assert is_long_number(run) == counted

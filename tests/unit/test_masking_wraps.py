"""Balanced masking's element walk skips whole small elements in the regex engine (a
navigation item is one match): it must find exactly what the tag-by-tag walk finds, for any
markup, including broken nesting, self-closed tags, comments and raw text (issue 15)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from mkdocs_clarity.engine.masking import _TAGISH, _TAGISH_FLAT, _enclosing_all
from mkdocs_clarity.engine.scan import scan_page

PIECES = ["<li>", "</li>", "<LI>", "</LI>", "<a href=x>", "</a>", '<a title="a>b">',
          '<a title="a<b">', "<span>", "</span>", "</SPAN>", "<span class=k>x</span>", "text ",
          " ", ">", "<br>", "<BR>", "<input/>", "<img src=x>", "<p>", "</p>", "<div>",
          "</div>", "<div/>", "<b>", "</b>", "<x-y>", "</x-y>", "<!-- c -->", "<!--", "-->",
          "<script>x</script>", "<script>a<b</script>", "<textarea>a<b</textarea>",
          "<style>p>a{}</style>", "<td>1</td>", "<tr>", "</tr>", "<svg><path d=x/></svg>",
          "<li><a href=x><span>t</span></a></li>"]


def _walks(html: str) -> tuple[list[int | None], list[int | None]]:
    opaque = scan_page(html, "x.html").opaque
    offsets = list(range(len(html) + 1))
    fast = _enclosing_all(html, offsets, 0, opaque, _TAGISH)
    flat = _enclosing_all(html, offsets, 0, opaque, _TAGISH_FLAT)
    return [t and t.start for t in fast], [t and t.start for t in flat]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=30))
def test_wrapped_walk_finds_what_the_flat_walk_finds(pieces):
    fast, flat = _walks("".join(pieces))
    assert fast == flat


def test_navigation_items_are_single_matches():
    nav = '<ul>' + '<li class="i"><a href="p/"><span class="e">Page</span></a></li>' * 50
    matches = list(_TAGISH.finditer(nav + "</ul>"))
    assert len(matches) == 52  # <ul>, 50 items, </ul>
    fast, flat = _walks(nav + "<p>mail a@b.example</p></ul>")
    assert fast == flat

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
    assert len(matches) == 1  # ul > li > a > span: four levels, one match
    matches = list(_TAGISH.finditer("<nav>" + nav + "</ul></nav>"))
    assert len(matches) == 3  # five levels: <nav>, the list, </nav>
    deep = '<ul>' + '<li><a><span><b>Page</b></span></a></li>' * 50 + "</ul>"
    assert len(list(_TAGISH.finditer(deep))) == 52  # <ul>, 50 items, </ul>
    fast, flat = _walks(nav + "<p>mail a@b.example</p></ul>")
    assert fast == flat


def _digit_reference(html: str, start: int, end: int) -> list[int]:
    """The definition: each non-overlapping run of four digits whose next angle bracket is
    a '<' (so text, not a tag)."""
    out, i = [], start
    while i + 4 <= end:
        if html[i:i + 4].isdigit() and html[i:i + 4].isascii():
            rest = html[i + 4:end]
            lt, gt = rest.find("<"), rest.find(">")
            if lt >= 0 and (gt < 0 or lt < gt):
                out.append(i)
            i += 4
        else:
            i += 1
    return out


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="0123456789<> a", max_size=60), st.integers(1, 64))
def test_digit_candidates_match_their_definition(text, chunk):
    from mkdocs_clarity.engine import masking

    old, masking._CHUNK = masking._CHUNK, chunk  # chunk edges must not change anything
    try:
        found = list(masking._digit_candidates(text, 0, len(text)))
    finally:
        masking._CHUNK = old
    assert found == _digit_reference(text, 0, len(text))


DEEP = [*PIECES, "<table>", "</table>", "<tr><td>1</td></tr>", "<pre><code>", "</code></pre>",
        "<span class=k>def</span>", "<g>", "</g>", '<path d="M0 0"/>', "<circle r=1 />",
        "<DIV>", "<p>a@b.example 0123 4567 8901</p>", "<br/>", "<a href=/docs/>"]


def _reference(html: str, offsets: list[int], opaque) -> list[int | None]:
    """The definition, one offset at a time (as the walk was before issue 15's batching):
    walk every tag flat from the start, skipping those inside comments and raw text."""
    from mkdocs_clarity.engine.masking import _inside, _step
    from mkdocs_clarity.engine.scan import in_spans, tag_at

    out: list[int | None] = []
    for offset in offsets:
        stack: list[tuple[str, int]] = []
        found, inside = None, False
        for m in _TAGISH_FLAT.finditer(html):
            if m.end() <= offset:
                if not in_spans(opaque, m.start()):
                    _step(stack, m)
                continue
            if m.start() < offset:
                found, inside = _inside(html, m, offset, opaque), True
            break
        if not inside:
            found = tag_at(html, stack[-1][1]) if stack else None
        out.append(found and found.start)
    return out


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(DEEP), max_size=40), st.data())
def test_the_batched_deep_walk_finds_what_the_definition_finds(pieces, data):
    html = "".join(pieces)
    opaque = scan_page(html, "x.html").opaque
    offsets = sorted(data.draw(st.sets(st.integers(0, len(html)), max_size=12)))
    got = _enclosing_all(html, offsets, 0, opaque)
    assert [t and t.start for t in got] == _reference(html, offsets, opaque)

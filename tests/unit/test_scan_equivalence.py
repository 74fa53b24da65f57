"""The fast scanner sees exactly what the one before it saw (fourth performance round).

``_scan_reference.py`` is the scanner as it was before its tokenizer regex, its attribute
reading and its per-text caches were made faster. Both read the same pages and must return
the same tokens and the same :class:`PageScan`, field by field: on the adversarial corpus,
every fixture page, every HTML snippet the unit tests were written with, a built Material
page, and tag soup from hypothesis aimed at what the fast paths assume (attribute names
starting with ``s``/``o``, ``=`` starting a name, unclosed and mismatched quotes, upper case,
``>`` and ``<script>`` inside values, SVG/MathML, raw text).
"""

from __future__ import annotations

import ast
import dataclasses
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mkdocs_clarity.engine import scan as fast
from tests.harness.corpus import GROUPS, variants
from tests.unit import _scan_reference as ref

ROOT = Path(__file__).resolve().parents[2]
EXTRA = frozenset({"form", "table", "input", "textarea", "h1", "select"})
"""Masking's type selectors in the bench's policy (they join the tokenizer's names)."""
SITE = "https://docs.example.org/"


def plain(obj: Any) -> Any:
    """A scan result as nested tuples, so results of the two modules' classes compare."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return (type(obj).__name__, *(plain(getattr(obj, f.name))
                                      for f in dataclasses.fields(obj)))
    if isinstance(obj, list | tuple):
        return tuple(plain(x) for x in obj)
    if isinstance(obj, dict):
        return tuple(sorted((k, plain(v)) for k, v in obj.items()))
    return obj


def token_facts(module: Any, html: str, extra: frozenset[str]) -> list[tuple[Any, ...]]:
    out = []
    for t in module.tokens(html, extra):
        tag = t.tag and (t.tag.name, t.tag.start, t.tag.end, t.tag.attrs_start,
                         t.tag.attrs_text, plain(t.tag.attrs))
        out.append((t.kind, t.start, t.end, t.name, t.content_start, t.content_end,
                    t.foreign, t.breakout, tag))
    return out


def assert_same(html: str, path: str = "dir/page.html") -> None:
    for extra in (frozenset(), EXTRA):
        assert token_facts(fast, html, extra) == token_facts(ref, html, extra)
    for site in (None, SITE):
        for extra in (frozenset(), EXTRA):
            new = fast.scan_page(html, path, index=extra, site_url=site)
            old = ref.scan_page(html, path, index=extra, site_url=site)
            assert plain(new) == plain(old)


def _test_snippets() -> list[str]:
    """Every string literal with a tag in it that the unit tests were written with."""
    found: dict[str, None] = {}
    for path in sorted((ROOT / "tests" / "unit").rglob("test_*.py")):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) \
                    and "<" in node.value and len(node.value) < 200_000:
                found[node.value] = None
    return list(found)


SNIPPETS = _test_snippets()
FIXTURE_PAGES = sorted(p for p in (ROOT / "tests" / "fixtures").rglob("*.html"))


def test_the_corpora_are_there() -> None:
    """The comparisons below would pass vacuously on empty corpora."""
    assert len(SNIPPETS) > 300
    assert len(FIXTURE_PAGES) > 100
    assert sum(len(variants(g)) for g in GROUPS) > 100
    assert (ROOT / "tests/fixtures/scan/material-page.html").stat().st_size > 50_000


@pytest.mark.parametrize("group", GROUPS)
def test_adversarial_corpus_pages_scan_the_same(group: str) -> None:
    for v in variants(group):
        assert_same(v.page, f"{v.group}/{v.name}.html")
        assert_same(v.fragment, f"{v.name}.html")


def test_fixture_pages_scan_the_same() -> None:
    for path in FIXTURE_PAGES:
        assert_same(path.read_text("utf-8", "replace"), path.name)


def test_every_unit_test_snippet_scans_the_same() -> None:
    for text in SNIPPETS:
        assert_same(text)


def test_a_built_material_page_scans_the_same_and_twice_alike() -> None:
    html = (ROOT / "tests/fixtures/scan/material-page.html").read_text("utf-8")
    assert_same(html, "section-0000/page-00000/index.html")
    first = fast.scan_page(html, "p/index.html", index=EXTRA)
    assert first == fast.scan_page(html, "p/index.html", index=EXTRA)  # the caches change nothing
    assert len(first.tag_index["input"]) >= 5 and first.trackers  # it is not a trivial page


NAMES = ["a", "span", "li", "div", "p", "input", "img", "image", "link", "meta", "script",
         "style", "title", "textarea", "iframe", "noscript", "template", "svg", "math", "path",
         "foreignObject", "desc", "mtext", "annotation-xml", "font", "video", "source",
         "object", "embed", "base", "body", "head", "html", "form", "table", "h1", "select",
         "SCRIPT", "Img", "sVg", "plaintext", "xmp", "s", "o", "st", "on", "sr", "a:b", "x=y",
         "p<q", "h1", "spa"]
ATTR_NAMES = ["class", "href", "id", "src", "srcset", "style", "onclick", "Style", "ONload",
              "sizes", "slot", "open", "oncl", "on", "st", "s", "o", "sr", "data-x", "=x",
              '"q', "'q", "type", "rel", "as", "content", "http-equiv", "lang", "srcdoc",
              "data-consent-category", "data-consent-src", "background", "poster", "data",
              "action", "encoding", "color", "xlink:href", "aria-label", "viewBox", "a/b",
              "b<c", "CLASS", "data-md-x"]
URLS = ["https://www.clarity.ms/tag/abc", "//www.googletagmanager.com/gtag/js?id=G-1",
        "https://example.org/a.png", "/local.js", "https://www.youtube.com/embed/x",
        "https://fonts.googleapis.com/css?family=Roboto", "0;url=https://c.bing.com/x",
        "text/plain", "module", "stylesheet", "preconnect", "image", "text/html",
        "content-security-policy", "refresh", "background:url(https://c.bing.com/a)"]
VALUE_TEXT = ["x", "", " ", ">", "<script>", "<img src=https://c.bing.com/p>", "&amp;",
              "&#9;", "a b", "\"", "'", "=", "/", "</script>", "-->", "<!--"]


@st.composite
def attribute(draw: st.DrawFn) -> str:
    ws = draw(st.sampled_from([" ", "  ", "\n", "\t", "/", " / ", ""]))
    name = draw(st.sampled_from(ATTR_NAMES))
    form = draw(st.integers(0, 6))
    value = draw(st.sampled_from(URLS + VALUE_TEXT)) + draw(st.sampled_from(VALUE_TEXT))
    if form == 0:
        return ws + name
    eq = draw(st.sampled_from(["=", " = ", "=\n", " ="]))
    if form in (1, 2):
        return f'{ws}{name}{eq}"{value.replace(chr(34), "")}"'
    if form == 3:
        return f"{ws}{name}{eq}'{value.replace(chr(39), '')}'"
    if form == 4:
        return f"{ws}{name}{eq}{value.replace(' ', '').replace('>', '') or 'v'}"
    if form == 5:
        return f'{ws}{name}{eq}"{value}'  # unclosed (or mismatched) quote
    return f"{ws}{name}{eq}"


@st.composite
def piece(draw: st.DrawFn) -> str:
    kind = draw(st.integers(0, 9))
    name = draw(st.sampled_from(NAMES))
    if kind <= 4:
        attrs = "".join(draw(st.lists(attribute(), max_size=4)))
        end = draw(st.sampled_from([">", ">", "/>", " >", ""]))
        return f"<{name}{attrs}{end}"
    if kind == 5:
        close = draw(st.sampled_from([">", " >", ' x=">">', ""]))
        return f"</{name}{close}"
    if kind == 6:
        return draw(st.sampled_from(["<!--", "-->", "<!-- c -->", "<!---->", "<![CDATA[x]]>",
                                     "<?x>", "</ >", "<!doctype html>", "<", "< a>", "<3"]))
    if kind == 7:
        return draw(st.sampled_from(URLS))
    if kind == 8:
        return draw(st.sampled_from(["gtag('config','G-1')", "clarity('set')",
                                     "s.src='https://disqus.example/embed.js'", "a{b:url(x)}",
                                     "@import 'https://c.bing.com/a.css';"]))
    return draw(st.sampled_from(["text", " ", "\n", "&amp;", ">", '"', "'", "=", "x y"]))


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(piece(), max_size=25))
def test_generated_tag_soup_scans_the_same(parts: list[str]) -> None:
    assert_same("".join(parts))


@settings(max_examples=300, deadline=None)
@given(st.lists(attribute(), max_size=6))
def test_attribute_values_read_as_parse_attrs_reads_them(attrs: list[str]) -> None:
    text = "".join(attrs)
    parsed = fast.parse_attrs(text)
    assert plain(parsed) == plain(ref.parse_attrs(text))
    expected = {a.name: a.value if a.value is not None else "" for a in parsed}
    assert fast.attr_values(text) == expected
    tag = fast.Tag("a", 0, len(text) + 3, 2, text)
    for name in {*ATTR_NAMES, "missing"}:
        low = name.lower()
        assert tag.get(low) == expected.get(low) and tag.has(low) == (low in expected)

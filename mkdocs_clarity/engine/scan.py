"""One fast pass over a built page that collects the facts the CSP, the rewrite and the audit need.

Why no DOM parser: BeautifulSoup over 1,000 Material pages (~360 KB each, full nav) took longer
than the build itself. Almost every tag on such a page (nav ``<li>``/``<a>``/``<span>``) is of no
interest here, so one compiled regular expression skips them *inside the regex engine* and
returns only the interesting tokens: comments, raw-text elements (``<script>``, ``<style>``,
``<textarea>``, ``<title>``, ``<iframe>``…, whose content is skipped as the HTML tokenizer
skips it), ``<meta>``/``<link>``/media/form tags, ``<html>``/``<head>``/``<body>`` and any tag
carrying a ``style=`` or ``on…=`` attribute. Quoted attribute values are consumed whole, so a
``"<script>"`` inside an attribute never counts as a tag. The page is then touched in Python
only a few dozen times.

The same :func:`tokens` stream drives :mod:`mkdocs_clarity.engine.rewrite`, and :func:`scan_page` is
what the audit reads, so the rewrite and the audit always agree on the facts.
"""

from __future__ import annotations

import bisect
import html as htmllib
import re
from collections.abc import Callable, Generator, Iterator, Sequence
from dataclasses import dataclass, field, replace
from functools import cache, lru_cache
from typing import TYPE_CHECKING, TypeVar

from consent_generator.csp_sources import first_line, sha256_source
from consent_generator.lazy import lazy_pattern
from consent_generator.render import BODY_END, BODY_START, HEAD_END, HEAD_START
from mkdocs_clarity.engine.embeds import (
    THIRD_PARTY,
    page_policy_allows,
    script_literals,
    source_matches,
)
from mkdocs_clarity.engine.urls import (
    PageUrls,
    css_loads,
    refresh_url,
    source_for,
    srcset_urls,
    vendor_hosts,
)
from mkdocs_clarity.themes import Claims, page_claims

if TYPE_CHECKING:  # pragma: no cover
    from mkdocs_clarity.engine.scan_rare import CspMeta, EventHandler, StyleAttr

RAW_TEXT = frozenset({"script", "style", "textarea", "title", "xmp", "iframe", "noembed",
                      "noframes", "noscript"})
"""Elements whose content the HTML tokenizer does not parse as markup (noscript: with
scripting enabled, as in every browser a visitor uses)."""

INTERESTING = RAW_TEXT | frozenset({
    "html", "head", "body", "meta", "link", "img", "source", "video", "audio", "track", "embed",
    "object", "form", "template", "base", "plaintext", "svg", "math", "image"})
INTERESTING_END = frozenset({"head", "body", "template", "html"})

JS_TYPES = frozenset({
    "", "text/javascript", "application/javascript", "module", "text/ecmascript",
    "application/ecmascript", "application/x-javascript", "application/x-ecmascript",
    "text/x-javascript", "text/x-ecmascript", "text/jscript", "text/livescript",
    "text/javascript1.0", "text/javascript1.1", "text/javascript1.2", "text/javascript1.3",
    "text/javascript1.4", "text/javascript1.5"})
"""``type`` values that make a ``<script>`` classic or module script (HTML §4.12.1)."""

_WS = r"[\t\n\f\r ]"
_NAME = r"[a-zA-Z][^\t\n\f\r />]*+"
_VALUE = r"""(?:"[^"]*+"|'[^']*+'|[^\t\n\f\r >]++)"""
_ATTR_SLOW = rf"[\t\n\f\r /]++|[^\t\n\f\r />][^\t\n\f\r /=>]*+(?:{_WS}*+={_WS}*+{_VALUE})?+"
_ATTR = rf"""(?:{_WS}++[a-z][a-z-]*+="[^"]*+"|{_ATTR_SLOW})"""
"""One attribute (or a run of whitespace and slashes). The first branch is the shape of
nearly every attribute of a built page (`` class="x"``, 99 % on a Material page): it reads
exactly what the two general branches would read for it (a whitespace run, a name that stops
at ``=``, a double-quoted value) in one step of the regex engine instead of two, which made
the tokenizer a third faster."""
_BORING_FAST = rf'{_WS}++[a-np-rt-z][a-z-]*+="[^"]*+"'
_BORING_ATTR = (rf"""(?:{_BORING_FAST}|[\t\n\f\r /]++"""
                r"|(?![sSoO][tTnN]|[sS][rR][cC])"
                rf"[^\t\n\f\r />][^\t\n\f\r /=>]*+(?:{_WS}*+={_WS}*+{_VALUE})?+)")
"""An attribute that cannot be ``style``, ``on…`` or ``src…`` (those make a tag interesting:
``<input type=image src>`` loads, and a Material nav has hundreds of boring inputs). The
fast first branch's names start with a letter other than ``o``/``s``, so it needs no
look-ahead."""


def _boring_attrs_end(unrolled: int = 6) -> str:
    """A boring tag's attributes and its ``>``: up to ``unrolled`` attributes of the fast
    shape written out (``>|A(?:>|A(?:>|…)))``), else the general loop. Why: each turn of a
    repeated group costs the regex engine about as much as the attribute itself, even none
    (``<div>``); written out, the common tag costs no loop at all. Where the written-out
    branch fails (another shape, more attributes) the loop reads the tag from its start
    again, so what matches is exactly what the loop alone matches. The tag name must end at
    whitespace, ``/`` or ``>``: the written-out branches start with one of them, the loop
    checks it."""
    fast = ">"
    for _ in range(unrolled):
        fast = f">|{_BORING_FAST}(?:{fast})"
    return f"(?:{fast}|(?=[\\t\\n\\f\\r />]){_BORING_ATTR}*+>)"


def _names(names: frozenset[str]) -> str:
    """An alternation of ``names`` grouped by first letter (``s(?:cript|tyle|vg)|t(?:…)``):
    the regex engine skips a branch whose first letter differs in one step, so a boring tag
    costs one test per letter group instead of one per interesting name."""
    by_first: dict[str, list[str]] = {}
    for name in names:
        by_first.setdefault(name[0], []).append(re.escape(name[1:]))
    groups = []
    for first, rests in sorted(by_first.items()):
        rests.sort(key=lambda r: (-len(r), r))  # longest first: "svg" before "s"
        groups.append(re.escape(first) + ("(?:" + "|".join(rests) + ")" if rests != [""]
                                          else ""))
    return "|".join(groups)


# A boring tag has an all-lowercase name (so ``<SCRIPT>``/``<sCript>`` always reach Python,
# which lowercases) that is not interesting, and no style/on attribute.
@cache
def token_regex(extra: frozenset[str] = frozenset()) -> re.Pattern[str]:
    """The tokenizer for INTERESTING plus ``extra`` tag names (masking's type selectors: the
    tokenizer then finds them in the same pass instead of one search per selector).

    Text and boring tags are one possessive loop, ``[^<]*+(?:<boring[^<]*+)*+``: one
    iteration per tag (with the text after it) rather than one per tag and one per text run."""
    names = _names(INTERESTING | extra)
    boring = (
        rf"(?:/(?!(?:{_names(INTERESTING_END)})[\t\n\f\r />])[a-z][a-z0-9-]*+[\t\n\f\r /]*+>"
        rf"|(?!(?:{names})[\t\n\f\r />])[a-z][a-z0-9-]*+{_boring_attrs_end()}"
        r"|!(?!--)[^>]*+>|\?[^>]*+>|/(?![a-zA-Z])[^>]*+>|(?![a-zA-Z/!?]))"
    )
    return re.compile(
        rf"[^<]*+(?:<{boring}[^<]*+)*+"
        r"(?:<(?:"
        r"(?P<comment>!--(?:-?>|.*?(?:--!?>|\Z)))"
        rf"|/(?P<ename>{_NAME})[^>]*+(?:>|\Z)"
        rf"|(?P<name>{_NAME})(?P<attrs>{_ATTR}*+)(?:>|\Z)"
        r"|(?P<stray>)"
        r")|(?P<eof>\Z))",
        re.S,
    )


_STYLE_OR_ON = re.compile(
    r"[sSoO](?<![^\t\n\f\r /\"'][sSoO])"
    r"(?:(?<=[sS])[tT][yY][lL][eE]|(?<=[oO])[nN][a-zA-Z]+)[\t\n\f\r ]*=")
"""Cheap pre-check before parsing a tag's attributes for style/on… ones: ``style`` or
``on…`` at the start of the text or after whitespace, ``/`` or a quote, then ``=``.
Character classes, not ``(?i)``: the engine then skips to candidate characters instead of
folding the case of every one (3-4x faster on a Material page's head tags); the first
letter before the look-behind for the same reason (a pattern that starts with
``(?:^|[…])`` is tried at every character: 1.8 µs on a Material ``<input>``, now 0.3)."""
TAG_AT = re.compile(rf"<(?P<name>{_NAME})(?P<attrs>{_ATTR}*+)>")
"""A complete start tag at a known offset (``TAG_AT.match(html, offset)``)."""
_ATTR_ITEM = re.compile(
    rf"([^\t\n\f\r />][^\t\n\f\r /=>]*)(?:{_WS}*={_WS}*(\"[^\"]*\"|'[^']*'|[^\t\n\f\r >]+))?")


@cache
def _raw_end(name: str) -> re.Pattern[str]:
    return re.compile(rf"</{name}(?=[\t\n\f\r />])[^>]*>|</{name}\Z", re.I)


# --------------------------------------------------------------------------------------------
# Low level: tags and attributes with offsets (used by rewrite and masking too)
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Attr:
    """One attribute of a start tag; offsets are absolute in the page text."""

    name: str
    """Lowercased."""
    value: str | None
    """Decoded (character references resolved); None for a bare attribute."""
    start: int
    end: int


@dataclass(slots=True)
class Tag:
    """A start tag as found in the page."""

    name: str
    start: int
    end: int
    """Just past ``>``."""
    attrs_start: int
    attrs_text: str
    _attrs: list[Attr] | None = None
    _values: dict[str, str] | None = None

    @property
    def attrs(self) -> list[Attr]:
        if self._attrs is None:
            self._attrs = parse_attrs(self.attrs_text, self.attrs_start)
        return self._attrs

    @property
    def values(self) -> dict[str, str]:
        """Each attribute's decoded value by name ('' for a bare one), first one winning: what
        :meth:`get`/:meth:`has` read. Built without the :class:`Attr` objects (offsets) that
        only the rewrite needs: the scan asks a few names of every interesting tag."""
        if self._values is None:
            self._values = attr_values(self.attrs_text)
        return self._values

    def get(self, name: str) -> str | None:
        values = self._values
        if values is None:
            values = self._values = attr_values(self.attrs_text)
        return values.get(name)

    def has(self, name: str) -> bool:
        return self.get(name) is not None

    @property
    def self_closing(self) -> bool:
        return self.attrs_text.rstrip().endswith("/")

    def insertion_offset(self, html: str) -> int:
        """Where a new attribute (with a leading space) can go without changing the others:
        before ``/>`` so SVG/MathML elements stay self-closing, but after an unquoted value
        that ends in ``/`` (``href=/docs/``: the slash belongs to the value)."""
        gt = self.end - 1
        if html[gt - 1: gt] == "/":
            attrs = self.attrs
            last = attrs[-1] if attrs else None
            value_runs_to_gt = (last is not None and last.end == gt
                                and html[gt - 2: gt - 1] not in ("\"", "'"))
            if not value_runs_to_gt:
                return gt - 1
        return gt


def tag_at(html: str, offset: int) -> Tag | None:
    """The start tag beginning exactly at ``offset``, or None."""
    m = TAG_AT.match(html, offset)
    if m is None:
        return None
    return Tag(m.group("name").lower(), offset, m.end(), m.start("attrs"), m.group("attrs"))


def in_spans(spans: tuple[tuple[int, int], ...] | list[tuple[int, int]], offset: int) -> bool:
    """Whether ``offset`` lies inside one of the sorted, disjoint ``spans``."""
    i = bisect.bisect_right(spans, (offset, float("inf"))) - 1
    return i >= 0 and spans[i][0] <= offset < spans[i][1]


def parse_attrs(text: str, base: int = 0) -> list[Attr]:
    """Attributes in order; a repeated name keeps its first value (as the HTML parser does)."""
    out: list[Attr] = []
    seen: set[str] = set()
    for m in _ATTR_ITEM.finditer(text):
        name = m.group(1).lower()
        if name in seen:
            continue
        seen.add(name)
        raw = m.group(2)
        out.append(Attr(name, None if raw is None else _decoded(raw), base + m.start(),
                        base + m.end()))
    return out


def attr_values(text: str) -> dict[str, str]:
    """``{name: value}`` as :func:`parse_attrs` reads them, '' for a bare attribute."""
    out: dict[str, str] = {}
    # Last to first, so that the first of a repeated name is the one left (as in parse_attrs).
    for name, raw in reversed(_ATTR_ITEM.findall(text)):  # raw is '' only when absent
        if raw:
            if raw[0] in "\"'":
                raw = raw[1:-1]
            if "&" in raw:
                raw = htmllib.unescape(raw)
        out[name.lower()] = raw
    return out


def _decoded(raw: str) -> str:
    """An attribute value as written (quoted or not) with its character references resolved."""
    if raw[:1] in "\"'":
        raw = raw[1:-1]
    return htmllib.unescape(raw) if "&" in raw else raw


@dataclass(slots=True)
class Token:
    """One interesting token. ``kind``: comment | start | end | eof.

    For a raw-text start tag, ``content`` spans its text and ``end`` is past its end tag.
    Not frozen: a frozen dataclass sets each of its nine fields through
    ``object.__setattr__`` (1 µs a token, a tenth of the tokenizer's Python time); nothing
    changes a token once made.
    """

    kind: str
    start: int
    end: int
    name: str = ""
    tag: Tag | None = None
    content_start: int = 0
    content_end: int = 0
    foreign: bool = False
    """An SVG or MathML element (not HTML): its ``<script>`` loads ``href``, its
    ``<template>`` is not inert."""
    breakout: bool = False
    """An HTML element that ended foreign content (``<svg><img>``): whatever is inserted
    before it would still be in SVG, so no ``<template>`` can hold it."""


_FOREIGN_ROOTS = frozenset({"svg", "math"})
_INTEGRATION_POINTS = frozenset({"foreignobject", "desc", "title", "mi", "mo", "mn", "ms",
                                 "mtext"})
"""SVG/MathML elements whose content is parsed as HTML again (HTML §13.2.6.5)."""
_BREAKOUT = frozenset({
    "b", "big", "blockquote", "body", "br", "center", "code", "dd", "div", "dl", "dt", "em",
    "embed", "h1", "h2", "h3", "h4", "h5", "h6", "head", "hr", "i", "img", "li", "listing",
    "menu", "meta", "nobr", "ol", "p", "pre", "ruby", "s", "small", "span", "strong", "strike",
    "sub", "sup", "table", "tt", "u", "ul", "var"})
"""Start tags that end foreign content (the parser pops back to HTML before inserting them)."""


_foreign_token = lazy_pattern(
    r"[^<]*+(?:<(?:"
    r"(?P<comment>!--(?:-?>|.*?(?:--!?>|\Z)))"
    r"|(?P<cdata>!\[CDATA\[.*?(?:\]\]>|\Z))"
    r"|(?P<bogus>[!?][^>]*+>?|/(?![a-zA-Z])[^>]*+>?)"
    rf"|/(?P<ename>{_NAME})[^>]*+(?:>|\Z)"
    rf"|(?P<name>{_NAME})(?P<attrs>{_ATTR}*+)(?:>|\Z)"
    r"|(?P<stray>)"
    r")|(?P<eof>\Z))",
    re.S,
)
"""Every tag: inside ``<svg>``/``<math>`` (small, in practice) the tree builder's rules need
to see the tags a boring-tag skip would hide (breakout tags, integration points).

Compiled on the first ``<svg>``/``<math>`` that is not a plain drawing (:data:`_SIMPLE_SVG`):
1.3 ms that most builds never need."""


_SIMPLE_SVG = re.compile(
    r"(?:[^<]++|<(?:/?(?:path|g|circle|rect|line|polyline|polygon|ellipse|defs|symbol|stop|"
    r"lineargradient|radialgradient|clippath|mask|text|tspan)(?=[\t\n\f\r />])[^<>]*+>))*+"
    r"</svg[\t\n\f\r />]", re.I)
"""An ``<svg>`` of drawing elements only, up to its ``</svg>``: nothing in it can load or
change how what follows is parsed, so the fast HTML-mode pass may tokenize it."""
_SCRIPT_DATA = re.compile(r"<!--|</script(?=[\t\n\f\r />])", re.I)
_SCRIPT_ESCAPED = re.compile(r"-->|</?script(?=[\t\n\f\r />])", re.I)
_SCRIPT_DOUBLE = re.compile(r"-->|</script(?=[\t\n\f\r />])", re.I)


def script_end(html: str, pos: int) -> tuple[int, int] | None:
    """(start, end) of the ``</script>`` that ends a script whose text starts at ``pos``.

    The script data states of the tokenizer: after ``<!--`` a ``<script`` enters the double
    escaped state, where ``</script>`` does *not* end the element (only ``-->`` leaves it)."""
    close = _raw_end("script")
    state, at = "data", pos
    while True:
        rx = _SCRIPT_DATA if state == "data" else (
            _SCRIPT_ESCAPED if state == "escaped" else _SCRIPT_DOUBLE)
        m = rx.search(html, at)
        if m is None:
            return None
        text = m.group(0)
        if text == "<!--":
            state, at = "escaped", m.start() + 2  # "<!-->" leaves at once: "-->" overlaps
        elif text == "-->":
            state, at = "data", m.end()
        elif text[1] == "/" and state != "double":
            end = close.match(html, m.start())
            return (m.start(), end.end() if end else len(html))
        elif text[1] == "/":
            state, at = "escaped", m.end()
        else:
            state, at = "double", m.end()


def _content_end(html: str, name: str, pos: int) -> tuple[int, int] | None:
    """(start, end) of the end tag that closes raw-text/RCDATA element ``name``."""
    m = _raw_end(name).search(html, pos)
    if name == "script" and html.find("<!--", pos, m.start() if m else len(html)) >= 0:
        return script_end(html, pos)
    return (m.start(), m.end()) if m else None


def _raw_token(html: str, tag: Tag, name: str, foreign: bool) -> Token:
    """A raw-text element (or a foreign ``<script>``/``<style>``) with its content."""
    n = len(html)
    close = _content_end(html, name, tag.end)
    if close is None:
        return Token("start", tag.start, n, name, tag, tag.end, n, foreign)
    return Token("start", tag.start, close[1], name, tag, tag.end, close[0], foreign)


def _ends_foreign(name: str, tag: Tag) -> bool:
    return name in _BREAKOUT or (name == "font" and any(
        tag.has(a) for a in ("color", "face", "size")))


def _integration_point(name: str, tag: Tag) -> bool:
    if name == "annotation-xml":
        return (tag.get("encoding") or "").strip().lower() in ("text/html",
                                                                "application/xhtml+xml")
    return name in _INTEGRATION_POINTS


def tokens(html: str, extra: frozenset[str] = frozenset()) -> Iterator[Token]:
    """The interesting tokens of ``html`` in document order (see the module docstring).

    Outside ``<svg>``/``<math>`` one regex skips the boring tags; inside them every tag is
    looked at so that the namespace is known: a ``<script>`` there is an SVG script (loads
    ``href``), ``<style>``/``<title>``/``<textarea>`` are not raw text, a ``<template>`` is not
    inert, and breakout tags (``<p>``, ``<img>``…) and ``</svg>`` return to HTML.
    """
    pos = 0
    n = len(html)
    search = token_regex(extra).search
    foreign: list[tuple[str, bool]] = []  # open SVG/MathML elements: (name, integration point)
    while pos <= n:
        m = (_foreign_token().search if foreign else search)(html, pos)
        kind = "eof" if m is None else m.lastgroup  # the one alternative that matched
        if kind == "eof" or m is None:
            return
        if kind == "comment":
            yield Token("comment", m.start("comment") - 1, m.end())
            pos = m.end()
            continue
        if kind == "ename":
            name = m.group("ename").lower()
            if foreign:
                _close_foreign(name, foreign)
            yield Token("end", m.start("ename") - 2, m.end(), name)
            pos = m.end()
            continue
        if kind != "attrs":  # the start-tag alternative's last group
            pos = m.end()  # a stray '<', a bogus comment or CDATA: step over it
            continue
        start, end = m.start("name") - 1, m.end()
        name = m.group("name").lower()
        tag = Tag(name, start, end, m.start("attrs"), m.group("attrs"))
        breakout = in_foreign = False
        if foreign:
            breakout = not foreign[-1][1] and _ends_foreign(name, tag)
            if breakout:
                while foreign and not foreign[-1][1]:
                    foreign.pop()
            in_foreign = bool(foreign) and not foreign[-1][1]
        if name in _SPECIAL or in_foreign:
            if name == "svg" and not in_foreign and _SIMPLE_SVG.match(html, end):
                # An icon (paths and shapes only): tokenizing it as HTML sees the same tags.
                yield Token("start", start, end, name, tag, foreign=True)
            elif name in _FOREIGN_ROOTS or in_foreign:
                end = yield from _foreign_start(html, tag, name, foreign)
            elif name in RAW_TEXT:
                tok = _raw_token(html, tag, name, False)
                yield tok
                if tok.content_end == n and tok.end == n:
                    return
                end = tok.end
            else:  # plaintext: the rest of the page is its text
                yield Token("start", start, n, name, tag, end, n)
                return
        else:
            yield Token("start", start, end, name, tag, breakout=breakout)
        pos = end


_SPECIAL = RAW_TEXT | _FOREIGN_ROOTS | {"plaintext"}
"""Start tags :func:`tokens` does more for than yield them (one set test for the rest)."""


def _close_foreign(name: str, foreign: list[tuple[str, bool]]) -> None:
    """An end tag inside SVG/MathML: ``</p>``/``</br>`` break out to HTML (as the tree
    builder does), any other closes the innermost open element of its name."""
    if name in ("p", "br") and not foreign[-1][1]:
        foreign.clear()
    for i in range(len(foreign) - 1, -1, -1):
        if foreign[i][0] == name:
            del foreign[i:]
            break


def _foreign_start(html: str, tag: Tag, name: str,
                   foreign: list[tuple[str, bool]]) -> Generator[Token, None, int]:
    """A start tag in the SVG/MathML namespace; returns where tokenizing goes on."""
    if tag.self_closing:
        yield Token("start", tag.start, tag.end, name, tag, foreign=True)
        return tag.end
    foreign.append((name, _integration_point(name, tag)))
    if name in ("script", "style"):
        # Not raw text in SVG: tags inside are parsed (an <img> there breaks out and loads),
        # so tokenizing goes on inside; the text up to the end tag is the script/style.
        close = _raw_end(name).search(html, tag.end)
        stop = close.start() if close else len(html)
        yield Token("start", tag.start, tag.end, name, tag, tag.end, stop, True)
        return tag.end
    yield Token("start", tag.start, tag.end, name, tag, foreign=True)
    return tag.end


# --------------------------------------------------------------------------------------------
# Facts
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class InlineScript:
    hash: str
    """``'sha256-…'`` of the text the browser will execute."""
    first_line: str
    line: int
    executable: bool
    """Runs now, or later once consent activates it (gated ``text/plain`` or in a gated
    ``<template>``): either way its hash must be in ``script-src``."""
    gated: bool
    in_head: bool
    injected: bool
    """Inside our own HEAD/BODY marker block (re-derived from the policy on every run)."""
    type: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class InlineStyle:
    hash: str
    first_line: str
    line: int
    injected: bool


@dataclass(frozen=True, slots=True)
class Tracker:
    """Vendor code recognised from the catalog's ``detect`` patterns."""

    service: str
    kind: str
    """``script-src`` | ``inline`` | ``iframe``."""
    url: str
    """The script/iframe URL, or the inline script's first line."""
    line: int
    gated: bool
    """Already inert (text/plain with a category, in a gated template, or iframe without
    ``src`` but with ``data-consent-src``)."""
    in_head: bool
    injected: bool
    start: int
    end: int
    element: str = ""
    """The element that loads it (``img``, ``link rel=stylesheet``…), for messages."""
    foreign: bool = False
    """Inside SVG/MathML (or the HTML element that ends it): a ``<template>`` there is not
    inert, so it cannot hold this."""
    loads: tuple[tuple[str, str], ...] = ()
    """Unknown embeds (service :data:`~mkdocs_clarity.engine.embeds.THIRD_PARTY`): every
    (directive, absolute URL) it loads, which the CSP allows exactly once granted."""
    refuse: str = ""
    """Why this load must not be honoured even once granted (``credentials``: its URL
    carries ``user:password@``); the rewrite refuses the page, naming it."""


TRACKER_KINDS = {
    "script-src": "a script", "inline": "an inline script", "iframe": "a frame",
    "resource": "a resource", "hint": "a resource hint", "style": "a style sheet",
    "srcdoc": "a frame document (srcdoc)", "noscript": "<noscript> content",
    "style-attr": "a style attribute", "refresh": "a meta refresh", "svg": "an SVG reference",
    "base": "a <base href> (every relative URL of the page)"}
"""Every kind of vendor load the recogniser reports (see docs/recognition.md)."""


@dataclass(frozen=True, slots=True)
class Resource:
    """A third-party URL the page makes the browser fetch (before any consent)."""

    tag: str
    attr: str
    url: str
    origin: str
    """The CSP source for it: ``https://host[:port]``, or ``host`` for ``//host`` URLs."""
    directive: str
    line: int


@dataclass(frozen=True)
class PageScan:
    """Everything the CSP builder and the audit need to know about one page."""

    path: str
    lang: str | None = None
    inline_scripts: tuple[InlineScript, ...] = ()
    inline_styles: tuple[InlineStyle, ...] = ()
    style_attrs: tuple[StyleAttr, ...] = ()
    csp_metas: tuple[CspMeta, ...] = ()
    trackers: tuple[Tracker, ...] = ()
    resources: tuple[Resource, ...] = ()
    event_handlers: tuple[EventHandler, ...] = ()
    has_head: bool = False
    has_body: bool = False
    injected: bool = False
    """A previous run's marker blocks are present."""
    opaque: tuple[tuple[int, int], ...] = field(default=(), repr=False)
    """Spans of comments and raw-text content, where no tag can be (for masking)."""
    # Offsets for the rewrite (start, end of the tag; None when absent):
    html_tag: tuple[int, int] | None = field(default=None, repr=False)
    head_tag: tuple[int, int] | None = field(default=None, repr=False)
    head_close: int | None = field(default=None, repr=False)
    """Offset of ``</head>``."""
    body_tag: tuple[int, int] | None = field(default=None, repr=False)
    body_close: int | None = field(default=None, repr=False)
    """Offset of the last ``</body>``."""
    charset_meta: tuple[int, int] | None = field(default=None, repr=False)
    doctype_end: int | None = field(default=None, repr=False)
    tag_index: dict[str, tuple[int, ...]] = field(default_factory=dict, repr=False)
    """Start offsets of the tags named in ``scan_page(index=…)``."""
    held_resources: tuple[Resource, ...] = ()
    """Vendor resources (images, media, style sheets, objects) held until consent: the CSP
    allows each by its origin in its directive so it loads once granted."""
    loose_gated: tuple[tuple[int, int], ...] = field(default=(), repr=False)
    """Spans of gated ``<script type="text/plain" data-consent-category>`` elements in the
    body outside any ``<template>``: Material's instant navigation would re-run them without
    their attributes, so the rewrite wraps them in a ``<template>``."""
    unheld_embeds: tuple[Tracker, ...] = ()
    """Unknown third-party loads no holder can keep inert (``style=""`` ``url()``, SVG
    ``<image>``/``<use>``/``<feImage>`` references, a ``<style>`` inside ``<svg>``): the rewrite
    warns (or stops, :func:`~mkdocs_clarity.engine.embeds.unheld_verdict`), never gates them."""


DetectTable = tuple[tuple[str, "re.Pattern[str]"], ...]
"""(service id, compiled ``detect`` regex) pairs, in catalog order: the first match wins."""


@cache
def detect_table(kind: str) -> DetectTable:
    """The catalog's ``detect.<kind>`` regexes (``script_src``, ``inline``, ``iframe_src``),
    compiled once per process, one kind at a time on its first need: a site whose scripts
    and iframes are all its own never asks for the URL kinds (~2 ms of compiles)."""
    from consent_generator.services import catalog

    return tuple((sid, re.compile(p, re.I)) for sid, spec in catalog().items()
                 for p in getattr(spec.detect, kind))


@cache
def catalog_covers(service: str, directive: str, origin: str) -> bool:
    """Whether catalog service ``service``'s own ``directive`` sources (the ones an enabled or
    auto-gated service brings) already allow ``origin`` (``https://host``, a bare ``host``
    for ``//host`` URLs): only then does a held load of it need no source of its own."""
    from consent_generator.services import catalog

    spec = catalog().get(service)
    if spec is None or "://" not in origin:
        return False
    return any(source_matches(source, origin) for source in spec.csp.get(directive, ()))


def detect(kind: str, text: str) -> str | None:
    """The service id whose ``detect.<kind>`` matches ``text``, if any."""
    for sid, rx in detect_table(kind):
        if rx.search(text):
            return sid
    return None


def script_type(tag: Tag) -> str:
    return (tag.get("type") or "").strip().lower()


def is_gated(tag: Tag) -> bool:
    return tag.has("data-consent-category")


_LINK_DIRECTIVES = {"stylesheet": "style-src", "icon": "img-src", "apple-touch-icon": "img-src",
                    "manifest": "manifest-src", "mask-icon": "img-src"}
_PRELOAD_AS = {"script": "script-src", "style": "style-src", "font": "font-src",
               "image": "img-src", "fetch": "connect-src", "audio": "media-src",
               "video": "media-src", "track": "media-src", "worker": "worker-src"}


@lru_cache(maxsize=16)
def _own_source(site_url: str) -> str:
    """The site's own origin as a CSP source, once per site URL (not once per page)."""
    return source_for(site_url) or ""


_URL_ATTRS = {name: re.compile(part, re.I) for names, part in (
    (("script", "iframe", "embed", "img", "image", "source", "input"), "src"),
    (("link",), "href|src"), (("video", "audio", "track"), "src|poster"),
    (("object",), "data"), (("body",), "background"), (("form",), "action"))
    for name in names}
"""Per tag name, a part of the name of every attribute :func:`_resource_urls` reads for it
(``src`` is in ``srcset`` and ``imagesrcset``): a tag whose attributes do not contain it loads
nothing, so its attributes need not be read (Material's checkbox ``<input>``s and its
``<table>``s, tokens only because masking selects them)."""


def _resource_urls(tag: Tag) -> Iterator[tuple[str, str, str]]:
    """(attr, url, directive) of every fetch a tag causes; directive ``hint`` for resource
    hints (preconnect, dns-prefetch, prefetch, a preload the CSP has no directive for)."""
    name = "img" if tag.name == "image" else tag.name  # the parser renames <image> to <img>
    if name == "script":
        src = tag.get("src")
        if src:
            yield "src", src, "script-src"
    elif name == "link":
        yield from _link_urls(tag)
    elif name in ("img", "source", "input"):
        if name == "input" and (tag.get("type") or "").strip().lower() != "image":
            return
        src = tag.get("src")
        if src:
            yield "src", src, "media-src" if name == "source" else "img-src"
        for url in srcset_urls(tag.get("srcset") or ""):
            yield "srcset", url, "img-src"
    elif name in ("video", "audio", "track"):
        src = tag.get("src")
        if src:
            yield "src", src, "media-src"
        poster = tag.get("poster")
        if poster:
            yield "poster", poster, "img-src"
    elif name == "iframe":
        src = tag.get("src")
        if src:
            yield "src", src, "frame-src"
    elif name in ("embed", "object"):
        attr = "src" if name == "embed" else "data"
        src = tag.get(attr)
        if src:
            yield attr, src, "object-src"
    elif name == "body":
        background = tag.get("background")
        if background:
            yield "background", background, "img-src"
    elif name == "form":
        action = tag.get("action")
        if action:
            yield "action", action, "form-action"


def _link_urls(tag: Tag) -> Iterator[tuple[str, str, str]]:
    rel = (tag.get("rel") or "").lower().split()
    href = tag.get("href")
    for r in rel:
        if r in _LINK_DIRECTIVES and href:
            yield "href", href, _LINK_DIRECTIVES[r]
            return
        if r in _HINT_RELS:
            kind = "script" if r == "modulepreload" else (tag.get("as") or "").lower()
            directive = _PRELOAD_AS.get(kind, "hint") if r in ("preload",
                                                                "modulepreload") else "hint"
            if href:
                yield "href", href, directive
            for url in srcset_urls(tag.get("imagesrcset") or ""):
                yield "imagesrcset", url, directive
            return


class _Lines:
    """Line numbers for increasing offsets in O(page) total."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.line = 1

    def __call__(self, offset: int) -> int:
        if offset < self.pos:
            return self.text.count("\n", 0, offset) + 1
        self.line += self.text.count("\n", self.pos, offset)
        self.pos = offset
        return self.line


def scan_page(html: str, path: str, *, index: frozenset[str] = frozenset(),
              site_url: str | None = None, _depth: int = 0,
              _claims: Claims | None = None) -> PageScan:
    """The facts of one page (see :class:`PageScan`); ``path`` is its site-relative path
    (a label, and the base of its relative URLs).

    ``index``: tag names whose start offsets to collect in :attr:`PageScan.tag_index`.
    ``site_url``: where the site is served, when known (see :mod:`mkdocs_clarity.engine.urls`).
    """
    st = _ScanState(html, path, PageUrls(path, site_url), _depth)
    st.site_url = site_url
    st.claims = _claims if _claims is not None else page_claims(html)
    st.own = _own_source(site_url) if site_url else ""
    tag_index: dict[str, list[int]] = {name: [] for name in index}
    for tok in tokens(html, index):
        if tok.kind == "comment":
            st.comment(tok)
        elif tok.kind == "end":
            st.end_tag(tok)
        else:
            assert tok.tag is not None
            if tok.name in tag_index and not st.in_marker:
                tag_index[tok.name].append(tok.start)
            st.start_tag(tok, tok.tag)
    return PageScan(path=path, lang=st.lang, inline_scripts=tuple(st.scripts),
                    inline_styles=tuple(st.styles), style_attrs=tuple(st.style_attrs),
                    csp_metas=tuple(st.metas), trackers=tuple(st.trackers),
                    resources=tuple(st.resources), event_handlers=tuple(st.handlers),
                    has_head=st.has_head, has_body=st.has_body, injected=st.injected,
                    opaque=tuple(st.opaque), doctype_end=_doctype_end(html),
                    tag_index={k: tuple(v) for k, v in tag_index.items()},
                    loose_gated=tuple(st.loose), held_resources=tuple(st.held),
                    unheld_embeds=tuple(st.unheld),
                    **st.offsets)  # type: ignore[arg-type]


_HINT_RELS = frozenset({"preconnect", "dns-prefetch", "prefetch", "preload", "modulepreload",
                        "prerender"})
_END_SEARCHED = frozenset({"video", "audio", "object", "picture"})
_SVG_REFS = frozenset({"image", "feimage", "use"})
_MAX_DEPTH = 3
"""Nested ``srcdoc``/``<noscript>`` documents looked into (deeper ones are refused)."""


class _ScanState:
    """What :func:`scan_page` accumulates while walking the tokens once."""

    def __init__(self, html: str, path: str, urls: PageUrls, depth: int) -> None:
        self.html, self.path, self.urls, self.depth = html, path, urls, depth
        self.lines = _Lines(html)
        self.lang: str | None = None
        self.scripts: list[InlineScript] = []
        self.styles: list[InlineStyle] = []
        self.style_attrs: list[StyleAttr] = []
        self.metas: list[CspMeta] = []
        self.trackers: list[Tracker] = []
        self.resources: list[Resource] = []
        self.handlers: list[EventHandler] = []
        self.opaque: list[tuple[int, int]] = []
        self.loose: list[tuple[int, int]] = []
        self.held: list[Resource] = []
        self.unheld: list[Tracker] = []
        self.offsets: dict[str, object] = {}
        self.has_head = self.has_body = self.injected = self.in_marker = False
        self.in_head = True  # until <body>/</head>: content before them is head-ish for gating
        self.template_gated: list[bool] = []
        self.site_url: str | None = None
        self.claims: Claims = Claims()
        """What the page's theme loads from third parties itself (not unknown embeds)."""
        self.own = ""
        """The site's own origin, when known: its absolute URLs are first-party."""
        self.page_policies: list[str] = []
        """The page's own CSP ``<meta>`` policies in ``<head>`` (what the author allowed)."""
        self.held_until = 0
        """End of the last element the rewrite holds whole (a ``<video>`` with its
        ``<source>``s): a vendor load inside it is held by that holder, not by one of its own."""

    @property
    def in_template(self) -> bool:
        """Inside a gated HTML ``<template>``: inert until the runtime activates it."""
        return any(self.template_gated)

    def comment(self, tok: Token) -> None:
        text = self.html[tok.start:tok.end]
        if text in (HEAD_START, BODY_START):
            self.in_marker = self.injected = True
        elif text in (HEAD_END, BODY_END):
            self.in_marker = False
        self.opaque.append((tok.start, tok.end))

    def end_tag(self, tok: Token) -> None:
        if tok.name == "head":
            self.in_head = False
            self.offsets.setdefault("head_close", tok.start)
        elif tok.name == "body":
            self.offsets["body_close"] = tok.start
        elif tok.name == "template" and self.template_gated:
            self.template_gated.pop()

    def track(self, tok: Token, service: str, kind: str, url: str, gated: bool,
              element: str, end: int | None = None,
              loads: tuple[tuple[str, str], ...] = (), refuse: str = "") -> None:
        end = tok.end if end is None else end
        if kind != "inline" and not refuse and self.urls.has_credentials(url):
            refuse = "credentials"
        held_by_outer = tok.start < self.held_until
        if end > tok.end and not held_by_outer:
            self.held_until = end
        self.trackers.append(Tracker(
            service, kind, url, self.lines(tok.start), gated or self.in_template or held_by_outer,
            self.in_head, self.in_marker, tok.start, end, element, tok.foreign or tok.breakout,
            loads, refuse))

    def third_party(self, url: str, directive: str) -> str | None:
        """The absolute URL when ``url`` loads from another host that no theme profile and
        no CSP of the page's own claims (an unknown embed, :mod:`.embeds`), else None."""
        origin = self.urls.origin(url)
        if origin is None or origin.lower() == self.own or (
                self.own and "//" not in origin and self.own.endswith("//" + origin.lower())):
            return None
        hrefs = [r.href for r in self.urls.resolve(url) if r.scheme in ("http:", "https:")]
        if not hrefs or any(self.claims.feature(h) for h in hrefs) or any(
                page_policy_allows(p, directive, h) for p in self.page_policies for h in hrefs):
            return None
        return max(hrefs)  # the https reading of a //host URL

    def hold_source(self, tag: Tag, attr: str, url: str, directive: str,
                    service: str | None = None) -> None:
        """Let the CSP allow what a held load fetches once granted: its origin exactly as the
        browser reads the URL (``//host`` is the page's scheme, a trailing-dot host is another
        host for CSP), unless ``service``'s catalog sources already cover it."""
        origin = self.urls.origin(url)
        if origin and not (service and catalog_covers(service, directive, origin)):
            self.held.append(Resource(tag.name, attr, url, origin, directive,
                                      self.lines(tag.start)))

    def start_tag(self, tok: Token, tag: Tag) -> None:
        name = tok.name
        if tok.content_end > tok.content_start:
            self.opaque.append((tok.content_start, tok.content_end))
        self._structure(tok, tag)
        if tag.attrs_text and _STYLE_OR_ON.search(tag.attrs_text):
            self._style_and_handlers(tok, tag)
        if tok.foreign:
            self._foreign(tok, tag)
        elif name == "script":
            self._script(tok, tag, tag.get("src"))
        elif name == "style":
            self._style(tok)
        elif name == "meta":
            self._meta(tok, tag)
        elif name == "noscript":
            self._nested(tok, self.html[tok.content_start:tok.content_end], "noscript",
                         "<noscript>", self.in_template)
        elif name == "iframe" and self._iframe(tok, tag):
            return
        elif name == "base" and tag.get("href") is not None:
            self._base(tok, tag)
        if not tok.foreign and name not in ("style", "meta") and (
                not self.trackers or self.trackers[-1].start != tok.start) and (
                (rx := _URL_ATTRS.get(name)) is not None and rx.search(tag.attrs_text)):
            self._resources(tok, tag)

    def _base(self, tok: Token, tag: Tag) -> None:
        """A ``<base href>`` at a vendor sends every relative URL after it there; the site's
        ``base-uri 'self'`` blocks it, so it is a vendor load no holder can defer (at an
        unknown third party: an unheld embed, :func:`.embeds.unheld_verdict`)."""
        href = tag.get("href") or ""
        hit = self.urls.vendor(href)
        if hit and not self.in_template:
            self.track(tok, hit[0], "base", hit[1], False, "<base href>")
        elif not hit:  # an unclaimed third party's: reported like an embed nothing can hold
            self._unheld(tok, "base", "<base href>", [(href, "base-uri")])
        self.urls.set_base(href)

    def _structure(self, tok: Token, tag: Tag) -> None:
        name = tok.name
        if name == "html" and self.lang is None and not tok.foreign:
            self.lang = tag.get("lang")
            self.offsets["html_tag"] = (tok.start, tok.end)
        elif name == "head" and not self.has_head:
            self.has_head = True
            self.offsets["head_tag"] = (tok.start, tok.end)
        elif name == "body" and not self.has_body:
            self.has_body = True
            self.in_head = False
            self.offsets["body_tag"] = (tok.start, tok.end)
        elif name == "template":
            # A <template> in SVG/MathML is an ordinary element: its content is live.
            self.template_gated.append(not tok.foreign and tag.has("data-consent-category"))

    def _style_and_handlers(self, tok: Token, tag: Tag) -> None:
        from mkdocs_clarity.engine.scan_rare import EventHandler, StyleAttr

        for a in tag.attrs:
            if a.name == "style" and a.value is not None and a.value.strip():
                self.style_attrs.append(StyleAttr(sha256_source(a.value), a.value, tok.name,
                                                  self.lines(tag.start), self.in_marker))
                for url, _ in _css_loads(a.value):
                    hit = self.urls.vendor(url)
                    if hit:
                        self.track(tok, hit[0], "style-attr", hit[1], False,
                                   f"<{tok.name} style>")
                        break
                else:
                    self._unheld(tok, "style-attr", f"<{tok.name} style>", _css_loads(a.value))
            elif a.name.startswith("on") and len(a.name) > 2:
                self.handlers.append(EventHandler(tok.name, a.name, self.lines(tag.start)))

    def _script(self, tok: Token, tag: Tag, src: str | None) -> None:
        html, stype, gated = self.html, script_type(tag), is_gated(tag)
        js = stype in JS_TYPES
        if gated and not js and not (self.in_head or self.in_template
                                              or self.in_marker or tok.foreign):
            self.loose.append((tok.start, tok.end))
        # Held: a script that is not JavaScript (text/plain) never runs, nor one in a template.
        held = not js
        if src is None:
            text = html[tok.content_start:tok.content_end]
            line = self.lines(tok.start)
            # A gated external script (data-consent-src) runs by URL once granted: its empty
            # body is never executed, so it must not put the empty-script hash in the CSP
            # (that made a second apply change every page with a pasted gtag snippet).
            by_url = gated and tag.has("data-consent-src")
            runs_later = not by_url and (js or (stype == "text/plain" and gated))
            digest, label = _text_label(text)
            self.scripts.append(InlineScript(
                digest, label, line, runs_later, runs_later and (held or self.in_template),
                self.in_head, self.in_marker, stype, tok.start, tok.end))
            if runs_later:
                service = _inline_service(text)
                if service:
                    self.track(tok, service, "inline", label, held, "<script>")
                else:
                    self._inline_embed(tok, text, held)
        url = src if src is not None else tag.get("data-consent-src")
        if url and (js or gated or self.in_template):
            hit = self._vendor(url, "script_src")
            if hit:
                self.track(tok, hit[0], "script-src", url, held or src is None, "<script src>")
                if not self.in_marker:
                    self.hold_source(tag, "src", url, "script-src", hit[0])
            elif (href := self.third_party(url, "script-src")) is not None:
                self.track(tok, THIRD_PARTY, "script-src", href, held or src is None,
                           "<script src>", loads=(("script-src", href),))

    def _inline_embed(self, tok: Token, text: str, held: bool) -> None:
        """An inline loader of a third party (Disqus' ``s.src = 'https://…/embed.js'``)."""
        loads = tuple((directive, href) for directive, href in
                      ((d, self.third_party(u, d)) for u, d in _script_literals(text))
                      if href is not None)
        if loads:
            self.track(tok, THIRD_PARTY, "inline", loads[0][1], held, "<script>", loads=loads)

    def _foreign(self, tok: Token, tag: Tag) -> None:
        """SVG/MathML: scripts load ``href``/``xlink:href``; images and uses fetch too."""
        name = tok.name
        if name not in _SVG_REFS and name not in ("script", "style"):
            return
        href = tag.get("href")
        if href is None:
            href = tag.get("xlink:href")
        if name == "script":
            self._script(tok, tag, href)
        elif name == "style":
            self._style(tok)
        elif name in _SVG_REFS and href:
            hit = self.urls.vendor(href)
            if hit:
                self.track(tok, hit[0], "svg", hit[1], False, f"<svg><{name} href>")
            else:
                self._unheld(tok, "svg-use" if name == "use" else "svg",
                             f"<svg><{name} href>", [(href, "img-src")])

    def _unheld(self, tok: Token, kind: str, element: str,
                urls: Sequence[tuple[str, str]]) -> None:
        """Unknown third-party loads of a form no holder can keep inert (see
        :attr:`PageScan.unheld_embeds`); already inert in a gated ``<template>``: nothing."""
        if self.in_template or self.in_marker:
            return
        loads = tuple((d, h) for u, d in urls if (h := self.third_party(u, d)) is not None)
        if loads:
            self.unheld.append(Tracker(THIRD_PARTY, kind, loads[0][1], self.lines(tok.start),
                                       False, self.in_head, False, tok.start, tok.end,
                                       element, True, loads))

    def _style(self, tok: Token) -> None:
        text = self.html[tok.content_start:tok.content_end]
        digest, label = _text_label(text)
        self.styles.append(InlineStyle(digest, label, self.lines(tok.start), self.in_marker))
        loads = _css_loads(text)
        if not loads or self.in_marker:
            return
        hit = next((h for url, _ in loads if (h := self.urls.vendor(url))), None)
        if hit:
            self.track(tok, hit[0], "style", hit[1], False, "<style> url()")
            self._style_sources(tok, loads, held=True)
            return
        if tok.foreign or tok.breakout:
            self._unheld(tok, "style", "<svg><style>", loads)
            return
        found = tuple((d, tp) for u, d in loads if (tp := self.third_party(u, d)) is not None)
        if found:
            # A <style> is held in a <template> (the runtime inserts it once granted; its
            # hash is in style-src like every inline style's).
            label = "<style> @import" if found[0][0] == "style-src" else "<style> url()"
            self.track(tok, THIRD_PARTY, "style", found[0][1], False, label, loads=found)
            return
        self._style_sources(tok, loads, held=self.in_template)

    def _style_sources(self, tok: Token, loads: Sequence[tuple[str, str]],
                       held: bool) -> None:
        """What a ``<style>`` fetches (``@import``: style-src, ``@font-face``: font-src,
        images: img-src) joins the CSP: as held sources when the style waits for consent."""
        assert tok.tag is not None
        if held and (tok.foreign or tok.breakout):
            return  # refused: nothing will load it
        for url, directive in loads:
            origin = self.urls.origin(url)
            if not origin:
                continue
            attr = "@import" if directive == "style-src" else "url()"
            r = Resource("style", attr, url, origin, directive, self.lines(tok.start))
            (self.held if held else self.resources).append(r)

    def _meta(self, tok: Token, tag: Tag) -> None:
        equiv = (tag.get("http-equiv") or "").strip().lower()
        if "charset_meta" not in self.offsets and (tag.has("charset") or equiv == "content-type"):
            self.offsets["charset_meta"] = (tok.start, tok.end)
        if equiv == "content-security-policy":
            if self.in_head:  # only a <head> policy is enforced (and is the author's)
                own = tag.get("data-consent-original") if tag.has("data-consent-csp") \
                    else tag.get("content")
                self.page_policies.append(own or "")
            from mkdocs_clarity.engine.scan_rare import CspMeta

            self.metas.append(CspMeta(tag.get("content") or "", tag.has("data-consent-csp"),
                                      tag.get("data-consent-original"), self.lines(tag.start),
                                      tok.start, tok.end))
        elif equiv == "refresh":
            url = refresh_url(tag.get("content") or "")
            hit = self.urls.vendor(url) if url else None
            if hit:
                self.track(tok, hit[0], "refresh", hit[1], False, "<meta http-equiv=refresh>")

    def _vendor(self, url: str, kind: str) -> tuple[str, str] | None:
        """``urls.vendor`` with the catalog's ``detect.<kind>`` patterns, compiled only for a
        URL that may leave the site (``vendor`` answers None for any other before reading
        them): a site whose scripts are all its own never compiles them."""
        if not self.urls.may_leave_site(url):
            return None
        return self.urls.vendor(url, detect_table(kind))

    def _iframe(self, tok: Token, tag: Tag) -> bool:
        """An iframe's src, and its srcdoc as the document of its own that it is."""
        srcdoc = tag.get("srcdoc")
        if srcdoc is not None:
            self._nested(tok, srcdoc, "srcdoc", "<iframe srcdoc>", self.in_template)
        src = tag.get("src")
        url = src if src is not None else tag.get("data-consent-src")
        hit = self._vendor(url, "iframe_src") if url else None
        if hit and srcdoc is None:
            self.track(tok, hit[0], "iframe", url or "", src is None, "<iframe src>")
            if not self.in_marker:
                self.hold_source(tag, "src", url or "", "frame-src", hit[0])
            return True
        href = self.third_party(url, "frame-src") if url and srcdoc is None else None
        if href is not None:
            self.track(tok, THIRD_PARTY, "iframe", href, src is None, "<iframe src>",
                       loads=(("frame-src", href),))
            return True
        return False

    def _nested(self, tok: Token, doc: str, kind: str, element: str, held: bool) -> None:
        """A document inside an attribute or element: what it loads, this element loads."""
        if self.depth >= _MAX_DEPTH:
            if "<" in doc:
                self.track(tok, "custom", kind, "(nested too deep to check)", held, element)
            return
        inner = scan_page(doc, self.path, site_url=self.site_url, _depth=self.depth + 1,
                          _claims=self.claims)
        if kind == "srcdoc" and not (self.in_template or self.in_marker):
            # The frame document shares this page's CSP: what it cannot hold is this page's.
            self.unheld += [Tracker(THIRD_PARTY, u.kind, u.url, self.lines(tok.start), False,
                                    self.in_head, False, tok.start, tok.end,
                                    f"{element} {u.element}", True, u.loads)
                            for u in inner.unheld_embeds]
        live = [t for t in inner.trackers if not t.gated]
        if live:
            self.track(tok, live[0].service, kind, live[0].url, held, element,
                       loads=tuple(x for t in live for x in t.loads),
                       refuse=next((t.refuse for t in live if t.refuse), ""))
        if kind == "srcdoc":
            self._srcdoc_facts(tok, inner, live[1:], held=held or bool(live))

    def _srcdoc_facts(self, tok: Token, inner: PageScan, more: list[Tracker],
                      held: bool) -> None:
        """A ``srcdoc`` document runs under this page's CSP (it inherits the policy): its
        inline scripts and styles need their hashes here, its loads their sources, and each
        vendor in it its service's sources (the frame is held as one, by its first vendor)."""
        line, start, end, mark = self.lines(tok.start), tok.start, tok.end, self.in_marker
        self.scripts += [replace(s, line=line, start=start, end=end, in_head=self.in_head,
                                 injected=mark) for s in inner.inline_scripts]
        self.styles += [replace(s, line=line, injected=mark) for s in inner.inline_styles]
        self.style_attrs += [replace(a, line=line, injected=mark) for a in inner.style_attrs]
        self.handlers += [replace(h, line=line) for h in inner.event_handlers]
        self.held += inner.held_resources
        (self.held if held else self.resources).extend(inner.resources)
        self.trackers += [replace(t, gated=True, line=line, start=start, end=end,
                                  in_head=self.in_head, injected=mark) for t in more]

    def _resources(self, tok: Token, tag: Tag) -> None:
        loads = list(_resource_urls(tag))
        for attr, url, directive in loads:
            if not self.urls.may_leave_site(url):
                continue  # a relative URL: no vendor, no embed, no origin
            hit = self.urls.vendor(url) if tag.name != "script" else None
            if hit is None and tag.name != "script" and directive != "form-action" \
                    and not self.in_marker and self._embed(tok, tag, attr, url, directive):
                return
            if hit is not None:
                kind = "hint" if tag.name == "link" and _is_hint(tag) else "resource"
                end = _element_end(self.html, tok) if tok.name in _END_SEARCHED else None
                self.track(tok, hit[0], kind, hit[1], False, _element_label(tag, attr), end)
                if kind == "resource" and not tok.foreign and not tok.breakout:
                    # Held whole: every URL of the element (each srcset candidate, a video's
                    # poster and src) loads once granted, so each needs its source; an
                    # <object>/<embed> showing a document is a frame as well (frame-src).
                    for a, u, d in loads:
                        self.hold_source(tag, a, u, d)
                        if d == "object-src":
                            self.hold_source(tag, a, u, "frame-src")
                return
            if self.in_marker or self.in_template or directive == "hint":
                continue
            origin = self.urls.origin(url)
            if origin:
                self.resources.append(Resource(tok.name, attr, url, origin, directive,
                                               self.lines(tag.start)))


    def _embed(self, tok: Token, tag: Tag, attr: str, url: str, directive: str) -> bool:
        """A third-party image, stylesheet, medium, object or hint no theme claims: one
        tracker for the element, with every third-party URL it loads (a srcset's too)."""
        href = self.third_party(url, "connect-src" if directive == "hint" else directive)
        if href is None:
            return False
        hint = tag.name == "link" and _is_hint(tag)
        loads = tuple((d, h) for _, u, d in _resource_urls(tag) if d not in ("hint",
                      "form-action") and (h := self.third_party(u, d)) is not None)
        end = _element_end(self.html, tok) if tok.name in _END_SEARCHED else None
        self.track(tok, THIRD_PARTY, "hint" if hint else "resource", href, False,
                   _element_label(tag, attr), end, () if hint else loads)
        return True


def _is_hint(tag: Tag) -> bool:
    rels = (tag.get("rel") or "").lower().split()
    return any(r in _HINT_RELS for r in rels) and not any(r in _LINK_DIRECTIVES for r in rels)


def _element_label(tag: Tag, attr: str) -> str:
    if tag.name == "link":
        return f"<link rel={(tag.get('rel') or '').strip()}>"
    return f"<{tag.name} {attr}>"


def _element_end(html: str, tok: Token) -> int:
    """Past the end tag closing ``tok`` (nested same-name elements counted), or past the
    start tag when there is none."""
    rx = _same_name(tok.name)
    depth = 0
    for m in rx.finditer(html, tok.end):
        if m.group(1):
            if depth == 0:
                return m.end()
            depth -= 1
        else:
            depth += 1
    return tok.end


@cache
def _same_name(name: str) -> re.Pattern[str]:
    return re.compile(rf"<(/?){name}(?=[\t\n\f\r />])[^>]*>", re.I)


@cache
def _host_needles() -> tuple[str, ...]:
    """The plain substrings (each vendor host's last two labels) that must occur in a script
    before :func:`_host_regex` is worth running: most scripts name none."""
    hosts = vendor_hosts()
    return tuple(sorted({".".join(h.strip(".").split(".")[-2:])
                         for h in [*hosts.exact, *(sfx for sfx, _ in hosts.suffix)]}))


@cache
def _host_regex() -> re.Pattern[str]:
    """One regex for every vendor host. Compiled on the first script that names a needle
    (2.7 ms: a build whose scripts name no vendor host never pays it)."""
    hosts = vendor_hosts()
    alts = [re.escape(h) for h in sorted(hosts.exact, key=len, reverse=True)]
    alts += [r"[a-z0-9-]+" + re.escape(suffix) for suffix, _ in hosts.suffix]
    return re.compile(rf"(?<![a-z0-9.-])(?:{'|'.join(alts)})(?![a-z0-9-])", re.I)


def _host_literal(text: str) -> str | None:
    """A vendor host named in script text (a hand-written loader the catalog's ``detect``
    patterns do not know): the script is the vendor's, whatever it does with the host."""
    low = text.lower()
    if not any(n in low for n in _host_needles()):
        return None
    m = _host_regex().search(text)
    return vendor_hosts().service_of(m.group(0)) if m else None


_T = TypeVar("_T")
_CACHED_TEXT = 1 << 14
"""Script and style texts up to 16 KB have their facts remembered (512 of each, a few MB at
most): a site repeats the same inline scripts and styles on every page (Material: five
scripts and a style), and hashing them and running every catalog ``detect`` pattern over
them was a fifth of the scan. Longer texts are rare and computed each time."""


def _per_text(fn: Callable[[str], _T]) -> Callable[[str], _T]:
    """``fn`` (a pure function of one text) remembered for texts up to :data:`_CACHED_TEXT`."""
    remembered = lru_cache(maxsize=512)(fn)

    def call(text: str) -> _T:
        return remembered(text) if len(text) <= _CACHED_TEXT else fn(text)

    call.__doc__ = fn.__doc__
    return call


@_per_text
def _text_label(text: str) -> tuple[str, str]:
    """An inline script's or style's CSP hash source and first line."""
    return sha256_source(text), first_line(text)


@_per_text
def _inline_service(text: str) -> str | None:
    """The catalog service an inline script is, by its ``detect`` patterns or a vendor host
    it names."""
    return detect("inline", text) or _host_literal(text)


@_per_text
def _script_literals(text: str) -> tuple[tuple[str, str], ...]:
    return tuple(script_literals(text))


@_per_text
def _css_loads(text: str) -> tuple[tuple[str, str], ...]:
    return tuple(css_loads(text))


_DOCTYPE = re.compile(r"\A\ufeff?\s*(?:<!--.*?-->\s*)*<!doctype[^>]*>", re.I | re.S)


def _doctype_end(html: str) -> int | None:
    m = _DOCTYPE.match(html)
    return m.end() if m else None

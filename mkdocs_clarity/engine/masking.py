"""Clarity masking: which start tags get ``data-clarity-mask="true"`` / ``data-clarity-unmask="true"``.

Selectors come from ``masking.mask`` / ``masking.unmask``; the mode adds defaults (strict: the
whole ``<body>``; balanced: forms, form controls and elements whose text holds e-mail
addresses or long digit runs; relaxed: nothing). The result is a list of *insertions by
offset* into the original text, so the page rewrite stays a byte-preserving splice.

Speed: a simple selector (``type``, ``.class``, ``#id``, ``[attr]``, ``[attr=v]`` and
compounds of those, in comma lists) is found by a literal search for its most specific part,
then checked on the one tag around each hit. Only a selector with combinators or
pseudo-classes needs a tree: those fall back to BeautifulSoup (``html.parser``, which records
where each tag starts) + soupsieve, and only on pages where a literal from the selector occurs.

Clarity masks whatever carries ``data-clarity-mask`` whatever its value, so ``="false"`` is
never written; an element matched by both lists stays masked (with a warning).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache, cached_property
from typing import TYPE_CHECKING

from consent_generator.errors import UserError
from consent_generator.model import MaskingConfig
from consent_generator.selectors import selector_problem
from mkdocs_clarity.engine.masking_rules import (
    BALANCED_SELECTORS,
    DIGIT_RUN,
    EMAIL_DOMAIN,
    EMAIL_LOCAL,
    MASK_ATTR,
    MASK_TEXT,
    UNMASK_ATTR,
    UNMASK_TEXT,
    VOID_ELEMENTS,
    VendorMarks,
    is_long_number,
    vendor_marks,
)
from mkdocs_clarity.engine.scan import Attr, Tag, in_spans, tag_at

if TYPE_CHECKING:
    from consent_generator.model import ServiceConfig

_ALL_ZERO = str.maketrans("123456789", "000000000")
_FOUR_ZEROS_TO_BRACKET = re.compile("0000[^<>]*+([<>]?)")
TagIndex = Mapping[str, Sequence[int]]
"""Start offsets of tags by name, as the scan's tokenizer found them."""
Spans = tuple[tuple[int, int], ...] | list[tuple[int, int]]
"""Sorted, disjoint (start, end) offsets of comments and raw text, where no tag can be (the
scan's opaque spans)."""

_SIMPLE_PART = re.compile(
    r"""(?P<type>[a-zA-Z][\w-]*|\*)|\.(?P<cls>-?[_a-zA-Z][\w-]*)|\#(?P<id>[\w-]+)"""
    r"""|\[\s*(?P<attr>[a-zA-Z_:][\w:.-]*)\s*(?:(?P<op>=)\s*(?P<val>"[^"]*"|'[^']*'|[\w-]+)\s*)?\]""")


class MaskingError(UserError):
    """A masking selector that is not valid CSS (the policy engineer reports it with its line;
    this is the last line of defence for ``mkdocs-clarity apply`` with a hand-built model)."""


@dataclass(frozen=True)
class Simple:
    """A compound of simple selectors: every part must hold for the same tag."""

    text: str
    type: str | None = None
    classes: tuple[str, ...] = ()
    id: str | None = None
    attrs: tuple[tuple[str, str | None], ...] = ()

    def literal(self) -> tuple[str, str]:
        """(kind, text) of the most selective literal to search for."""
        if self.id:
            return "value", self.id
        if self.classes:
            return "value", max(self.classes, key=len)
        if self.attrs:
            name, value = self.attrs[0]
            return ("value", value) if value else ("attr", name)
        return "type", self.type or ""

    def matches(self, tag: Tag) -> bool:
        if self.type and self.type != "*" and tag.name != self.type:
            return False
        if self.id is not None and tag.get("id") != self.id:
            return False
        if self.classes:
            have = set((tag.get("class") or "").split())
            if not all(c in have for c in self.classes):
                return False
        for name, value in self.attrs:
            got = tag.get(name)
            if got is None or (value is not None and got != value):
                return False
        return True


@dataclass(frozen=True)
class Complex:
    """A selector needing a tree (combinators, pseudo-classes)."""

    text: str
    literals: tuple[str, ...]
    """Words that must occur in a page for the selector to possibly match."""


@dataclass(frozen=True)
class Descendant:
    """``A B C``: compounds joined by descendant combinators, found without a tree by
    nesting each candidate in the extents (start tag to matching end tag) of its ancestors."""

    text: str
    chain: tuple[Simple, ...]


Selector = Simple | Descendant | Complex


def _parse_simple(text: str) -> Simple | None:
    pos, type_, classes, id_, attrs = 0, None, [], None, []
    text = text.strip()
    while pos < len(text):
        m = _SIMPLE_PART.match(text, pos)
        if m is None or (m.group("type") and pos != 0):
            return None
        if m.group("type"):
            type_ = m.group("type").lower()
        elif m.group("cls"):
            classes.append(m.group("cls"))
        elif m.group("id"):
            if id_ is not None:
                return None
            id_ = m.group("id")
        else:
            val = m.group("val")
            if val and val[0] in "\"'":
                val = val[1:-1]
            attrs.append((m.group("attr").lower(), val if m.group("op") else None))
        pos = m.end()
    if type_ is None and not classes and id_ is None and not attrs:
        return None
    return Simple(text, type_, tuple(classes), id_, tuple(attrs))


@cache
def compile_selector(text: str) -> tuple[Selector, ...]:
    """One selector list from the policy -> its parts; MaskingError when it is not CSS."""
    problem = selector_problem(text)  # soupsieve only for what is not plain CSS
    if problem:
        raise MaskingError(f"masking selector {text!r} is not valid CSS: {problem}")
    out: list[Selector] = []
    for part in _split_commas(text):
        simple = _parse_simple(part)
        chain = [_parse_simple(p) for p in part.split()]
        if simple is not None:
            out.append(simple)
        elif len(chain) > 1 and all(chain) and not re.search(r"[>+~]", part):
            out.append(Descendant(part.strip(), tuple(chain)))  # type: ignore[arg-type]
        else:
            words = re.findall(r"[A-Za-z_][\w-]{2,}", re.sub(r":[\w-]+(\([^)]*\))?", " ", part))
            out.append(Complex(part.strip(), tuple(words)))
    return tuple(out)


def _split_commas(text: str) -> list[str]:
    parts: list[str] = []
    cur: list[str] = []
    depth = 0
    for ch in text:
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    parts.append("".join(cur))
    return [p for p in parts if p.strip()]


@dataclass(frozen=True)
class CompiledMasking:
    mode: str
    mask: tuple[Selector, ...]
    unmask: tuple[Selector, ...]
    marks: VendorMarks = field(default_factory=VendorMarks)
    """The enabled recorders' marks written beside Clarity's (Hotjar, PostHog)."""

    @property
    def empty(self) -> bool:
        return self.mode == "relaxed" and not self.mask and not self.unmask

    @cached_property
    def type_names(self) -> frozenset[str]:
        """Tag names whose offsets the scan should collect for us (see scan_page(index=)).

        Computed once per compiled masking (it was ~15 µs on every page): the fields it reads
        are frozen, and the value lives in the instance's ``__dict__``, which the generated
        ``__eq__``/``__hash__``/``__repr__`` never read."""
        names = set()
        for sel in (*self.mask, *self.unmask):
            parts = sel.chain if isinstance(sel, Descendant) else (sel,)
            for part in parts:
                if isinstance(part, Simple) and part.literal()[0] == "type" and \
                        part.type not in (None, "*"):
                    names.add(part.type)
        return frozenset(names)


def compile_masking(cfg: MaskingConfig,
                    services: Iterable[ServiceConfig] = ()) -> CompiledMasking:
    """Compile every selector once per site; raises MaskingError on the first bad one.
    ``services``: the policy's, whose session recorders add their marks."""
    mask: list[Selector] = []
    for text in cfg.mask:
        mask += compile_selector(text)
    if cfg.mode == "balanced":
        for text in BALANCED_SELECTORS:
            mask += compile_selector(text)
    unmask: list[Selector] = []
    for text in cfg.unmask:
        unmask += compile_selector(text)
    return CompiledMasking(cfg.mode, tuple(mask), tuple(unmask), vendor_marks(s.spec for s in services))


@dataclass
class MaskResult:
    insertions: list[tuple[int, str]] = field(default_factory=list)
    """(offset, text) pairs, sorted by offset; text starts with a space."""
    masked: int = 0
    unmasked: int = 0
    warnings: list[str] = field(default_factory=list)


def _literal_hits(html: str, kind: str, word: str) -> list[int]:
    """Offsets of '<' of candidate tags for one literal."""
    out: list[int] = []
    if kind == "type":
        # Two literal searches (lower and upper case) are far faster than one re.I search;
        # mixed-case tag names (<Input>) are not looked for.
        for variant in dict.fromkeys((word.lower(), word.upper())):
            for m in re.finditer(rf"<{re.escape(variant)}(?=[\t\n\f\r />])", html):
                out.append(m.start())
        return sorted(out)
    find = html.find
    i = find(word)
    while i >= 0:
        lt = html.rfind("<", 0, i)
        if lt >= 0 and (not out or out[-1] != lt):
            out.append(lt)
        i = find(word, i + len(word))
    return out


def _simple_tags(html: str, sel: Simple, opaque: Spans, body_start: int,
                 tag_index: TagIndex | None = None) -> list[Tag]:
    kind, word = sel.literal()
    tags = []
    if kind == "type" and tag_index is not None and word in tag_index:
        hits = tag_index[word]  # found by the scan's tokenizer, already outside opaque text
        opaque = ()  # (the tokenizer's tags and its comments and raw text never overlap)
    else:
        hits = _literal_hits(html, kind, word)
    for lt in hits:
        if (lt < body_start and sel.type != "body") or (opaque and in_spans(opaque, lt)):
            continue
        tag = tag_at(html, lt)
        if tag is not None and sel.matches(tag):
            tags.append(tag)
    return tags


@cache
def _open_or_close(name: str) -> re.Pattern[str]:
    return re.compile(rf"<(/?){re.escape(name)}(?=[\t\n\f\r />])")


def _element_end(html: str, tag: Tag, opaque: Spans) -> int:
    """Offset just past the end tag matching ``tag`` (same-name nesting counted)."""
    if tag.name in VOID_ELEMENTS or tag.self_closing:
        return tag.end
    depth = 1
    for m in _open_or_close(tag.name).finditer(html, tag.end):  # no slice: huge pages
        pos = m.start()
        if in_spans(opaque, pos):
            continue
        depth += -1 if m.group(1) else 1
        if depth == 0:
            end = html.find(">", pos)
            return len(html) if end < 0 else end + 1
    return len(html)


def _descendant_tags(html: str, sel: Descendant, opaque: Spans, body_start: int,
                     tag_index: TagIndex | None = None) -> list[Tag]:
    spans: list[tuple[int, int]] | None = None
    found: list[Tag] = []
    for i, compound in enumerate(sel.chain):
        tags = _simple_tags(html, compound, opaque, body_start, tag_index)
        if spans is not None:
            tags = [t for t in tags if _strictly_inside(spans, t.start)]
        if i == len(sel.chain) - 1:
            found = tags
        else:
            spans = _extents(html, tags, opaque)
            if not spans:
                return []
    return found


def _extents(html: str, tags: list[Tag], opaque: Spans) -> list[tuple[int, int]]:
    """The union of the elements' extents (start tag to end tag), as sorted disjoint spans.

    A candidate inside an extent already found is nested in it and adds nothing, so its end
    is never looked for: every part of the page is walked at most once per compound (one
    search per candidate made ``div p`` on a page of many divs quadratic)."""
    spans: list[tuple[int, int]] = []
    for t in sorted(tags, key=lambda t: t.start):
        if spans and t.start < spans[-1][1]:
            continue
        spans.append((t.start, _element_end(html, t, opaque)))
    return spans


def _strictly_inside(spans: list[tuple[int, int]], offset: int) -> bool:
    """``a < offset < b`` for one of the sorted, disjoint ``spans``."""
    i = bisect.bisect_left(spans, (offset,)) - 1
    return i >= 0 and spans[i][0] < offset < spans[i][1]


def _complex_tags(html: str, sels: list[Complex]) -> dict[str, list[Tag]]:
    """Tags matched by each complex selector, located through html.parser's positions."""
    if not sels:
        return {}
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    line_starts = [0]
    for m in re.finditer("\n", html):
        line_starts.append(m.end())
    out: dict[str, list[Tag]] = {}
    for sel in sels:
        found = []
        for el in soup.select(sel.text):
            if el.sourceline is None or el.sourcepos is None:
                continue
            offset = line_starts[el.sourceline - 1] + el.sourcepos
            tag = tag_at(html, offset)
            if tag is not None:
                found.append(tag)
        out[sel.text] = found
    return out


def _text_hits(html: str, body_start: int, body_end: int, opaque: Spans) -> list[int]:
    """Offsets of e-mail addresses and long digit runs in the body (not in scripts/comments)."""
    hits = []
    i = html.find("@", body_start, body_end)
    while i >= 0:
        local = EMAIL_LOCAL.search(html, max(body_start, i - 64), i)
        domain = EMAIL_DOMAIN.match(html, i + 1)
        if local and domain and not in_spans(opaque, i):
            hits.append(local.start())
        i = html.find("@", i + 1, body_end)
    run_end = -1
    for j in _digit_candidates(html, body_start, body_end):
        if j < run_end:
            continue  # still in the run just measured: it would give the same start again
        while j - 1 > body_start and (html[j - 1].isdigit() or (
                html[j - 1] in " -" and html[j - 2].isdigit())):
            j -= 1
        run = DIGIT_RUN.match(html, j)
        if run is None:
            continue
        run_end = run.end()
        if is_long_number(run.group()) and not in_spans(opaque, j):
            hits.append(j)
    return sorted(set(hits))


_CHUNK = 1 << 18
"""Characters translated at a time by :func:`_digit_candidates` (a huge page is not copied
whole: a slice and its translation are alive at once, so a chunk of 1 MB was 2 MB more at the
peak of a 1 MB page's planning)."""


def _digit_candidates(html: str, body_start: int, body_end: int) -> Iterator[int]:
    """Offsets of four digits in a row in text: the next angle bracket after them is a '<'
    (inside a tag it would be '>'), so the digits of URLs and SVG paths are left out.

    Digits are all mapped to "0" so the regex engine looks for "0000" at C speed (a pattern
    starting with \\d would try every digit of every SVG path); the body is translated in
    chunks that end just after a '<', so no run and no look-ahead crosses a chunk. The next
    '<' and '>' are looked up once per stretch of text, not once per match (a look-ahead
    from each match rescanned a long untagged text, e.g. a big table of numbers in a <pre>,
    once per number)."""
    start = body_start
    while start < body_end:
        cut = html.find("<", min(start + _CHUNK, body_end), body_end)
        end = body_end if cut < 0 else cut + 1
        zeros = html[start:end].translate(_ALL_ZERO)
        # One match runs from four digits to the next angle bracket: every group of four in
        # it has that bracket next, so a group inside a tag ('>') costs nothing more.
        for m in _FOUR_ZEROS_TO_BRACKET.finditer(zeros):
            if m.group(1) == "<":
                stop = m.start(1)
                at = m.start()
                while 0 <= at < stop:
                    yield start + at
                    at = zeros.find("0000", at + 4, stop)
        start = end


def _in_tag(html: str, offset: int, floor: int) -> bool:
    return html.rfind("<", floor, offset) > html.rfind(">", floor, offset)


_WSP = r"[\t\n\f\r ]"


def _leaf(group: str) -> str:
    """A start tag, text without ``<``, its end tag (``<span class="k">def</span>``)."""
    return rf"<(?P<{group}>[a-zA-Z][\w:-]*+)(?![\w:-])[^>]*+>[^<]*+</(?P={group}){_WSP}*+>"


_VOID_TAG = (rf"<(?:(?i:{'|'.join(sorted(VOID_ELEMENTS))})(?![\w:-])[^>]*+"
             r"|[a-zA-Z][\w:-]*+[^>]*+(?<=/))>")
"""A tag that opens nothing: a void element, or any self-closed tag (``<path d="..."/>``),
which the walk does not open either (:func:`_step`). Self-closed tags count so that an
inline SVG icon (``<svg><path/></svg>``) and the paragraph around it stay one match."""


def _wrap(group: str, inner: str) -> str:
    """An element holding only text and ``inner`` (balanced by construction), up to its end
    tag: it leaves the stack of open elements as it was, like a leaf. Not ``<div/>``: the walk
    does not open a self-closed tag, so its end tag would close an element further out."""
    return (rf"<(?P<{group}>[a-zA-Z][\w:-]*+)(?![\w:-])[^>]*+(?<!/)>(?:[^<]++|{inner})*+"
            rf"</(?P={group}){_WSP}*+>")


_TAG = r"(?P<close>/?)(?P<name>[a-zA-Z][\w:-]*+)[^>]*+>"
_TAGISH_FLAT = re.compile(rf"{_leaf('leaf')}|<{_TAG}")
"""A tag, or a whole leaf element, which leaves the stack of open elements as it was: most of
the tags of a page (highlighted code, table cells, inline markup) are consumed by the regex
engine instead of costing a Python step each."""
WRAP_DEPTH = 4
"""Levels of elements (the wrapped one included) that :data:`_TAGISH` takes as one match."""


def _items(levels: int) -> str:
    """What a wrapped element may hold besides text, ``levels`` levels deep: leaf elements,
    tags that open nothing and, below the last level, wrapped elements."""
    inner = f"{_leaf(f'l{levels}')}|{_VOID_TAG}"
    if levels > 1:
        inner = f"{_wrap(f'w{levels}', _items(levels - 1))}|{inner}"
    return inner


_TAGISH = re.compile(rf"(?P<wrap>{_wrap('w', _items(WRAP_DEPTH - 1))})|{_leaf('leaf')}|<{_TAG}")
""":data:`_TAGISH_FLAT`, and also whole elements up to :data:`WRAP_DEPTH` levels deep made
of text, leaf elements and tags that open nothing: a navigation item
(``<li><a><span>Page</span></a></li>``) is one match instead of five Python steps (1,000 of
them precede the content of every page of a 1,000-page Material site), and so is a highlighted
code block (``<div><pre><code><span>``) or a table section. An offset inside such a match is
resolved by walking the match flat (:func:`_inside`). Fewer levels never match more: a wrap
of fewer levels is also one of more, so no shallower alternative is tried after a deep one
failed (that was a second scan of the element for nothing)."""


def _enclosing_all(html: str, offsets: list[int], body_start: int,
                   opaque: Spans, tagish: re.Pattern[str] = _TAGISH) -> list[Tag | None]:
    """The innermost element containing each of the sorted ``offsets`` (the tag itself when
    the offset is inside one), in ONE forward walk over the body's tags.

    Why one walk: looking backwards from every hit (as this once did, over a 20,000-character
    window) made a page with many e-mail addresses or numbers cost hits x window, 77 % of a
    4 MB page's apply time. Walking forwards with a stack of open elements is linear in the
    page and has no window to fall out of. An end tag closes up to its open element (so an
    implicitly closed ``<li>``/``<p>`` is not taken for the parent); tags inside comments and
    raw text (``opaque``) are not tags.
    """
    out: list[Tag | None] = []
    stack: list[tuple[str, int]] = []
    walk = _walk(html, body_start, opaque, tagish)  # lazily: stops at the last offset
    m, hidden = next(walk, (None, False))
    i, count = 0, len(offsets)
    top: tuple[int, Tag | None] = (-1, None)  # the stack top's tag, parsed once
    while i < count:
        offset = offsets[i]
        while m is not None and m.end() <= offset:
            if not hidden:  # not inside a comment or raw text
                _step(stack, m)
            m, hidden = next(walk, (None, False))
        if m is not None and m.start() < offset:  # inside this match's text
            j, end = i + 1, m.end()
            while j < count and offsets[j] < end:
                j += 1
            out += _inside_all(html, m, offsets[i:j], opaque)  # a paragraph's hits at once
            i = j
            continue
        if not stack:
            out.append(None)
        else:
            if top[0] != stack[-1][1]:
                top = (stack[-1][1], tag_at(html, stack[-1][1]))
            out.append(top[1])
        i += 1
    return out


def _walk(html: str, start: int, opaque: Spans,
          tagish: re.Pattern[str]) -> Iterator[tuple[re.Match[str], bool]]:
    """The matches of ``tagish`` from ``start``, each with whether it starts inside a comment
    or raw text. A wrapped element that meets one is taken tag by tag (flat) up to that span's
    end, then wrapping resumes: finditer is memoryless, so from any match boundary both walks
    see what the flat walk sees, and a wrap that meets no span moves the stack as its tags
    would (it is balanced)."""
    # The first span that may hold or follow ``start`` (a walk inside one element starts
    # mid-page: stepping through every span before it made many hits quadratic).
    i = max(0, bisect.bisect_right(opaque, (start, start)) - 1)
    span = opaque[i] if i < len(opaque) else None
    matches = tagish.finditer(html, start)
    flat_until = -1
    while (m := next(matches, None)) is not None:
        at = m.start()
        while span is not None and span[1] <= at:
            i += 1
            span = opaque[i] if i < len(opaque) else None
        if m.re is not tagish:
            if at >= flat_until:
                matches = tagish.finditer(html, at)
                continue
        elif (tagish is _TAGISH and span is not None and span[0] < m.end()
              and m.group("wrap") is not None):
            flat_until = span[1]
            matches = _TAGISH_FLAT.finditer(html, at)
            continue
        yield m, span is not None and span[0] <= at


_NEAR_TRIES = 8
"""Start tags before an offset that :func:`_enclosing_near` walks from, at most."""
_NEAR_SPAN = 4096
"""Characters before and after an offset that :func:`_enclosing_near` may look at."""
_NEAR_HITS = 32
"""Offsets a page may have for :func:`_enclosing_hits` to try short walks: a page with more
(a table of phone numbers) has them close together, where the one walk from the body's
start costs less per offset (``bench/huge_page.py``'s 1 MB page, ~2,000 hits: 0.08 s with
the one walk; 0.12-0.17 s when short walks were tried first, with 20,000 steps allowed)."""
_NEAR_BUDGET = 2_000
"""Matches :func:`_enclosing_near` may step a page, all offsets together: past it the
other offsets take the walk from the body's start, so a page costs at most that much more
than it did, whatever its markup (each step looks at most at the span around its
offset)."""


def _enclosing_hits(html: str, offsets: list[int], body_start: int,
                    opaque: Spans) -> list[Tag | None]:
    """:func:`_enclosing_all` for the sorted ``offsets``: each answered from a short walk
    that starts at a start tag just before it when that walk can decide
    (:func:`_enclosing_near`), the others by the one walk from the body's start.

    Why: that walk passes every tag before the offset, the navigation of a Material page
    first (0.5-0.9 ms for a 58 KB page holding one e-mail address, several ms at 320 KB),
    while the element around an address or a phone number is almost always opened a few
    tags before it."""
    if len(offsets) > _NEAR_HITS:
        return _enclosing_all(html, offsets, body_start, opaque)
    out: list[Tag | None] = []
    rest: list[int] = []
    budget = [_NEAR_BUDGET]
    for i, offset in enumerate(offsets):
        decided, tag = _enclosing_near(html, offset, body_start, opaque, budget)
        out.append(tag)
        if not decided:
            rest.append(i)
    if rest:
        for i, tag in zip(rest, _enclosing_all(html, [offsets[i] for i in rest], body_start,
                                                opaque), strict=True):
            out[i] = tag
    return out


def _enclosing_near(html: str, offset: int, body_start: int, opaque: Spans,
                    budget: list[int]) -> tuple[bool, Tag | None]:
    """(decided, element): what :func:`_enclosing_all` gives for ``offset``, from a flat
    walk that starts at one of the :data:`_NEAR_TRIES` last start tags before it with no
    open element, when that walk can tell.

    Exact because the walk from the body's start reaches such a tag with some stack of
    open elements, then steps as this walk does (it is memoryless from a match boundary)
    as long as every end tag closes an element opened since the tag, which this walk
    checks: then the elements this walk has open are on top of that stack. So when the
    offset is inside a tag or leaf element (the answer does not depend on the stack), or
    when this walk has an element open at the offset (its innermost is the top), the
    answer is the same; otherwise (nothing open, or an end tag that may close something
    opened before) it is not decided here. The tag must be where the walk from the body's
    start has a match boundary: no ``<`` between the ``>`` before it and it (a match
    holding it would have to start at such a ``<``: a tag ends at its first ``>``, a leaf
    element's text holds no ``<`` and its end tag is no start tag). A tag inside a comment
    or raw text is not tried: neither walk steps it, so nothing would be open. Only
    :data:`_NEAR_SPAN` characters on either side are looked at (else: not decided)."""
    floor = max(body_start, offset - _NEAR_SPAN)
    end = offset
    for _ in range(_NEAR_TRIES):
        at = html.rfind("<", floor, end)
        if at < 0 or budget[0] <= 0:
            return False, None
        end = at
        first = html[at + 1:at + 2]
        if not (first.isascii() and first.isalpha()) or in_spans(opaque, at):
            continue  # not a start tag, or not one to the walk
        before = html.rfind(">", floor, at)
        if before < 0 or html.find("<", before + 1, at) >= 0:
            continue  # maybe inside a match of the walk from the body's start
        decided, tag = _walk_from(html, at, offset, opaque, budget)
        if decided:
            return True, tag
    return False, None


def _walk_from(html: str, start: int, offset: int, opaque: Spans,
               budget: list[int]) -> tuple[bool, Tag | None]:
    """:func:`_enclosing_near`'s walk from the start tag at ``start`` to ``offset``: the
    matches ``finditer`` would give, found at each ``<`` in turn (a match starts at one),
    each attempt bounded: it ends at the first ``>`` after its start (a tag) or at the end
    tag after the first ``<`` after that ``>`` (a leaf element), and both must be within
    :data:`_NEAR_SPAN` after the offset."""
    stack: list[tuple[str, int]] = []
    limit = min(len(html), offset + _NEAR_SPAN)
    pos = start
    while (lt := html.find("<", pos, offset)) >= 0:
        budget[0] -= 1
        if budget[0] < 0:
            return False, None
        gt = html.find(">", lt, limit)
        nxt = html.find("<", gt, limit) if gt >= 0 else -1
        if nxt < 0 or html.find(">", nxt, limit) < 0:
            return False, None  # a match here could reach past what may be looked at
        m = _TAGISH_FLAT.match(html, lt)
        if m is None:
            pos = lt + 1
            continue
        if m.end() > offset:  # inside this match: decided by the match alone
            return True, _inside(html, m, offset, opaque)
        if not in_spans(opaque, lt) and not _step_closes_own(stack, m):
            return False, None
        pos = m.end()
    if not stack:
        return False, None
    return True, tag_at(html, stack[-1][1])


def _step_closes_own(stack: list[tuple[str, int]], m: re.Match[str]) -> bool:
    """:func:`_step`, False for an end tag that closes no element on ``stack``."""
    if m.group("close") and m.group("name").lower() not in (name for name, _ in stack):
        return False
    _step(stack, m)
    return True


def _step(stack: list[tuple[str, int]], m: re.Match[str]) -> None:
    """Update the open-element stack for one tag match of :data:`_TAGISH`."""
    name = m.group("name")
    if name is None:
        return  # a leaf or wrapped element: opened and closed
    name = name.lower()
    if m.group("close"):
        for depth in range(len(stack) - 1, -1, -1):
            if stack[depth][0] == name:
                del stack[depth:]
                break
    elif name not in VOID_ELEMENTS and not m.group(0).endswith("/>"):
        stack.append((name, m.start()))


def _inside_all(html: str, m: re.Match[str], offsets: list[int],
                opaque: Spans) -> list[Tag | None]:
    """:func:`_inside` for sorted offsets inside one match: a wrapped element is walked flat
    once for all of them (a paragraph holding an address and a phone number is one walk)."""
    if m.re is _TAGISH and m.group("wrap") is not None:
        return _enclosing_all(html, offsets, m.start(), opaque, _TAGISH_FLAT)
    return [_inside(html, m, offset, opaque) for offset in offsets]


def _inside(html: str, m: re.Match[str], offset: int, opaque: Spans) -> Tag | None:
    """The element for an offset inside match ``m``, a tag or a leaf element (a wrapped
    element is walked flat by :func:`_inside_all`): its start tag when the offset is in it or
    in a leaf element's text, None inside an end tag."""
    if m.group("close"):
        return None
    tag = tag_at(html, m.start())
    if tag is None:
        return None
    if tag.end > offset:
        return tag
    return tag if m.group("leaf") and offset < html.rfind("</", 0, m.end()) else None


def find_masks(html: str, compiled: CompiledMasking, *, opaque: Spans = (),
               body_tag: Tag | None = None, body_end: int | None = None, path: str = "",
               tag_index: TagIndex | None = None) -> MaskResult:
    """Where to insert the mask/unmask attributes in ``html`` (see the module docstring).

    ``opaque``: sorted spans of comments and raw text (from the scan), where no tag can be.
    ``body_tag``: the ``<body>`` start tag (strict mode masks it; defaults skip the head).
    ``tag_index``: start offsets by tag name from ``scan_page(index=compiled.type_names)``;
    without it each type selector is one search of the page.
    """
    result = MaskResult()
    body_start = body_tag.end if body_tag is not None else 0
    body_end = len(html) if body_end is None else body_end
    masks: dict[int, Tag] = {}
    unmasks: dict[int, tuple[Tag, str]] = {}

    if compiled.mode == "strict" and body_tag is not None:
        masks[body_tag.start] = body_tag

    complex_sels = [s for s in (*compiled.mask, *compiled.unmask) if isinstance(s, Complex)
                    and all(w in html for w in s.literals)]
    complex_found = _complex_tags(html, complex_sels)

    def tags_for(sel: Selector) -> list[Tag]:
        if isinstance(sel, Simple):
            return _simple_tags(html, sel, opaque, body_start, tag_index)
        if isinstance(sel, Descendant):
            return _descendant_tags(html, sel, opaque, body_start, tag_index)
        return complex_found.get(sel.text, [])

    for sel in compiled.mask:
        for tag in tags_for(sel):
            masks.setdefault(tag.start, tag)
    if compiled.mode == "balanced":
        hits = _text_hits(html, body_start, body_end, opaque)
        for enclosing in _enclosing_hits(html, hits, body_start, opaque):
            if enclosing is not None:
                masks.setdefault(enclosing.start, enclosing)
    for sel in compiled.unmask:
        for tag in tags_for(sel):
            unmasks.setdefault(tag.start, (tag, sel.text))

    for start, (tag, text) in unmasks.items():
        if start in masks or _has(tag, MASK_ATTR):
            result.warnings.append(
                f"{path}: <{tag.name}> at offset {start} matches masking.unmask {text!r} but is "
                "also masked: it stays masked (masking wins)")
            continue
        if _has(tag, UNMASK_ATTR):
            continue
        result.insertions.append((tag.insertion_offset(html), UNMASK_TEXT))
        result.unmasked += 1
    for tag in masks.values():
        result.insertions += _mark_insertions(html, tag, compiled.marks)
        result.masked += not _has(tag, MASK_ATTR)
    result.insertions.sort()
    return result


def _has(tag: Tag, name: str) -> bool:
    """``tag.has(name)`` for a lower-case ``name``, without parsing the attributes of a tag
    whose text does not hold the name at all (most masked tags: a page's every paragraph with
    a phone number is one)."""
    return name in tag.attrs_text.lower() and tag.has(name)


def _mark_insertions(html: str, tag: Tag, marks: VendorMarks) -> list[tuple[int, str]]:
    """Clarity's mark and each enabled recorder's, for what one masked start tag lacks: one
    insertion before its end (``MASK_TEXT`` alone when no other recorder is enabled), plus
    the class names added inside an existing ``class`` attribute."""
    offset = tag.insertion_offset(html)
    text = "" if _has(tag, MASK_ATTR) else MASK_TEXT
    if not marks:  # Clarity alone (the usual case): no class attribute to look at
        return [(offset, text)] if text else []
    text += "".join(f" {a}" for a in marks.attributes if not tag.has(a))
    words = " ".join(c for c in marks.classes if c not in (tag.get("class") or "").split())
    out: list[tuple[int, str]] = []
    cls = next((a for a in tag.attrs if a.name == "class"), None)
    if words and cls is None:
        text += f' class="{words}"'
    elif words and cls is not None:
        at_end, out = _class_insertions(html, cls, words)
        if at_end and cls.end == offset:
            text = at_end + text  # one insertion there: the attribute's end comes first
        elif at_end:
            out.append((cls.end, at_end))
    return ([(offset, text)] if text else []) + out


def _class_insertions(html: str, cls: Attr, words: str) -> tuple[str, list[tuple[int, str]]]:
    """Class names added to an existing ``class`` attribute: at the end of a quoted value, in
    front of an unquoted one (which gets quoted), or as the value of a bare ``class``. The
    text due at the attribute's very end (a closing quote, a bare attribute's value) is
    returned apart: it may share its offset with the tag's other marks and must come first."""
    raw = html[cls.start:cls.end]
    eq = raw.find("=")
    if eq < 0:
        return f'="{words}"', []
    value = raw[eq + 1:].lstrip()
    if value[:1] in ("\"", "'"):
        return "", [(cls.end - 1, " " + words)]
    return '"', [(cls.end - len(value), f'"{words} ')]

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

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache

from consent_generator.errors import UserError
from consent_generator.model import MaskingConfig

from .masking_rules import (
    BALANCED_SELECTORS,
    DIGIT_RUN,
    EMAIL_DOMAIN,
    EMAIL_LOCAL,
    MASK_ATTR,
    MASK_TEXT,
    UNMASK_ATTR,
    UNMASK_TEXT,
    VOID_ELEMENTS,
    is_long_number,
)
from .scan import Tag, in_spans, tag_at

Spans = tuple[tuple[int, int], ...]
"""Sorted (start, end) offsets of comments and raw text, where no tag can be (from the scan)."""
TagIndex = Mapping[str, Sequence[int]]
"""Start offsets of tags by name, as the scan's tokenizer found them."""

_ALL_ZERO = str.maketrans("123456789", "000000000")
_TEXT_ZEROS = re.compile(r"0000(?=[^<>]*+<)")
"""Four digits in text: the next angle bracket is a '<' (inside a tag it would be '>'), so
the digits of every URL and SVG path are rejected inside the regex engine."""

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
    import soupsieve

    try:
        soupsieve.compile(text)
    except Exception as exc:  # soupsieve.SelectorSyntaxError and friends
        raise MaskingError(f"masking selector {text!r} is not valid CSS: {exc}") from None
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

    @property
    def empty(self) -> bool:
        return self.mode == "relaxed" and not self.mask and not self.unmask

    @property
    def type_names(self) -> frozenset[str]:
        """Tag names whose offsets the scan should collect for us (see scan_page(index=))."""
        names = set()
        for sel in (*self.mask, *self.unmask):
            parts = sel.chain if isinstance(sel, Descendant) else (sel,)
            for part in parts:
                if isinstance(part, Simple) and part.literal()[0] == "type" and \
                        part.type not in (None, "*"):
                    names.add(part.type)
        return frozenset(names)


def compile_masking(cfg: MaskingConfig) -> CompiledMasking:
    """Compile every selector once per site; raises MaskingError on the first bad one."""
    mask: list[Selector] = []
    for text in cfg.mask:
        mask += compile_selector(text)
    if cfg.mode == "balanced":
        for text in BALANCED_SELECTORS:
            mask += compile_selector(text)
    unmask: list[Selector] = []
    for text in cfg.unmask:
        unmask += compile_selector(text)
    return CompiledMasking(cfg.mode, tuple(mask), tuple(unmask))


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
    else:
        hits = _literal_hits(html, kind, word)
    for lt in hits:
        if (lt < body_start and sel.type != "body") or in_spans(opaque, lt):
            continue
        tag = tag_at(html, lt)
        if tag is not None and sel.matches(tag):
            tags.append(tag)
    return tags


def _element_end(html: str, tag: Tag, opaque: Spans) -> int:
    """Offset just past the end tag matching ``tag`` (same-name nesting counted)."""
    if tag.name in VOID_ELEMENTS or tag.self_closing:
        return tag.end
    depth = 1
    for m in re.finditer(rf"<(/?){re.escape(tag.name)}(?=[\t\n\f\r />])", html[tag.end:]):
        pos = tag.end + m.start()
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
            tags = [t for t in tags if any(a < t.start < b for a, b in spans)]
        if i == len(sel.chain) - 1:
            found = tags
        else:
            spans = [(t.start, _element_end(html, t, opaque)) for t in tags]
            if not spans:
                return []
    return found


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
    # Digits: map them all to "0" and let str.find (C speed) look for four in a row; a regex
    # starting with \d would try every digit of every SVG path on the page.
    zeros = html[body_start:body_end].translate(_ALL_ZERO)
    for m in _TEXT_ZEROS.finditer(zeros):
        j = body_start + m.start()
        if hits and j < hits[-1] + 4:
            continue
        while j - 1 > body_start and (html[j - 1].isdigit() or (
                html[j - 1] in " -" and html[j - 2].isdigit())):
            j -= 1
        run = DIGIT_RUN.match(html, j)
        if run and is_long_number(run.group()) and not in_spans(opaque, j):
            hits.append(j)
    return sorted(set(hits))


def _in_tag(html: str, offset: int, floor: int) -> bool:
    return html.rfind("<", floor, offset) > html.rfind(">", floor, offset)


_TAGISH = re.compile(r"<(/?)([a-zA-Z][\w:-]*)[^>]*>")


def _enclosing(html: str, offset: int, body_start: int) -> Tag | None:
    """The innermost element containing ``offset`` (the tag itself when inside one)."""
    lt = html.rfind("<", body_start, offset)
    gt = html.rfind(">", body_start, offset)
    if lt > gt:  # inside a start tag's attributes (e.g. href="mailto:…")
        tag = tag_at(html, lt)
        return tag if tag is not None and tag.end > offset else None
    window_start = max(body_start, offset - 20000)
    closed: list[str] = []
    for m in reversed(list(_TAGISH.finditer(html, window_start, offset))):
        name = m.group(2).lower()
        if m.group(1):
            closed.append(name)
        elif name in VOID_ELEMENTS or m.group(0).endswith("/>"):
            continue
        elif closed and closed[-1] == name:
            closed.pop()
        else:
            return tag_at(html, m.start())
    return None


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
        for offset in _text_hits(html, body_start, body_end, opaque):
            enclosing = _enclosing(html, offset, body_start)
            if enclosing is not None:
                masks.setdefault(enclosing.start, enclosing)
    for sel in compiled.unmask:
        for tag in tags_for(sel):
            unmasks.setdefault(tag.start, (tag, sel.text))

    for start, (tag, text) in unmasks.items():
        if start in masks or tag.has(MASK_ATTR):
            result.warnings.append(
                f"{path}: <{tag.name}> at offset {start} matches masking.unmask {text!r} but is "
                "also masked: it stays masked (masking wins)")
            continue
        if tag.has(UNMASK_ATTR):
            continue
        result.insertions.append((tag.insertion_offset(html), UNMASK_TEXT))
        result.unmasked += 1
    for tag in masks.values():
        if tag.has(MASK_ATTR):
            continue
        result.insertions.append((tag.insertion_offset(html), MASK_TEXT))
        result.masked += 1
    result.insertions.sort()
    return result

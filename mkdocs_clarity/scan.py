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

The same :func:`tokens` stream drives :mod:`mkdocs_clarity.rewrite`, and :func:`scan_page` is
what the audit reads, so the rewrite and the audit always agree on the facts.
"""

from __future__ import annotations

import bisect
import html as htmllib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from urllib.parse import urlsplit

from consent_generator.render import BODY_END, BODY_START, HEAD_END, HEAD_START

from .csp import first_line, sha256_source

RAW_TEXT = frozenset({"script", "style", "textarea", "title", "xmp", "iframe", "noembed",
                      "noframes", "noscript"})
"""Elements whose content the HTML tokenizer does not parse as markup (noscript: with
scripting enabled, as in every browser a visitor uses)."""

INTERESTING = RAW_TEXT | frozenset({
    "html", "head", "body", "meta", "link", "img", "source", "video", "audio", "track", "embed",
    "object", "form", "template", "base", "plaintext"})
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
_ATTR = rf"(?:[\t\n\f\r /]++|[^\t\n\f\r />][^\t\n\f\r /=>]*+(?:{_WS}*+={_WS}*+{_VALUE})?+)"
_BORING_ATTR = (r"(?:[\t\n\f\r /]++|(?![sSoO][tTnN])"
                rf"[^\t\n\f\r />][^\t\n\f\r /=>]*+(?:{_WS}*+={_WS}*+{_VALUE})?+)")
"""An attribute that cannot be ``style`` or ``on…`` (those make a tag interesting)."""


def _names(names: frozenset[str]) -> str:
    return "|".join(sorted(names, key=lambda n: (-len(n), n)))


# A boring tag has an all-lowercase name (so ``<SCRIPT>``/``<sCript>`` always reach Python,
# which lowercases) that is not interesting, and no style/on attribute.
@cache
def token_regex(extra: frozenset[str] = frozenset()) -> re.Pattern[str]:
    """The tokenizer for INTERESTING plus ``extra`` tag names (masking's type selectors: the
    tokenizer then finds them in the same pass instead of one search per selector)."""
    names = _names(INTERESTING | extra)
    boring = (
        rf"(?:/(?!(?:{_names(INTERESTING_END)})[\t\n\f\r />])[a-z][a-z0-9-]*+[\t\n\f\r /]*+>"
        rf"|(?!(?:{names})[\t\n\f\r />])[a-z][a-z0-9-]*+(?=[\t\n\f\r />])"
        rf"{_BORING_ATTR}*+>"
        r"|!(?!--)[^>]*+>|\?[^>]*+>|/(?![a-zA-Z])[^>]*+>|(?![a-zA-Z/!?]))"
    )
    return re.compile(
        rf"(?:[^<]++|<{boring})*+"
        r"(?:<(?:"
        r"(?P<comment>!--(?:-?>|.*?(?:--!?>|\Z)))"
        rf"|/(?P<ename>{_NAME})[^>]*+(?:>|\Z)"
        rf"|(?P<name>{_NAME})(?P<attrs>{_ATTR}*+)(?:>|\Z)"
        r"|(?P<stray>)"
        r")|(?P<eof>\Z))",
        re.S,
    )


_STYLE_OR_ON = re.compile(r"(?i)(?:^|[\t\n\f\r /\"'])(?:style|on[a-z]+)[\t\n\f\r ]*=")
"""Cheap pre-check before parsing a tag's attributes for style/on… ones."""
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

    @property
    def attrs(self) -> list[Attr]:
        if self._attrs is None:
            self._attrs = parse_attrs(self.attrs_text, self.attrs_start)
        return self._attrs

    def get(self, name: str) -> str | None:
        for a in self.attrs:
            if a.name == name:
                return a.value if a.value is not None else ""
        return None

    def has(self, name: str) -> bool:
        return any(a.name == name for a in self.attrs)

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
        if raw is None:
            value = None
        else:
            if raw[:1] in "\"'":
                raw = raw[1:-1]
            value = htmllib.unescape(raw) if "&" in raw else raw
        out.append(Attr(name, value, base + m.start(), base + m.end()))
    return out


@dataclass(frozen=True, slots=True)
class Token:
    """One interesting token. ``kind``: comment | start | end | eof.

    For a raw-text start tag, ``content`` spans its text and ``end`` is past its end tag.
    """

    kind: str
    start: int
    end: int
    name: str = ""
    tag: Tag | None = None
    content_start: int = 0
    content_end: int = 0


def tokens(html: str, extra: frozenset[str] = frozenset()) -> Iterator[Token]:
    """The interesting tokens of ``html`` in document order (see the module docstring)."""
    pos = 0
    n = len(html)
    search = token_regex(extra).search
    while pos <= n:
        m = search(html, pos)
        if m is None or m.group("eof") is not None:
            return
        if m.group("comment") is not None:
            start = m.start("comment") - 1
            yield Token("comment", start, m.end())
            pos = m.end()
            continue
        if m.group("ename") is not None:
            start = m.start("ename") - 2
            yield Token("end", start, m.end(), m.group("ename").lower())
            pos = m.end()
            continue
        if m.group("name") is not None:
            start = m.start("name") - 1
            name = m.group("name").lower()
            tag = Tag(name, start, m.end(), m.start("attrs"), m.group("attrs"))
            if name in RAW_TEXT:
                close = _raw_end(name).search(html, m.end())
                if close is None:
                    yield Token("start", start, n, name, tag, m.end(), n)
                    return
                yield Token("start", start, close.end(), name, tag, m.end(), close.start())
                pos = close.end()
                continue
            if name == "plaintext":
                yield Token("start", start, n, name, tag, m.end(), n)
                return
            yield Token("start", start, m.end(), name, tag)
            pos = m.end()
            continue
        # a stray '<' that starts no tag: step over it
        pos = m.end()


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
class StyleAttr:
    hash: str
    """Hash of the decoded attribute value (what ``'unsafe-hashes'`` matches)."""
    value: str
    tag: str
    line: int
    injected: bool


@dataclass(frozen=True, slots=True)
class CspMeta:
    content: str
    ours: bool
    """Written by a previous run (``data-consent-csp``)."""
    original: str | None
    """For ours: the page's own policy it replaced (``data-consent-original``)."""
    line: int
    start: int
    end: int


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


@dataclass(frozen=True, slots=True)
class EventHandler:
    tag: str
    attr: str
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
    loose_gated: tuple[tuple[int, int], ...] = field(default=(), repr=False)
    """Spans of gated ``<script type="text/plain" data-consent-category>`` elements in the
    body outside any ``<template>``: Material's instant navigation would re-run them without
    their attributes, so the rewrite wraps them in a ``<template>``."""


@dataclass(frozen=True)
class _Detectors:
    script_src: tuple[tuple[str, re.Pattern[str]], ...]
    inline: tuple[tuple[str, re.Pattern[str]], ...]
    iframe_src: tuple[tuple[str, re.Pattern[str]], ...]


@cache
def detectors() -> _Detectors:
    """The catalog's ``detect`` regexes, compiled once per process."""
    from consent_generator.services import catalog

    def comp(attr: str) -> tuple[tuple[str, re.Pattern[str]], ...]:
        return tuple((sid, re.compile(p, re.I)) for sid, spec in catalog().items()
                     for p in getattr(spec.detect, attr))

    return _Detectors(comp("script_src"), comp("inline"), comp("iframe_src"))


def detect(kind: str, text: str) -> str | None:
    """The service id whose ``detect.<kind>`` matches ``text``, if any."""
    for sid, rx in getattr(detectors(), kind):
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


def source_for(url: str) -> str | None:
    """The CSP source matching ``url`` when it is absolute http(s) or protocol-relative."""
    url = url.strip()
    if url.startswith("//"):
        host = urlsplit("http:" + url).netloc
        return host.lower() or None
    if url[:5].lower() not in ("http:", "https"):
        return None
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}"


def _resource_urls(tag: Tag) -> Iterator[tuple[str, str, str]]:
    """(attr, url, directive) of every fetch a tag causes."""
    name = tag.name
    if name == "script":
        src = tag.get("src")
        if src:
            yield "src", src, "script-src"
    elif name == "link":
        rel = (tag.get("rel") or "").lower().split()
        href = tag.get("href")
        if not href:
            return
        for r in rel:
            if r in _LINK_DIRECTIVES:
                yield "href", href, _LINK_DIRECTIVES[r]
                return
            if r in ("preload", "modulepreload"):
                kind = "script" if r == "modulepreload" else (tag.get("as") or "").lower()
                if kind in _PRELOAD_AS:
                    yield "href", href, _PRELOAD_AS[kind]
                return
    elif name in ("img", "source", "input"):
        if name == "input" and (tag.get("type") or "").lower() != "image":
            return
        src = tag.get("src")
        if src:
            yield "src", src, "media-src" if name == "source" else "img-src"
        srcset = tag.get("srcset")
        if srcset:
            for item in srcset.split(","):
                parts = item.split()
                if parts:
                    yield "srcset", parts[0], "img-src"
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
        src = tag.get("src") or tag.get("data")
        if src:
            yield ("src" if tag.has("src") else "data"), src, "object-src"
    elif name == "form":
        action = tag.get("action")
        if action:
            yield "action", action, "form-action"


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


def scan_page(html: str, path: str, *, index: frozenset[str] = frozenset()) -> PageScan:
    """The facts of one page (see :class:`PageScan`); ``path`` is only a label.

    ``index``: tag names whose start offsets to collect in :attr:`PageScan.tag_index`.
    """
    lines = _Lines(html)
    lang = None
    scripts: list[InlineScript] = []
    styles: list[InlineStyle] = []
    style_attrs: list[StyleAttr] = []
    metas: list[CspMeta] = []
    trackers: list[Tracker] = []
    resources: list[Resource] = []
    handlers: list[EventHandler] = []
    opaque: list[tuple[int, int]] = []
    has_head = has_body = False
    offsets: dict[str, object] = {}
    in_head = True  # until <body>/</head>: content before them is head-ish for gating
    injected = False
    in_marker = False
    template_gated: list[bool] = []

    tag_index: dict[str, list[int]] = {name: [] for name in index}
    loose: list[tuple[int, int]] = []
    for tok in tokens(html, index):
        if tok.kind == "comment":
            text = html[tok.start:tok.end]
            if text in (HEAD_START, BODY_START):
                in_marker = injected = True
            elif text in (HEAD_END, BODY_END):
                in_marker = False
            opaque.append((tok.start, tok.end))
            continue
        if tok.kind == "end":
            if tok.name == "head":
                in_head = False
                offsets.setdefault("head_close", tok.start)
            elif tok.name == "body":
                offsets["body_close"] = tok.start
            elif tok.name == "template" and template_gated:
                template_gated.pop()
            continue
        tag = tok.tag
        assert tag is not None
        name = tok.name
        if name in tag_index and not in_marker:
            tag_index[name].append(tok.start)
        if tok.content_end > tok.content_start:
            opaque.append((tok.content_start, tok.content_end))
        if name == "html" and lang is None:
            lang = tag.get("lang")
            offsets["html_tag"] = (tok.start, tok.end)
        elif name == "head" and not has_head:
            has_head = True
            offsets["head_tag"] = (tok.start, tok.end)
        elif name == "body" and not has_body:
            has_body = True
            in_head = False
            offsets["body_tag"] = (tok.start, tok.end)
        elif name == "template":
            template_gated.append(tag.has("data-consent-category"))

        attrs_text = tag.attrs_text
        if attrs_text and _STYLE_OR_ON.search(attrs_text):
            for a in tag.attrs:
                if a.name == "style" and a.value is not None and a.value.strip():
                    style_attrs.append(StyleAttr(sha256_source(a.value), a.value, name,
                                                 lines(tag.start), in_marker))
                elif a.name.startswith("on") and len(a.name) > 2:
                    handlers.append(EventHandler(name, a.name, lines(tag.start)))

        in_template = any(template_gated)
        if name == "script":
            stype = script_type(tag)
            gated = is_gated(tag) or in_template
            if is_gated(tag) and not (in_head or in_template or in_marker):
                loose.append((tok.start, tok.end))
            src = tag.get("src")
            # A gated external script (data-consent-src): its empty body is never run as text.
            inline = src is None and tag.get("data-consent-src") is None
            js = stype in JS_TYPES or (stype == "text/plain" and is_gated(tag))
            if inline and (js or (in_template and stype in JS_TYPES)):
                text = html[tok.content_start:tok.content_end]
                line = lines(tok.start)
                scripts.append(InlineScript(
                    sha256_source(text), first_line(text), line, True, gated, in_head,
                    in_marker, stype, tok.start, tok.end))
                service = detect("inline", text)
                if service:
                    trackers.append(Tracker(service, "inline", first_line(text), line, gated,
                                            in_head, in_marker, tok.start, tok.end))
            elif inline:
                text = html[tok.content_start:tok.content_end]
                scripts.append(InlineScript(
                    sha256_source(text), first_line(text), lines(tok.start), False, False,
                    in_head, in_marker, stype, tok.start, tok.end))
            url = src if src is not None else tag.get("data-consent-src")
            if url and (js or in_template):
                service = detect("script_src", url)
                if service:
                    trackers.append(Tracker(service, "script-src", url, lines(tok.start),
                                            gated or src is None, in_head, in_marker,
                                            tok.start, tok.end))
                    continue  # its hosts come from the service, not as a resource
        elif name == "style":
            text = html[tok.content_start:tok.content_end]
            styles.append(InlineStyle(sha256_source(text), first_line(text), lines(tok.start),
                                      in_marker))
            continue
        elif name == "meta":
            if "charset_meta" not in offsets and (
                    tag.has("charset") or (tag.get("http-equiv") or "").lower() == "content-type"):
                offsets["charset_meta"] = (tok.start, tok.end)
            if (tag.get("http-equiv") or "").strip().lower() == "content-security-policy":
                metas.append(CspMeta(tag.get("content") or "", tag.has("data-consent-csp"),
                                     tag.get("data-consent-original"), lines(tag.start),
                                     tok.start, tok.end))
            continue
        elif name == "iframe":
            src = tag.get("src")
            url = src if src is not None else tag.get("data-consent-src")
            service = detect("iframe_src", url) if url else None
            if service:
                trackers.append(Tracker(service, "iframe", url or "", lines(tok.start),
                                        src is None or in_template, in_head, in_marker,
                                        tok.start, tok.end))
                continue
        if in_marker or in_template:
            continue
        for attr, url, directive in _resource_urls(tag):
            origin = source_for(url)
            if origin:
                resources.append(Resource(name, attr, url, origin, directive,
                                          lines(tag.start)))

    return PageScan(path=path, lang=lang, inline_scripts=tuple(scripts),
                    inline_styles=tuple(styles), style_attrs=tuple(style_attrs),
                    csp_metas=tuple(metas), trackers=tuple(trackers),
                    resources=tuple(resources), event_handlers=tuple(handlers),
                    has_head=has_head, has_body=has_body, injected=injected,
                    opaque=tuple(opaque), doctype_end=_doctype_end(html),
                    tag_index={k: tuple(v) for k, v in tag_index.items()},
                    loose_gated=tuple(loose),
                    **offsets)  # type: ignore[arg-type]


_DOCTYPE = re.compile(r"\A\ufeff?\s*(?:<!--.*?-->\s*)*<!doctype[^>]*>", re.I | re.S)


def _doctype_end(html: str) -> int | None:
    m = _DOCTYPE.match(html)
    return m.end() if m else None

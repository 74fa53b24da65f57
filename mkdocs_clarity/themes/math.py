"""Math rendering added through ``extra_javascript``/``extra_css`` (any theme): MathJax 3 and
KaTeX from a CDN. The script itself is in the page (allowed by exact URL like any script);
what the page does not name is the fonts each then loads from the same CDN directory, so
font-src gets exactly that directory."""

from __future__ import annotations

import re

from consent_generator.lazy import lazy_pattern
from mkdocs_clarity.engine.urls import PageUrls, url_parts
from mkdocs_clarity.themes import Claims, Facts, ThemeNeed

CLAIMS = (
    (re.compile(r"https://(?:cdn\.jsdelivr\.net/npm|unpkg\.com)/(?:mathjax|katex)@[^/]+/"
                r"|https://cdnjs\.cloudflare\.com/ajax/libs/(?:mathjax|KaTeX)/[^/]+/", re.I),
     "math rendering (MathJax/KaTeX in extra_javascript)"),
)
"""MathJax and KaTeX from the CDNs their docs (and Material's) name, one package version
directory each (scripts, auto-render, styles, fonts)."""


_url = lazy_pattern(r'<(?:script|link)\b[^>]*?(?:src|href)="((?:https?:)?//[^"]*?'
                    r'(?:mathjax|katex)[^"]*)"', re.I)
"""Compiled on first need: only a page naming MathJax or KaTeX asks (issue 15)."""


def page_facts(text: str) -> set[str]:
    if not (_mentions(text, "mathjax", 4) or _mentions(text, "katex", 4)):
        return set()
    return {"script:" + m.group(1) for m in _url().finditer(text)}


_MAX_ANCHORS = 128


def _mentions(text: str, word: str, anchor: int) -> bool:
    """``word in text.lower()``, found from the occurrences of its rare letter
    ``word[anchor]`` (``j``, ``x``; ``str.find`` of one character is a ``memchr``) instead of
    lowering and searching the whole page: 96 -> 22 µs on a 58 KB page, where this check ran
    on every page of every site. Exact: only ``J``/``X`` lower to ``j``/``x``, and the one
    character whose lower case is longer (``İ``) lowers to an ``i``, in neither word. Past
    :data:`_MAX_ANCHORS` occurrences it searches the lowered page as before."""
    seen = 0
    for letter in (word[anchor], word[anchor].upper()):
        i = text.find(letter)
        while i >= 0:
            start = i - anchor
            if start >= 0 and text[start:start + len(word)].lower() == word:
                return True
            seen += 1
            if seen > _MAX_ANCHORS:
                return word in text.lower()
            i = text.find(letter, i + 1)
    return False


def _dir(url: str) -> tuple[str, str]:
    """Origin and directory of the file the browser fetches for ``url`` (``\\`` is ``/``, dot
    segments resolved, ``:443`` dropped; ``//host`` read as https), so the fonts' source
    names the directory they are loaded from."""
    parts = url_parts(url)
    return f"{parts.scheme}://{parts.host_port}", parts.path.rsplit("/", 1)[0] + "/"


def _claimed(url: str) -> bool:
    """Whether the scan counts ``url`` as this profile's load (not an unknown embed): the
    same readings of it (:meth:`PageUrls.resolve`) against the same :data:`CLAIMS`."""
    claims = Claims(CLAIMS)
    return any(claims.feature(r.href) for r in PageUrls("").resolve(url)
               if r.scheme in ("http:", "https:"))


def needs(facts: Facts) -> tuple[list[ThemeNeed], list[str]]:
    out, warnings = [], []
    for fact in sorted(f for f in facts if f.startswith("script:")):
        url = fact[7:]
        if not _claimed(url):
            # Not a CDN this profile knows, so the pages' load of it is an unknown embed
            # (gated until consent by unknown_embeds): say so instead of breaking quietly.
            warnings.append(
                f"math rendering (extra_javascript/extra_css): {url} is on no CDN the math "
                "profile knows, so it is gated as an unknown third-party embed "
                "(unknown_embeds) and formulas stay unrendered until a visitor consents. "
                "Load MathJax/KaTeX from cdn.jsdelivr.net, unpkg.com or cdnjs (one version "
                "directory is allowed), or self-host it")
            continue
        origin, folder = _dir(url)
        low = url.lower()
        if "mathjax@3" in low or "/mathjax/3" in low:
            # tex-mml-chtml.js lives in es5/; its fonts in es5/output/chtml/fonts/woff-v2/
            out.append(ThemeNeed("font-src", f"{origin}{folder}output/chtml/fonts/",
                                 "MathJax", f"CHTML fonts of {url}"))
        elif "katex" in low and low.endswith(".css"):
            out.append(ThemeNeed("font-src", f"{origin}{folder}fonts/", "KaTeX",
                                 f"fonts of {url}"))
    return out, list(dict.fromkeys(warnings))

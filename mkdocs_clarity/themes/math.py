"""Math rendering added through ``extra_javascript``/``extra_css`` (any theme): MathJax 3 and
KaTeX from a CDN. The script itself is in the page (allowed by exact URL like any script);
what the page does not name is the fonts each then loads from the same CDN directory, so
font-src gets exactly that directory."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from mkdocs_clarity.themes import Facts, ThemeNeed

_URL = re.compile(r'<(?:script|link)\b[^>]*?(?:src|href)="((?:https?:)?//[^"]*?'
                  r'(?:mathjax|katex)[^"]*)"', re.I)


def page_facts(text: str) -> set[str]:
    low = text.lower()
    if "mathjax" not in low and "katex" not in low:
        return set()
    return {"script:" + m.group(1) for m in _URL.finditer(text)}


def _dir(url: str) -> tuple[str, str]:
    parts = urlsplit("https:" + url if url.startswith("//") else url)
    return f"{parts.scheme}://{parts.netloc}", parts.path.rsplit("/", 1)[0] + "/"


def needs(facts: Facts) -> tuple[list[ThemeNeed], list[str]]:
    out = []
    for fact in sorted(f for f in facts if f.startswith("script:")):
        url = fact[7:]
        origin, folder = _dir(url)
        low = url.lower()
        if "mathjax@3" in low or "/mathjax/3" in low:
            # tex-mml-chtml.js lives in es5/; its fonts in es5/output/chtml/fonts/woff-v2/
            out.append(ThemeNeed("font-src", f"{origin}{folder}output/chtml/fonts/",
                                 "MathJax", f"CHTML fonts of {url}"))
        elif "katex" in low and low.endswith(".css"):
            out.append(ThemeNeed("font-src", f"{origin}{folder}fonts/", "KaTeX",
                                 f"fonts of {url}"))
    return out, []

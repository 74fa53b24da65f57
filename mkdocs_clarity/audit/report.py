"""Audit report rendering: JSON (the stable schema), Markdown (for PRs and CI logs) and one
self-contained HTML file.

The HTML report practises what it audits: its only style is one inline ``<style>`` allowed by
its sha256 in its own ``<meta>`` CSP (``default-src 'none'``), it has no script and no style
attributes, and every value from the site is escaped by Jinja2's autoescape.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from consent_generator.csp_sources import sha256_source

TEMPLATES = Path(__file__).parent.parent / "templates"
FORMATS = ("json", "md", "html")


def _pagelist(pages: Iterable[str], limit: int = 5) -> str:
    pages = list(pages)
    more = f" and {len(pages) - limit} more" if len(pages) > limit else ""
    return ", ".join(pages[:limit]) + more


_MD_SPECIAL = re.compile(r"([\\`*_\[\]|~!#])")


def md_text(value: object) -> Markup:
    """Site content as inert Markdown text, as autoescape makes it inert HTML: ``<``, ``>``
    and ``&`` become entities (no raw HTML, no autolink), every Markdown punctuation character
    is backslash-escaped (no link, image, emphasis or table cell a page title could open),
    and a line break becomes a space (no new block). Already-safe values pass through."""
    if isinstance(value, Markup):
        return value
    text = str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = re.sub(r"[\r\n]+", " ", text)
    return Markup(_MD_SPECIAL.sub(r"\\\1", text))


def _mdcode(value: object) -> Markup:
    """A code span CommonMark cannot leave: its fence is longer than any backtick run in the
    value; ``|`` is escaped for GFM tables (which honour ``\\|`` inside code spans) and line
    breaks become spaces."""
    text = re.sub(r"[\r\n]+", " ", str(value)).replace("|", "\\|")
    fence = "`" * (max((len(m) for m in re.findall(r"`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return Markup(f"{fence}{pad}{text}{pad}{fence}")


def _mdblock(value: object) -> Markup:
    """A fenced code block whose fence no line of the value can close."""
    text = str(value)
    fence = "`" * max(3, max((len(m) for m in re.findall(r"`+", text)), default=0) + 1)
    return Markup(f"{fence}\n{text}\n{fence}")


def _mdcell(value: object) -> Markup:
    """Kept for templates: one table cell of site content (see :func:`md_text`)."""
    return md_text(value)


def _summary(counts: dict[str, int]) -> str:
    return ", ".join(f"{n} {sev}" for sev, n in counts.items() if n) or "none"


def _delivery(delivery: dict[str, Any]) -> str:
    parts = ["<meta> on the pages"] if delivery.get("meta") else []
    if delivery.get("headers"):
        parts.append("headers in " + ", ".join(delivery["headers"]))
    text = "; ".join(parts) or "none"
    return text + (" (report-only)" if delivery.get("report_only") else "")


def _reasons(reasons: list[dict[str, Any]]) -> Markup:
    if not reasons:
        return Markup("**unexplained**")
    return Markup("<br>").join(
        md_text(f"{r['kind']}: {r['detail']}")
        + (md_text(f" ({_pagelist(r['pages'])})") if r["pages"] else "")
        for r in reasons)


def _sourcelist(items: list[dict[str, Any]]) -> Markup:
    return Markup(", ").join(_mdcode(f"{i['directive']} {i['source']}") for i in items) \
        or Markup("none")


def _checklist(items: list[dict[str, Any]]) -> Markup:
    return Markup(", ").join(_mdcode(i["check"]) + md_text(f" ({i['severity']})")
                             for i in items) or Markup("none")


def _env(autoescape: bool) -> Environment:
    # Markdown gets its own escaping on every {{ }} (finalize), as HTML gets autoescape.
    env = Environment(loader=FileSystemLoader(TEMPLATES), undefined=StrictUndefined,
                      autoescape=select_autoescape(["html.j2"]) if autoescape else False,
                      trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
                      finalize=None if autoescape else md_text)
    env.filters["pagelist"] = _pagelist
    env.filters["mdcell"] = _mdcell
    env.filters.update(mdcode=_mdcode, mdblock=_mdblock)
    env.filters.update(summary=_summary, delivery=_delivery, reasons=_reasons,
                       sourcelist=_sourcelist, checklist=_checklist)
    return env


def render(data: dict[str, Any], fmt: str) -> str:
    """The report ``data`` (``AuditReport.to_json()``) in ``fmt``: json, md or html."""
    if fmt == "json":
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    if fmt == "md":
        return _env(False).get_template("audit.md.j2").render(r=data)
    if fmt == "html":
        css = (TEMPLATES / "audit.css").read_text("utf-8").strip()
        return _env(True).get_template("audit.html.j2").render(
            r=data, css=css, style_hash=sha256_source(css))
    raise ValueError(f"unknown report format {fmt!r}; choose from {', '.join(FORMATS)}")

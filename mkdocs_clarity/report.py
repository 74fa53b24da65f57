"""Audit report rendering: JSON (the stable schema), Markdown (for PRs and CI logs) and one
self-contained HTML file.

The HTML report practises what it audits: its only style is one inline ``<style>`` allowed by
its sha256 in its own ``<meta>`` CSP (``default-src 'none'``), it has no script and no style
attributes, and every value from the site is escaped by Jinja2's autoescape.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from consent_generator.csp_sources import sha256_source

TEMPLATES = Path(__file__).parent / "templates"
FORMATS = ("json", "md", "html")


def _pagelist(pages: Iterable[str], limit: int = 5) -> str:
    pages = list(pages)
    more = f" and {len(pages) - limit} more" if len(pages) > limit else ""
    return ", ".join(pages[:limit]) + more


def _mdcell(value: object) -> str:
    """Keep a value on one Markdown table line and out of the table syntax."""
    return str(value).replace("|", "\\|").replace("\n", " ").replace("`", "'")


def _summary(counts: dict[str, int]) -> str:
    return ", ".join(f"{n} {sev}" for sev, n in counts.items() if n) or "none"


def _delivery(delivery: dict[str, Any]) -> str:
    parts = ["<meta> on the pages"] if delivery.get("meta") else []
    if delivery.get("headers"):
        parts.append("headers in " + ", ".join(delivery["headers"]))
    text = "; ".join(parts) or "none"
    return text + (" (report-only)" if delivery.get("report_only") else "")


def _reasons(reasons: list[dict[str, Any]]) -> str:
    if not reasons:
        return "**unexplained**"
    return "<br>".join(_mdcell(f"{r['kind']}: {r['detail']}")
                       + (f" ({_pagelist(r['pages'])})" if r["pages"] else "")
                       for r in reasons)


def _sourcelist(items: list[dict[str, Any]]) -> str:
    return ", ".join(f"`{i['directive']} {_mdcell(i['source'])}`" for i in items) or "none"


def _checklist(items: list[dict[str, Any]]) -> str:
    return ", ".join(f"`{i['check']}` ({i['severity']})" for i in items) or "none"


def _env(autoescape: bool) -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), undefined=StrictUndefined,
                      autoescape=select_autoescape(["html.j2"]) if autoescape else False,
                      trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.filters["pagelist"] = _pagelist
    env.filters["mdcell"] = _mdcell
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

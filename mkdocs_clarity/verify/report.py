"""Render a verify report: a text summary for terminals and CI logs, the versioned JSON, Markdown
and one self-contained HTML file.

Markdown and HTML share the audit report's conventions and filters (:mod:`mkdocs_clarity.audit.report`):
the HTML has no script, one inline style allowed by its hash in its own ``<meta>`` CSP, the banner
screenshot as a ``data:`` image (the only other source it allows), and every value from the site
escaped by Jinja2's autoescape.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from consent_generator.csp_sources import sha256_source
from mkdocs_clarity.audit.report import TEMPLATES, _env
from mkdocs_clarity.verify.model import VerifyReport

FORMATS = ("text", "json", "md", "html")
TEXT_FINDINGS = 50
"""Findings printed in full by the text summary (the rest are counted; use a report file)."""


def render(report: VerifyReport, fmt: str) -> str:
    """``report`` in ``fmt``: text, json, md or html."""
    data = report.to_json()
    if fmt == "json":
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    if fmt == "text":
        return text(data)
    if fmt == "md":
        return _env(False).get_template("verify.md.j2").render(r=data)
    if fmt == "html":
        css = "\n".join((TEMPLATES / name).read_text("utf-8").strip()
                        for name in ("audit.css", "verify.css"))
        shot = base64.b64encode(report.screenshot).decode() if report.screenshot else ""
        return _env(True).get_template("verify.html.j2").render(
            r=data, css=css, style_hash=sha256_source(css), shot=shot)
    raise ValueError(f"unknown report format {fmt!r}; choose from {', '.join(FORMATS)}")


def text(r: dict[str, Any]) -> str:
    """The terminal summary: the verdict, the services, then each finding with its fix."""
    s = r["summary"]
    lines = [f"verify: {s['pages']} page(s), {s['third_party_requests']} third-party "
             f"request(s) answered locally, {s['csp_violations']} CSP violation(s), "
             f"{s['page_errors']} page error(s)",
             f"site URL: {r['site_url']['url']} (from {r['site_url']['source']})"]
    for v in r["vendors"]:
        seen = "loaded after Accept all" if v["loaded_after_accept"] else "NEVER loaded"
        lines.append(f"service {v['key']} ({v['category']}): {seen}")
    for f in r["findings"][:TEXT_FINDINGS]:
        lines.append(f"FINDING {f['check']}: {f['page']} [{f['state']}] {f['message']}")
        if f["url"]:
            lines.append(f"  url: {f['url']}")
        lines.append(f"  fix: {f['fix']}")
        if f["suggestion"]:
            lines.append(f"  suggestion (not applied): {f['suggestion']}")
    if len(r["findings"]) > TEXT_FINDINGS:
        lines.append(f"... and {len(r['findings']) - TEXT_FINDINGS} more finding(s): "
                     "write a report with --format json|md|html -o FILE")
    lines.append("result: " + ("passed" if r["passed"]
                               else f"FAILED ({len(r['findings'])} finding(s))"))
    return "\n".join(lines) + "\n"

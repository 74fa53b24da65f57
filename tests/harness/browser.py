"""Real Chromium through Playwright, with every non-loopback request answered by a local stub.

``Session`` wraps one fresh browser context (a fresh profile: no cookies, no cache) and
records what the tests assert on: every third-party request the page tried, the console
messages, and the CSP violations the page reported (``securitypolicyviolation`` events
and Chromium's own console errors).
"""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from mkdocs_clarity.verify import launch

STUBS = Path(__file__).parent / "stubs"
NODE_MODULES = Path(__file__).parents[1] / ".node" / "node_modules"

CHROMIUM_ARGS = [a for a in launch.CHROMIUM_ARGS if not a.startswith("--host-resolver-rules")]
"""verify's flags (one home: mkdocs_clarity.verify.launch) without its name mapping: tests
answer third-party hosts by routing, and some add their own mapping."""


def chromium_path() -> str | None:
    """Debian's chromium (or $CHROMIUM); None when absent."""
    path = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    return path if os.path.exists(path) else None


# Collects CSP violations inside the page; runs before any page script.
_INIT = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', function (e) {
  window.__cspViolations.push({directive: e.violatedDirective, blocked: e.blockedURI,
                               sample: e.sample, source: e.sourceFile, line: e.lineNumber});
}, true);
"""


def _stub_for(url: str) -> tuple[str, str]:
    """(content type, body) answering a third-party URL, by host and path."""
    parts = urlsplit(url)
    host, path = parts.hostname or "", parts.path
    if host == "www.clarity.ms" and path.startswith("/tag/"):
        return "application/javascript", (STUBS / "clarity-tag.js").read_text()
    if host.endswith("googletagmanager.com") and path.startswith(("/gtag/js", "/gtm.js")):
        return "application/javascript", (STUBS / "gtag.js").read_text()
    if host in {"www.youtube-nocookie.com", "www.youtube.com", "player.vimeo.com"}:
        return "text/html", "<!doctype html><title>stub player</title><p>stub player</p>"
    if host == "fonts.googleapis.com":
        return "text/css", "/* stub font css */"
    if host == "unpkg.com" and path.startswith("/mermaid@") and path.endswith("mermaid.min.js"):
        # the real package from npm (make node-deps): diagrams must really render
        return "application/javascript", (NODE_MODULES / "mermaid/dist/mermaid.min.js"
                                          ).read_text()
    if host == "api.github.com" and path.startswith("/repos/"):
        if path.endswith("/releases/latest"):
            return "application/json", '{"tag_name": "v9.9.9"}'
        return "application/json", '{"stargazers_count": 4321, "forks_count": 765}'
    if path.endswith(".js"):
        return "application/javascript", "/* stub */"
    if path.endswith(".css"):
        return "text/css", "/* stub */"
    if re.search(r"\.(gif|png)$", path) or "collect" in path:
        return "image/gif", ""
    return "text/plain", ""


@dataclass
class Session:
    """One fresh browser context with third-party stubs and recording."""

    context: object
    page: object
    requests: list[str] = field(default_factory=list)
    console: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)

    def third_party(self, host_pattern: str = "") -> list[str]:
        """Third-party URLs requested so far, optionally only hosts matching a regex."""
        out = []
        for url in self.requests:
            host = urlsplit(url).hostname or ""
            if not host_pattern or re.search(host_pattern, host):
                out.append(url)
        return out

    def csp_violations(self) -> list[str]:
        """Every CSP violation seen: console 'Refused to…' errors and page-reported events."""
        found = [m for m in self.console if "Content Security Policy" in m]
        try:
            events = self.page.evaluate("window.__cspViolations || []")
        except Exception:  # the page may be navigating
            events = []
        found += [f"{e['directive']} blocked {e['blocked']} {e.get('sample') or ''}"
                  for e in events]
        return found

    def cookies(self) -> dict[str, str]:
        return {c["name"]: c["value"] for c in self.context.cookies()}


def new_session(browser, *, local_hosts: tuple[str, ...] = (), **context_args) -> Session:
    """A fresh context on ``browser`` whose every non-loopback request is stubbed and logged.

    ``local_hosts``: extra host names that reach the local server too (for a browser launched
    with ``--host-resolver-rules`` mapping them to 127.0.0.1, e.g. to test parent domains).
    """
    context = browser.new_context(**context_args)
    context.add_init_script(_INIT)
    session = Session(context=context, page=None)
    loopback = {"127.0.0.1", "localhost", *local_hosts}

    def handle(route, request):
        host = urlsplit(request.url).hostname or ""
        if host in loopback:
            route.continue_()
            return
        session.requests.append(request.url)
        ctype, body = _stub_for(request.url)
        route.fulfill(status=200, content_type=ctype, body=body,
                      headers={"Access-Control-Allow-Origin": "*"})

    context.route("**/*", handle)
    page = context.new_page()
    page.on("console", lambda m: session.console.append(f"{m.type}: {m.text}"))
    page.on("pageerror", lambda e: session.page_errors.append(str(e)))
    session.page = page
    return session

"""Answer the site from disk at its real origin, and every third-party request locally.

:class:`SiteFiles` is the web server of SITE_DIR at the site's real origin
(``https://example.org/docs/``), so themes behave as deployed (Material's instant navigation
engages only at its ``site_url``; ``Secure`` cookies need https); the loopback server
(:mod:`.loopback`) puts it on the wire. Every other host gets :func:`third_party_answer`, so
nothing leaves the machine and no visitor-like hit reaches a real vendor: a vendor's script URL
gets a tiny script that reports it ran (the accepted state is observed, not guessed), anything
else an empty answer of the right type.
"""

from __future__ import annotations

import json
import mimetypes
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

from consent_generator.csp_sources import covers
from consent_generator.model import Policy
from consent_generator.services import catalog
from consent_generator.services.model import ServiceSpec

RAN_BINDING = "__mkcVerifyRan"
"""Page binding the vendor stub script calls with its own URL."""
REPORT_BINDING = "__mkcVerifyReport"
"""Page binding the init script calls with each ``securitypolicyviolation``."""

CACHE_FILE_BYTES = 2 * 1024 * 1024
"""Files up to this size are kept in a small LRU cache (every page loads the same theme
bundle); bigger ones are read each time, so memory stays bounded."""

ASSET_CACHE = "max-age=3600"
"""Cache-Control of the site's own files other than pages (theme bundle, CSS, search index):
the browser keeps them as a visitor's browser does between pages, so a page's later loads do
not fetch and compile the theme again. Pages, error pages and every third-party answer are
``no-store``: each load of a page is its real HTML, and every third-party request reaches
the recorder."""


BLANK_PATH = "/__mkdocs-clarity-verify__/blank"
"""An empty page on the site's origin, where a tab waits between two visits: being on the
site's origin, it can clear the site's session storage; being a same-site page, the tab keeps
its renderer process. No site has a file there; it is answered before the site's files."""

BLANK = b"<!doctype html><meta charset=utf-8><title>between two visits</title>"


@dataclass(frozen=True)
class Answer:
    """A response for ``route.fulfill``."""

    status: int
    content_type: str
    body: bytes
    headers: Mapping[str, str]


@lru_cache(maxsize=128)
def _cached(path: str, mtime_ns: int) -> bytes:
    return Path(path).read_bytes()


def _read(path: Path) -> bytes:
    stat = path.stat()
    if stat.st_size <= CACHE_FILE_BYTES:
        return _cached(str(path), stat.st_mtime_ns)
    return path.read_bytes()


class SiteFiles:
    """SITE_DIR as the web server at ``site_url`` would serve it (``dir/`` -> ``dir/index.html``,
    ``dir`` -> redirect to ``dir/``, unknown -> ``404.html`` with status 404)."""

    def __init__(self, root: Path, site_url: str, csp_header: str = "") -> None:
        self.root = root.resolve()
        parts = urlsplit(site_url)
        self.origin = f"{parts.scheme}://{parts.netloc}"
        self.base = parts.path or "/"
        self.csp_header = csp_header
        """The CSP the site's header files deliver (``_headers`` ...), sent with each page."""

    def owns(self, url: str) -> bool:
        """Whether ``url`` is on the site's origin (answered from disk, never recorded)."""
        parts = urlsplit(url)
        return f"{parts.scheme}://{parts.netloc}" == self.origin

    def url_of(self, rel: str) -> str:
        """The public URL of the site file ``rel`` (``a/index.html`` -> ``.../a/``)."""
        path = rel[: -len("index.html")] if rel.endswith("index.html") else rel
        return self.origin + self.base + path

    @property
    def blank_url(self) -> str:
        """The empty page of :data:`BLANK_PATH` on the site's origin."""
        return self.origin + BLANK_PATH

    def answer(self, url: str) -> Answer:
        path = unquote(urlsplit(url).path)
        if path == BLANK_PATH:
            return Answer(200, "text/html; charset=utf-8", BLANK, {"Cache-Control": "no-store"})
        if not path.startswith(self.base):
            return self._not_found()
        target = (self.root / path[len(self.base):].lstrip("/")).resolve()
        if not target.is_relative_to(self.root):
            return self._not_found()
        if target.is_dir():
            if not path.endswith("/"):
                return Answer(301, "text/plain", b"", {"Location": path + "/"})
            target = target / "index.html"
        if not target.is_file():
            return self._not_found()
        return self._file(target, 200)

    def _not_found(self) -> Answer:
        page = self.root / "404.html"
        return self._file(page, 404) if page.is_file() else Answer(404, "text/plain", b"", {})

    def _file(self, path: Path, status: int) -> Answer:
        ctype = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        cache = ASSET_CACHE if status == 200 and ctype != "text/html" else "no-store"
        headers: dict[str, str] = {"Cache-Control": cache}
        if ctype == "text/html":
            ctype = "text/html; charset=utf-8"
            if self.csp_header:
                headers["Content-Security-Policy"] = self.csp_header
        return Answer(status, ctype, _read(path), headers)


@dataclass(frozen=True)
class _Vendor:
    key: str
    sources: tuple[str, ...]
    script_src: tuple[re.Pattern[str], ...]


def _vendor(key: str, spec: ServiceSpec, csp: Mapping[str, tuple[str, ...]]) -> _Vendor:
    """``csp``: the service's sources as the build computes them (``ServiceSpec.csp_for``)."""
    sources = tuple(s for values in csp.values() for s in values)
    if spec.embed and spec.embed.privacy_host:
        sources += (f"https://{spec.embed.privacy_host}",)
    return _Vendor(key, sources, tuple(re.compile(p, re.I) for p in spec.detect.script_src))


class ThirdParties:
    """Names a third-party URL: which vendor (the policy's services first, so a custom service
    is known by its key, then the whole catalog), and whether ``csp.extra`` declares it."""

    def __init__(self, policy: Policy | None) -> None:
        specs: list[tuple[str, ServiceSpec, Mapping[str, tuple[str, ...]]]] = []
        if policy is not None:
            specs += [(s.key, s.spec, s.csp) for s in policy.services]
        specs += [(k, s, s.csp_for({})) for k, s in catalog().items()]
        self._vendors = tuple(_vendor(k, s, csp) for k, s, csp in specs)
        extra = policy.csp.extra if policy is not None else {}
        self.declared: tuple[str, ...] = tuple(dict.fromkeys(
            s for values in extra.values() for s in values if not s.startswith("'")))

    def vendor_of(self, url: str) -> str | None:
        for v in self._vendors:
            if covers(v.sources, url) or any(p.search(url) for p in v.script_src):
                return v.key
        return None

    def is_declared(self, url: str) -> bool:
        return any(_matches(source, url) for source in self.declared)


_SOURCE = re.compile(r"(?:(?P<scheme>[a-z][a-z0-9+.-]*)://)?(?P<host>\*|(?:\*\.)?[^/:]+)"
                     r"(?::(?P<port>\d+|\*))?(?P<path>/.*)?", re.I)


def _matches(source: str, url: str) -> bool:
    """Whether the host-source ``source`` allows ``url``, as the browser decides it (CSP3
    §6.7.2.8: an ``http:`` source also allows ``https:``, ``*.`` matches subdomains, a missing
    port means the scheme's default). Unlike the catalog's https-only ``covers``, declared
    sources may name any scheme and port (a local service, a test server)."""
    m, parts = _SOURCE.fullmatch(source), urlsplit(url)
    if not m or not parts.hostname:
        return False
    scheme = (m.group("scheme") or parts.scheme).lower()
    if parts.scheme != scheme and not (scheme == "http" and parts.scheme == "https"):
        return False
    host, pattern = parts.hostname.lower(), m.group("host").lower()
    if not (pattern in ("*", host) or (pattern.startswith("*.") and host.endswith(pattern[1:]))):
        return False
    default = {"http": 80, "https": 443}.get(parts.scheme)
    actual, port = parts.port or default, m.group("port")
    return port == "*" or (int(port) == actual if port else actual == default)


_STUB_JS = "(function(){{var f=window.{};if(f)f({});}})();\n"
_FRAME = (b"<!doctype html><meta charset=utf-8><title>answered locally</title>"
          b"<p>Answered locally by mkdocs-clarity verify.</p>")
_EMPTY_TYPES = {"stylesheet": "text/css", "image": "image/gif", "font": "font/woff2",
                "script": "application/javascript", "document": "text/html; charset=utf-8"}


def third_party_answer(url: str, kind: str, vendor: str | None) -> Answer:
    """The local answer to a third-party request: a script that reports it ran for a vendor's
    script, an empty body of the requested type otherwise (CORS-open so fetches resolve)."""
    headers = {"Access-Control-Allow-Origin": "*", "Cache-Control": "no-store"}
    if kind == "script":
        body = _STUB_JS.format(RAN_BINDING, json.dumps(url)).encode() if vendor else b""
        return Answer(200, "application/javascript", body, headers)
    if kind == "document":
        return Answer(200, "text/html; charset=utf-8", _FRAME, headers)
    return Answer(200, _EMPTY_TYPES.get(kind, "text/plain"), b"", headers)


INIT_SCRIPT = """
(() => {
  const report = (d) => { const f = window.BINDING; if (f) f(d); };
  document.addEventListener('securitypolicyviolation', (e) => report({
    directive: e.effectiveDirective || e.violatedDirective, blocked: e.blockedURI || '',
    source: e.sourceFile || '', line: e.lineNumber || 0, sample: e.sample || ''}), true);
})();
""".replace("BINDING", REPORT_BINDING)
"""Runs before any page script in every frame: forwards each CSP violation (Trusted Types
refusals included: ``trusted-types-sink``) to Python as it happens, so none is lost when the page
navigates."""

GPC_SCRIPT = """
Object.defineProperty(Navigator.prototype, 'globalPrivacyControl',
                      {get: () => true, configurable: true});
"""
"""With the ``Sec-GPC: 1`` request header, what a browser with Global Privacy Control on shows."""

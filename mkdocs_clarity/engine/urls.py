"""URLs as the browser reads them, and which catalog vendor (if any) they reach.

Why a WHATWG parser: a browser strips leading/trailing C0 controls and spaces, removes tabs and
newlines anywhere, reads ``\\`` as ``/`` for http(s), takes ``https:host/path`` and ``//host``,
decodes percent-encoded and upper-case hosts, drops ``:443`` and ``user@``. A regex over the raw
attribute misses each of those; ``urllib.parse`` does too. ada-url is the parser Node.js uses.
The splitting itself (:class:`UrlParts`, :func:`url_parts`, :func:`absolute_url_parts`) lives
in :mod:`consent_generator.urls`, the one home both packages read URLs through; it is
re-exported here.

Character references are decoded before a value gets here (:func:`scan.parse_attrs` does it as
the tokenizer does). Relative URLs are resolved against the page's URL: with the site's origin
when it is known, otherwise against *both* an ``http:`` and an ``https:`` base, because
``https:host/path`` is relative on an https page and absolute on an http one; a URL is a
vendor's when either reading says so, which can only gate more, never less.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache

import ada_url

from consent_generator.lazy import lazy_pattern
from consent_generator.urls import PLACEHOLDER_HOST as _PLACEHOLDER_HOST
from consent_generator.urls import UrlParts, absolute_url_parts, url_parts

__all__ = ["PageUrls", "Resolved", "UrlParts", "VendorHosts", "absolute_url_parts", "css_loads",
           "css_urls", "refresh_url", "source_for", "srcset_urls", "url_parts", "vendor_hosts"]
"""``UrlParts``, ``url_parts`` and ``absolute_url_parts`` are re-exported for the engine."""

_SAFE_RELATIVE = re.compile(r"[^\x00-\x20:\\/][^:\\\t\n\r]*|/[^\x00-\x20:\\/][^:\\\t\n\r]*")
"""A value no base can turn into another host: a path-relative or root-relative URL without
``:``, ``\\``, tabs or newlines (``/\\t/host`` becomes ``//host`` once the tab is removed)."""


@dataclass(frozen=True)
class VendorHosts:
    """Every host a catalog service's CSP sources name, exact or as a ``*.`` suffix."""

    exact: dict[str, str]
    suffix: tuple[tuple[str, str], ...]

    def service_of(self, host: str) -> str | None:
        host = host.rstrip(".").lower()
        if host in self.exact:
            return self.exact[host]
        for suffix, sid in self.suffix:
            if host.endswith(suffix):
                return sid
        return None


@cache
def vendor_hosts() -> VendorHosts:
    """The catalog's hosts (first service in catalog order wins a shared host)."""
    from consent_generator.services import catalog

    exact: dict[str, str] = {}
    suffix: dict[str, str] = {}
    for sid, spec in catalog().items():
        for sources in spec.csp.values():
            for source in sources:
                host = source.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0].lower()
                if host.startswith("*."):
                    suffix.setdefault(host[1:], sid)
                elif host:
                    exact.setdefault(host, sid)
    return VendorHosts(exact, tuple(sorted(suffix.items())))


@dataclass(frozen=True)
class Resolved:
    """One reading of a URL: its serialisation and host (empty for ``data:``, ``javascript:``)."""

    href: str
    host: str
    scheme: str
    host_port: str = ""
    credentials: bool = False
    """The URL carries a user name or password (``https://u:pw@host/``)."""


_C0_AND_SPACE = "".join(map(chr, range(0x21)))


@lru_cache(maxsize=4096)
def _resolve(raw: str, bases: tuple[str, ...]) -> tuple[Resolved, ...]:
    """Cached: a site repeats the same URLs (fonts, CDNs) on every page."""
    value = raw.strip(_C0_AND_SPACE)
    out: list[Resolved] = []
    for base in bases:
        try:
            href = ada_url.join_url(base, value)
        except ValueError:
            continue
        r = _split(href)
        if r not in out:
            out.append(r)
    return tuple(out)


def _split(href: str) -> Resolved:
    """Scheme and host of a URL as ada serialised it (canonical: ``scheme://[user@]host[:port]``
    for http(s)), without the cost of a URL object per attribute."""
    scheme = href[: href.index(":") + 1]
    if not href.startswith("//", len(scheme)):
        return Resolved(href, "", scheme)
    rest = href[len(scheme) + 2:]
    for stop in "/?#":
        cut = rest.find(stop)
        if cut >= 0:
            rest = rest[:cut]
    _, at, host_port = rest.rpartition("@")
    host = host_port
    if not host.endswith("]"):
        host = host.rpartition(":")[0] or host if ":" in host else host
    return Resolved(href, host, scheme, host_port, bool(at))


def _bases(page_path: str, site_url: str | None) -> tuple[str, ...]:
    path = page_path.lstrip("/")
    if site_url:
        return (site_url.rstrip("/") + "/" + path,)
    return (f"https://{_PLACEHOLDER_HOST}/{path}", f"http://{_PLACEHOLDER_HOST}/{path}")


class PageUrls:
    """Resolves the URLs of one page; a ``<base href>`` changes the base for what follows."""

    def __init__(self, page_path: str, site_url: str | None = None) -> None:
        self.bases = _bases(page_path, site_url)
        self._base_set = False

    def set_base(self, raw: str) -> None:
        """The first ``<base href>`` wins, as in browsers."""
        if self._base_set:
            return
        self._base_set = True
        readings = self.resolve(raw)
        if readings and all(r.scheme in ("http:", "https:") for r in readings):
            self.bases = tuple(dict.fromkeys(r.href for r in readings))

    def resolve(self, raw: str) -> tuple[Resolved, ...]:
        """Every reading of ``raw`` (already entity-decoded); () when it is no URL at all."""
        return _resolve(raw, self.bases)

    def may_leave_site(self, raw: str) -> bool:
        """False for values no base can send to another host (the fast path)."""
        return self._base_set or _SAFE_RELATIVE.fullmatch(raw.strip(" \x0c")) is None

    def vendor(self, raw: str, patterns: tuple[tuple[str, re.Pattern[str]], ...] = (),
               ) -> tuple[str, str] | None:
        """(service id, href) when ``raw`` reaches a catalog vendor: a ``detect`` pattern
        matches the parsed URL, or its host is one of a service's hosts."""
        if not self.may_leave_site(raw):
            return None
        hosts = vendor_hosts()
        for r in self.resolve(raw):
            if r.scheme not in ("http:", "https:"):
                continue
            for sid, rx in patterns:
                if rx.search(r.href):
                    return sid, r.href
            owner = hosts.service_of(r.host)
            if owner is not None:
                return owner, r.href
        return None

    def has_credentials(self, raw: str) -> bool:
        """Whether an http(s) reading of ``raw`` carries ``user:password@``: Chromium refuses
        to fetch such a subresource, other browsers send the credentials to the host."""
        return "@" in raw and any(r.credentials for r in self.resolve(raw)
                                  if r.scheme in ("http:", "https:"))

    def origin(self, raw: str) -> str | None:
        """The CSP source for an absolute (``https://host[:port]``) or protocol-relative
        (``host[:port]``) http(s) URL to another host."""
        if not self.may_leave_site(raw):
            return None
        found = {(r.scheme, r.host_port) for r in self.resolve(raw)
                 if r.scheme in ("http:", "https:") and r.host != _PLACEHOLDER_HOST}
        if not found:
            return None
        hosts = {host for _, host in found}
        if len(found) > 1 and len(hosts) == 1:
            return hosts.pop()  # ``//host``: the page's own scheme, as CSP reads a bare host
        scheme, host = min(found)
        return f"{scheme}//{host}"


def source_for(url: str) -> str | None:
    """The CSP source matching ``url`` when it is absolute http(s) (``https://host[:port]``)
    or protocol-relative (``host[:port]``): :meth:`PageUrls.origin` on a page of no known
    site, so the site's own origin is spelled exactly as the origins of its pages' URLs it is
    compared with (``https://Example.org:443/docs/`` is ``https://example.org``)."""
    return PageUrls("").origin(url)


# The CSS patterns below and ``_refresh`` are compiled on first need (``lazy_pattern``):
# most pages' styles name no URL (``css_loads`` answers those before any regex) and hold no
# refresh, and compiling them is ~1 ms of every build's start (issue 15).


_css_load = lazy_pattern(
    r"""@import\s+(?:url\(\s*(?:"([^"]*)"|'([^']*)'|([^)\s]*))\s*\)|"([^"]*)"|'([^']*)')"""
    r"""|url\(\s*(?:"([^"]*)"|'([^']*)'|([^)\s]*))\s*\)"""
    r"""|(?:-webkit-)?image-set\(""", re.I)


_IMPORT_GROUPS = 5


_css_string_or_paren = lazy_pattern(r""""([^"]*)"?|'([^']*)'?|[()]""")


_font_face = lazy_pattern(r"@font-face\s*\{[^}]*\}?", re.I)


_css_escape = lazy_pattern(r"\\([0-9a-fA-F]{1,6})[ \t\n\r\f]?|\\(.)", re.S)


_css_comment = lazy_pattern(r"/\*.*?(?:\*/|\Z)", re.S)


def _css_unescape(text: str) -> str:
    def one(m: re.Match[str]) -> str:
        if m.group(1):
            code = int(m.group(1), 16)
            return chr(code) if 0 < code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF \
                else "\ufffd"
        return m.group(2) if m.group(2) != "\n" else ""
    return _css_escape().sub(one, text) if "\\" in text else text


def css_loads(css: str) -> list[tuple[str, str]]:
    """``(url, directive)`` for every fetch in a style sheet or ``style`` attribute:
    ``@import`` (``style-src``), ``url()`` inside ``@font-face`` (``font-src``), any other
    ``url()`` and the strings of ``image-set()`` (``img-src``); CSS escapes (``\\2f``) and
    comments handled as the CSS tokenizer does. The directive is what the CSP must allow
    for the load to happen once a held ``<style>`` is activated."""
    low = css.lower()
    if "url" not in low and "@import" not in low and "image-set" not in low and "\\" not in css:
        return []
    text = _css_unescape(_css_comment().sub("", css))
    fonts = [m.span() for m in _font_face().finditer(text)] if "@font-face" in low else []
    out: list[tuple[str, str]] = []
    for m in _css_load().finditer(text):
        groups = m.groups()
        url = next((g for g in groups if g is not None), None)
        if url is None:  # image-set(: its bare strings load like url()
            out += [(url, "img-src") for url in _image_set_strings(text, m.end())]
        elif any(g is not None for g in groups[:_IMPORT_GROUPS]):
            out.append((url, "style-src"))
        else:
            font = any(a <= m.start() < b for a, b in fonts)
            out.append((url, "font-src" if font else "img-src"))
    return out


def _image_set_strings(text: str, pos: int) -> list[str]:
    """The strings directly inside ``image-set(`` (from ``pos``, just past the parenthesis):
    candidates, not the arguments of a nested ``type()``, gradient or ``url()``."""
    found, depth = [], 0
    for m in _css_string_or_paren().finditer(text, pos):
        token = m.group(0)
        if token == "(":
            depth += 1
        elif token == ")":
            if depth == 0:
                break
            depth -= 1
        elif depth == 0:
            found.append(m.group(1) if m.group(1) is not None else m.group(2))
    return found


def css_urls(css: str) -> list[str]:
    """The URLs :func:`css_loads` finds, without their directives."""
    return [url for url, _ in css_loads(css)]


_refresh = lazy_pattern(r"^\s*[\d.]*\s*[;,]?\s*(?:url\s*=\s*)?(['\"]?)(.*)$", re.I | re.S)


def refresh_url(content: str) -> str | None:
    """The URL of a ``<meta http-equiv=refresh content="5; url=…">`` (None: reload only)."""
    m = _refresh().match(content)
    if m is None:
        return None
    url = m.group(2)
    if m.group(1) and m.group(1) in url:
        url = url[: url.index(m.group(1))]
    return url.strip() or None


def srcset_urls(srcset: str) -> list[str]:
    """The URLs of a ``srcset`` (candidates split at commas that follow whitespace or a
    descriptor, as the srcset parser does; a URL may itself contain commas)."""
    out: list[str] = []
    pos, n = 0, len(srcset)
    while pos < n:
        while pos < n and (srcset[pos] in " \t\n\r\f,"):
            pos += 1
        start = pos
        while pos < n and srcset[pos] not in " \t\n\r\f":
            pos += 1
        url = srcset[start:pos]
        if url.endswith(","):
            url = url.rstrip(",")
        elif pos < n:
            depth = 0
            while pos < n and (depth or srcset[pos] != ","):
                depth += srcset[pos] == "("
                depth -= srcset[pos] == ")"
                pos += 1
        if url:
            out.append(url)
    return out

"""Where a built site will be served: its origin and URL path, given or read from the site.

Why it matters: ``404.html`` is served at any depth, so the runtime links injected into it must
be root-absolute (``/docs/assets/consent/...``), which needs the site's URL path; and the
site's own absolute URLs (``https://example.org/docs/logo.png``) are covered by ``'self'`` and
are not third-party requests, which needs its origin. The MkDocs plugin has ``site_url`` from
``mkdocs.yml``; ``mkdocs-clarity apply`` and ``audit`` only have the built files, so they take
``--site-url`` or read it back from what the generators write anyway: MkDocs, Material and
Zensical put ``<link rel="canonical">`` on every page and a ``sitemap.xml`` of absolute URLs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

from consent_generator.errors import UserError
from consent_generator.lazy import lazy_pattern
from mkdocs_clarity.engine.urls import UrlParts, absolute_url_parts, url_parts

HEAD_BYTES = 65536
"""How much of index.html is read to find the canonical link (it sits in <head>)."""


_link = lazy_pattern(r"<link\b[^>]*>", re.I)
"""This and the two patterns below read a site URL from the built files, compiled on
first need: the plugin is given ``site_url`` by MkDocs and never asks (issue 15)."""


_attr = lazy_pattern(r"""([a-zA-Z-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""")


_loc = lazy_pattern(r"<loc>\s*([^<\s]+)\s*</loc>", re.I)


class SiteUrlError(UserError):
    """``--site-url`` is not an absolute http(s) URL."""


@dataclass(frozen=True)
class SiteUrl:
    """The site's public URL, split the way the engine needs it."""

    url: str
    """Normalised: ends with ``/`` (``https://example.org/docs/``)."""
    source: str
    """Where it came from, for the summary (``--site-url``, ``index.html <link rel=...>``)."""

    @property
    def origin(self) -> str:
        """``https://example.org``: the ``site_origin`` of :func:`site.apply_site`."""
        parts = url_parts(self.url)
        return f"{parts.scheme}://{parts.host_port}"

    @property
    def base_path(self) -> str:
        """``/docs/``: the ``base_path`` of :func:`site.apply_site` (404.html's links)."""
        return url_parts(self.url).path or "/"


def _http_parts(url: str) -> UrlParts | None:
    """``url`` as the browser reads it (:mod:`.urls`: ``https://Example.org:443`` is
    ``https://example.org``, ``user@`` is no part of the origin) when it is an absolute
    http(s) URL with a host, else None: a site's origin has to say its scheme (``//host``
    does not)."""
    parts = absolute_url_parts(url)
    if parts is None or parts.scheme not in ("http", "https") or not parts.host:
        return None
    return parts


def parse_site_url(url: str, source: str = "--site-url") -> SiteUrl:
    """Validate and normalise a site URL; raise :class:`SiteUrlError` when it is unusable
    (a relative URL cannot say where 404.html lives or which origin is the site's own)."""
    parts = _http_parts(url)
    if parts is None:
        raise SiteUrlError(f"{source}: {url!r} is not an absolute http(s) URL; pass where the "
                           "site is served, e.g. --site-url https://example.org/docs/")
    path = parts.path or "/"
    if not path.endswith("/"):
        # A page URL (.../index.html) names its directory; any other path is a directory
        # (``/v1.2`` included: version paths have dots too).
        path = (path.rsplit("/", 1)[0] + "/" if path.lower().endswith((".html", ".htm"))
                else path + "/")
    return SiteUrl(f"{parts.scheme}://{parts.host_port}{path}", source)


def detect_site_url(site_dir: Path) -> SiteUrl | None:
    """The site URL as the generator wrote it into the site, or None when nothing says.

    Tried in order: ``<link rel="canonical">`` of the root ``index.html`` (the home page's
    canonical URL *is* the site URL), then the first ``sitemap.xml`` ``<loc>`` that maps onto a
    file of the site (its path minus the file's path is the site's path)."""
    return _from_canonical(site_dir) or _from_sitemap(site_dir)


def _from_canonical(site_dir: Path) -> SiteUrl | None:
    index = site_dir / "index.html"
    if not index.is_file():
        return None
    with index.open("rb") as f:
        head = f.read(HEAD_BYTES).decode("utf-8", "replace")
    for tag in _link().findall(head):
        attrs = {m.group(1).lower(): next(g for g in m.groups()[1:] if g is not None)
                 for m in _attr().finditer(tag)}
        if "canonical" in attrs.get("rel", "").lower().split() and attrs.get("href"):
            try:
                return parse_site_url(attrs["href"], 'index.html <link rel="canonical">')
            except SiteUrlError:
                return None
    return None


def _from_sitemap(site_dir: Path) -> SiteUrl | None:
    sitemap = site_dir / "sitemap.xml"
    if not sitemap.is_file():
        return None
    for loc in _loc().findall(sitemap.read_text("utf-8", errors="replace")):
        parts = _http_parts(loc)
        if parts is None:
            continue
        segments = [s for s in parts.path.split("/") if s]
        for k in range(len(segments) + 1):  # shortest site path whose rest is a real file
            rest = site_dir.joinpath(*map(unquote, segments[k:]))
            if rest.is_file() or (rest / "index.html").is_file():
                base = "/" + "".join(s + "/" for s in segments[:k])
                return SiteUrl(f"{parts.scheme}://{parts.host_port}{base}",
                               "sitemap.xml <loc>")
    return None

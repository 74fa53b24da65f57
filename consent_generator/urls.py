"""URLs split as the browser reads them (WHATWG URL standard, ada-url): the one home of that
reading for both packages (:mod:`mkdocs_clarity.engine.urls` re-exports it).

Why not ``urllib.parse``: a browser strips leading/trailing C0 controls and spaces, removes
tabs and newlines anywhere, reads ``\\`` as ``/`` for http(s), decodes percent-encoded and
upper-case hosts, drops ``:443`` and ``user@``; ``urlsplit`` does none of that, so a CSP
source made from its ``netloc`` can name another host than the one the browser connects to
(``https://u@host`` is no valid source at all). Nothing here is compiled at import.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

import ada_url

if TYPE_CHECKING:  # pragma: no cover
    from ada_url.ada_adapter import ParseAttributes

PLACEHOLDER_HOST = "site.invalid"
"""The host of the base a relative URL is read against (never a real one: ``.invalid``)."""


@dataclass(frozen=True)
class UrlParts:
    """An absolute URL in the parts a CSP source or a service key is made of, as the browser
    reads them (so every rule that reads a URL reads it as the recogniser that found it)."""

    scheme: str
    """Lower case, without ``:`` (``https``); empty for a URL with no host of its own."""
    host: str
    """Lower case, percent-decoded, IDNA-encoded, ``[…]`` for IPv6; empty when none."""
    port: int | None
    """A port other than the scheme's default (``:443`` on https is no port: None)."""
    path: str
    """Percent-encoded and without dot segments, as the browser requests it."""

    @property
    def host_port(self) -> str:
        return f"{self.host}:{self.port}" if self.port is not None else self.host


_PARTS = ("protocol", "hostname", "port", "pathname")
_HTTPS_PLACEHOLDER = f"https://{PLACEHOLDER_HOST}/"


@lru_cache(maxsize=4096)
def url_parts(url: str) -> UrlParts:
    """``url`` split per the WHATWG URL standard (ada-url), unlike ``urllib.parse``: spaces and
    C0 controls around it and tabs/newlines inside are removed, ``\\`` is ``/`` for http(s),
    hosts are lower-cased and percent-decoded, default ports and ``user@`` dropped.

    A scheme-relative URL (``//host/…``, ``\\\\host\\…``, ``/\\host/…``) is read as https:
    what the recogniser resolves it to on an https site, and the stricter reading for the
    CSP. A URL with no host of its own (``a/b.js``) keeps only its path."""
    parts = absolute_url_parts(url)
    if parts is not None:
        return parts
    try:
        p = ada_url.parse_url(ada_url.join_url(_HTTPS_PLACEHOLDER, url), attributes=_PARTS)
    except ValueError:
        return UrlParts("", "", None, "")
    if p["hostname"] == PLACEHOLDER_HOST:
        return UrlParts("", "", None, p["pathname"])
    return _parts(p)


def absolute_url_parts(url: str) -> UrlParts | None:
    """``url`` split as :func:`url_parts` does when it is absolute on its own (it has a
    scheme: ``https:host/path`` does, ``//host/path`` does not), None when only a base could
    complete it: for a URL that must say its scheme, such as the site's own (``site_url``)."""
    try:
        return _parts(ada_url.parse_url(url, attributes=_PARTS))
    except ValueError:
        return None


def _parts(p: ParseAttributes) -> UrlParts:
    port = p["port"]
    return UrlParts(p["protocol"][:-1], p["hostname"], int(port) if port else None,
                    p["pathname"])


def http_origin(url: str) -> str | None:
    """The CSP source ``scheme://host[:port]`` of an absolute http(s) URL, spelled as the
    browser's request is matched (``https://U@Host:443/x`` is ``https://host``); None for a
    relative URL, another scheme, or a value no browser can load."""
    parts = absolute_url_parts(url)
    if parts is None or parts.scheme not in ("http", "https") or not parts.host:
        return None
    return f"{parts.scheme}://{parts.host_port}"


def has_credentials(url: str) -> bool:
    """Whether the browser reads ``user[:password]@`` in ``url`` (absolute or scheme-relative):
    Chromium then refuses to fetch it as a subresource, other browsers send the credentials."""
    if "@" not in url:
        return False
    try:
        p = ada_url.parse_url(ada_url.join_url(_HTTPS_PLACEHOLDER, url),
                              attributes=("username", "password"))
    except ValueError:
        return False
    return bool(p["username"] or p["password"])

"""The unknown-embed rules (:mod:`mkdocs_clarity.engine.embeds`) read URLs with the one WHATWG
parser (:func:`mkdocs_clarity.engine.urls.url_parts`, ada-url), no longer ``urllib.parse``.

For the URLs they get today (hrefs ada already serialised) the behaviour is the same: proved
against the old implementation, kept here. For raw URLs where ``urllib`` and the WHATWG
standard disagree (backslashes, tabs and newlines inside, spaces around, upper-case and
percent-encoded hosts, default ports, ``user@``, ``//host`` forms) the rules now read them as
a browser does: the same answer as for the URL the browser actually requests.
"""

from __future__ import annotations

import re
from urllib.parse import SplitResult, urlsplit

import ada_url
import pytest
from hypothesis import given
from hypothesis import strategies as st

from mkdocs_clarity.engine import embeds
from mkdocs_clarity.engine.urls import UrlParts, url_parts

# -- the old implementation (urllib), kept for the equivalence proof -----------------------


def _old_split(url: str) -> SplitResult:
    return urlsplit("https:" + url if url.startswith("//") else url)


def old_exact_source(url: str) -> str:
    parts = _old_split(url)
    origin = f"{parts.scheme.lower()}://{parts.netloc.lower()}"
    return origin + (parts.path or "/").replace(";", "%3B").replace(",", "%2C")


def old_service_key(url: str) -> str:
    host = _old_split(url).hostname or "embed"
    return re.sub(r"[^a-z0-9]+", "-", host.lower()).strip("-")


def old_path(url: str) -> str:
    return _old_split(url).path.lower()


_OLD_SOURCE = re.compile(r"(?:(?P<scheme>[a-z][a-z0-9+.-]*):)?(?://)?(?P<host>\*|(?:\*\.)?"
                         r"[a-z0-9.-]+)(?::(?P<port>\d+|\*))?(?P<path>/[^?#]*)?$", re.I)


def old_source_matches(source: str, url: str) -> bool:
    m = _OLD_SOURCE.match(source)
    if m is None or source.startswith("'") or m.group("host") == "*":
        return False
    parts = _old_split(url)
    scheme, host = parts.scheme.lower(), (parts.hostname or "").lower()
    want_scheme = (m.group("scheme") or "").lower()
    if want_scheme and want_scheme != scheme and not (want_scheme == "http" and scheme == "https"):
        return False
    pattern = m.group("host").lower()
    if not (host == pattern or (pattern.startswith("*.") and host.endswith(pattern[1:]))):
        return False
    port = m.group("port")
    default = {"http": 80, "https": 443}.get(scheme)
    if port is None:  # CSP's port rule, as the package now applies it (not urllib's doing)
        if parts.port not in (None, default):
            return False
    elif port != "*" and str(parts.port or default) != port:
        return False
    path = m.group("path")
    if not path or path == "/":
        return True
    return parts.path.startswith(path) if path.endswith("/") else parts.path == path


# -- same behaviour for the hrefs the recogniser hands over ----------------------------------

_LABEL = st.from_regex(r"[A-Za-z0-9]([A-Za-z0-9-]{0,8}[A-Za-z0-9])?", fullmatch=True)
_SEGMENT = st.from_regex(r"[A-Za-z0-9._~-]{0,8}", fullmatch=True)
SOURCES = ["https://cdn.example.com", "cdn.example.com", "*.example.com", "http://*.example.com",
           "https://cdn.example.com:8443", "https://cdn.example.com:*", "https://cdn.example.com/a/",
           "https://cdn.example.com/a/app.js", "http:", "'self'", "*"]


@st.composite
def hrefs(draw: st.DrawFn) -> str:
    scheme = draw(st.sampled_from(["http", "https", "HTTPS", ""]))
    host = ".".join([*draw(st.lists(_LABEL, min_size=1, max_size=3)), "example", "com"])
    port = draw(st.sampled_from(["", ":443", ":80", ":8443", ":1"]))
    path = "/".join(draw(st.lists(_SEGMENT, max_size=4)))
    tail = draw(st.sampled_from(["", ".js", ".CSS", "?q=1", "#f", ";x,y"]))
    raw = f"{scheme}:" if scheme else ""
    return ada_url.join_url("https://site.invalid/", f"{raw}//{host}{port}/{path}{tail}")


@given(hrefs(), st.sampled_from(SOURCES))
def test_same_answers_as_urllib_for_serialised_hrefs(href, source):
    assert embeds.exact_source(href) == old_exact_source(href)
    assert embeds.service_key(href) == old_service_key(href)
    assert url_parts(href).path.lower() == old_path(href)
    assert embeds.source_matches(source, href) == old_source_matches(source, href)


# -- where urllib and the browser disagree -----------------------------------------------------

BROWSER = "https://cdn.example.com/lib/app.js"
"""What the browser requests for every raw spelling below."""
RAW = [
    "https:\\\\cdn.example.com\\lib\\app.js",        # \ is / for http(s)
    "https://cdn.example.com\\lib\\app.js",
    "\\\\cdn.example.com\\lib\\app.js",              # //host written with backslashes
    "/\\cdn.example.com/lib/app.js",
    "https:cdn.example.com/lib/app.js",              # absolute without a base
    "https://cdn.exa\tmple.com/lib/a\npp.js",        # tabs and newlines removed
    "  https://cdn.example.com/lib/app.js \x01",     # spaces and C0 controls around it
    "https://CDN.Example.COM/lib/app.js",            # upper-case host
    "https://%63dn.example.com/lib/app.js",          # percent-encoded host
    "https://cdn.example.com:443/lib/app.js",        # default port
    "https://user@cdn.example.com/lib/app.js",       # user name
    "https://cdn.example.com/lib/x/../app.js",       # dot segments
    "//CDN.example.com/lib/app.js",                  # scheme-relative: read as https
]


@pytest.mark.parametrize("raw", RAW)
def test_raw_urls_are_read_as_the_browser_reads_them(raw):
    assert url_parts(raw) == UrlParts("https", "cdn.example.com", None, "/lib/app.js")
    assert embeds.exact_source(raw) == BROWSER
    assert embeds.service_key(raw) == "cdn-example-com"
    assert embeds.source_matches("https://cdn.example.com/lib/", raw)
    assert embeds.source_matches("cdn.example.com:443", raw)
    assert embeds.literal_directive(raw, "") == "script-src"


def test_urllib_disagrees_on_these_urls():
    """The cases above are not vacuous: the old reading got most of them wrong."""
    wrong = [raw for raw in RAW if (old_exact_source(raw), old_service_key(raw)) !=
             (BROWSER, "cdn-example-com")]
    assert len(wrong) >= 9, wrong
    assert not old_source_matches("https://cdn.example.com/lib/", RAW[0])


def test_ports_hosts_and_relative_urls():
    assert url_parts("http://cdn.example.com:80/") == UrlParts("http", "cdn.example.com", None, "/")
    assert url_parts("https://cdn.example.com:8443/a").host_port == "cdn.example.com:8443"
    assert embeds.exact_source("https://u:pw@CDN.example.com:8443/a;b") == \
        "https://cdn.example.com:8443/a%3Bb"
    assert url_parts("https://bücher.example/").host == "xn--bcher-kva.example"
    assert url_parts("https://[::1]:8080/x").host_port == "[::1]:8080"
    assert url_parts("lib/app.js") == UrlParts("", "", None, "/lib/app.js")
    assert embeds.service_key("lib/app.js") == "embed"
    assert url_parts("data:text/plain,x").host == ""
    assert url_parts("https://") == UrlParts("", "", None, "")


def test_a_source_without_a_port_allows_only_the_default_port():
    """CSP §6.7.2.8 (port-part matching): no port in the source means the scheme's default
    port; a URL on another port is not allowed (the browser would block it after consent)."""
    assert embeds.source_matches("https://cdn.example.com", "https://cdn.example.com:443/a.js")
    assert not embeds.source_matches("https://cdn.example.com", "https://cdn.example.com:8443/a")
    assert not embeds.source_matches("*.example.com", "https://cdn.example.com:8443/a")
    assert embeds.source_matches("https://cdn.example.com:*", "https://cdn.example.com:8443/a")
    assert embeds.source_matches("http://cdn.example.com", "https://cdn.example.com/a")

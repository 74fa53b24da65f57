"""The CSP sources the engine derives from a URL name what the *browser* fetches for it.

Four places used to split such URLs with ``urllib.parse.urlsplit``, which reads backslashes,
dot segments, spaces, ``https:host/path``, ``/\\host``, default ports, ``user@`` and
percent-encoded hosts differently from a browser: the site's own origin (``scan.source_for``,
``siteurl``), a third-party script's exact path (``csp._resource_source``) and the font
directory of MathJax/KaTeX (``themes.math``). Each now reads URLs through
:mod:`mkdocs_clarity.engine.urls` (ada-url, WHATWG). Every case below gave a source naming
another host or path than the one the browser loads (a blocked load, or a policy allowing
something else) under the old code.
"""

from __future__ import annotations

import pytest

from consent_generator.model import Policy
from mkdocs_clarity.engine.csp import build_site_csp
from mkdocs_clarity.engine.scan import scan_page
from mkdocs_clarity.engine.siteurl import SiteUrlError, detect_site_url, parse_site_url
from mkdocs_clarity.engine.urls import source_for
from mkdocs_clarity.themes import math, page_facts

MATHJAX = "https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-mml-chtml.js"
EXACT = MATHJAX  # what the browser requests for every spelling below


def _page(head: str, body: str = "") -> str:
    return f"<html><head>{head}</head><body>{body}</body></html>"


def _script_sources(head: str, site_url: str | None = None) -> tuple[str, ...]:
    scan = scan_page(_page(head), "p.html", site_url=site_url)
    sources = build_site_csp(Policy(), [scan], runtime_scripts=[]).policy.get("script-src")
    return tuple(s for s in sources or () if s != "'self'")


# -- a third-party script's exact path (csp._resource_source) ----------------------------------

@pytest.mark.parametrize("src", [
    MATHJAX.replace("es5/", "es5\\"),                      # \ is / for http(s)
    MATHJAX.replace("/es5/", "/x/../es5/"),                # dot segments are resolved
    MATHJAX.replace("/es5/", "/./es5/"),
    "https:" + MATHJAX[len("https://"):],                  # https:host/path is absolute
    "\x01 " + MATHJAX,                                     # leading C0 controls and spaces
    MATHJAX.replace("cdn.jsdelivr.net", "CDN.jsdelivr.net:443"),
])
def test_a_script_is_allowed_by_the_path_the_browser_requests(src):
    assert _script_sources(f'<script src="{src}"></script>') == (EXACT,)


def test_a_scheme_relative_script_spelled_with_a_backslash_keeps_its_host():
    src = "/\\" + MATHJAX[len("https://"):]
    assert _script_sources(f'<script src="{src}"></script>') == (EXACT[len("https://"):],)


def test_a_space_in_a_script_path_cannot_add_a_second_source():
    """The browser requests ``%20``; the old source had the space, which the CSP parser reads
    as the end of one source and the start of another: ``x.evil.com/a.js`` was allowed."""
    src = MATHJAX.replace("tex-mml-chtml.js", "tex-mml.js x.evil.com/a.js")
    sources = _script_sources(f'<script src="{src}"></script>')
    assert sources == (EXACT.replace("tex-mml-chtml.js", "tex-mml.js%20x.evil.com/a.js"),)
    assert all(" " not in s for s in sources)


def test_a_script_relative_to_an_off_site_base_gets_no_cdn_source():
    """After ``<base href>`` on a CDN the scan reads ``x.js`` there, but the site's
    ``base-uri 'self'`` makes the browser ignore the base and load it from the site: no
    source (before: the host with the file name glued on, ``https://cdn.jsdelivr.nettex…``),
    and never the CDN's whole host."""
    head = ('<base href="https://cdn.jsdelivr.net/npm/mathjax@3/es5/">'
            '<script src="tex-mml-chtml.js"></script>')
    assert _script_sources(head) == ()


def test_a_scheme_relative_script_takes_the_sites_scheme():
    """``//host`` is fetched with the page's scheme: on an http site the exact source is
    http, though :func:`urls.url_parts` alone reads ``//host`` as https."""
    head = ('<meta http-equiv="Content-Security-Policy" content="script-src \'self\' '
            'http://cdn.example.org"><script src="//cdn.example.org/lib/x.js"></script>')
    scan = scan_page(_page(head), "p.html", site_url="http://docs.example.org")
    assert [r.origin for r in scan.resources] == ["http://cdn.example.org"]
    assert "http://cdn.example.org/lib/x.js" in _script_sources(head, "http://docs.example.org")


# -- the site's own origin (scan.source_for, siteurl) -------------------------------------------

@pytest.mark.parametrize(("url", "source"), [
    ("https://Docs.Example.org:443/", "https://docs.example.org"),
    ("https://user:pw@docs.example.org/docs/", "https://docs.example.org"),
    ("https://docs.ex%61mple.org", "https://docs.example.org"),
    ("https://Bücher.example/", "https://xn--bcher-kva.example"),
    ("https://docs.example.org\\@evil.example/", "https://docs.example.org"),
    ("https:docs.example.org/docs/", "https://docs.example.org"),
    ("\x01https://docs.example.org/", "https://docs.example.org"),
    ("http://docs.example.org:8080/", "http://docs.example.org:8080"),
    ("//docs.example.org/", "docs.example.org"),
    ("/docs/", None),
    ("javascript:alert(1)", None),
])
def test_source_for_is_the_origin_the_browser_reads(url, source):
    assert source_for(url) == source


@pytest.mark.parametrize("site_url", ["https://Docs.Example.org:443", "https://u@docs.example.org",
                                      "https://docs.ex%61mple.org"])
def test_the_sites_own_absolute_urls_stay_first_party_however_site_url_is_spelled(site_url):
    """Before, the site's own ``<img>`` was an unknown third-party embed (gated until consent)
    because ``site_url``'s spelling was compared with the browser's reading of the image."""
    html = _page("", '<img src="https://docs.example.org/logo.png">')
    scan = scan_page(html, "p.html", site_url=site_url)
    assert scan.trackers == ()
    assert scan == scan_page(html, "p.html", site_url="https://docs.example.org")



def test_the_site_policy_does_not_list_the_sites_own_origin_however_it_is_spelled():
    """``'self'`` covers the site's own absolute URLs; the builder compares ``site_origin`` with
    the scan's reading of each resource's origin, so both must be the browser's."""
    html = _page("", '<img src="https://docs.example.org/logo.png">')
    scan = scan_page(html, "p.html", site_url="https://docs.example.org")
    site = build_site_csp(Policy(), [scan], site_origin="https://Docs.Example.org:443/",
                          runtime_scripts=[])
    assert site.policy.get("img-src") == ("'self'", "data:")

@pytest.mark.parametrize(("given", "url", "origin"), [
    ("https://user:pw@Example.org:443/docs", "https://example.org/docs/", "https://example.org"),
    ("https://ex%61mple.org/", "https://example.org/", "https://example.org"),
    ("https://Bücher.example/docs/", "https://xn--bcher-kva.example/docs/",
     "https://xn--bcher-kva.example"),
    ("https://example.org\\@evil.example/docs/", "https://example.org/@evil.example/docs/",
     "https://example.org"),
    ("https:example.org/docs", "https://example.org/docs/", "https://example.org"),
    ("http://127.0.0.1:80/", "http://127.0.0.1/", "http://127.0.0.1"),
])
def test_site_url_is_read_as_the_browser_reads_it(given, url, origin):
    site = parse_site_url(given)
    assert (site.url, site.origin) == (url, origin)


@pytest.mark.parametrize("bad", ["//example.org/docs/", "/docs/", "example.org/docs/",
                                 "ftp://example.org/", "https://exa mple.org/", "https://"])
def test_site_url_still_needs_an_absolute_http_url(bad):
    with pytest.raises(SiteUrlError):
        parse_site_url(bad)


def test_sitemap_origin_is_read_as_the_browser_reads_it(tmp_path):
    """The site's path is found on disk from the path the browser requests (``%C3%A9`` is the
    directory ``é``), its origin is the browser's."""
    (tmp_path / "é").mkdir()
    (tmp_path / "é" / "index.html").write_text("<html></html>")
    (tmp_path / "sitemap.xml").write_text(
        "<urlset><url><loc>https://Example.org:443/docs/é/</loc></url></urlset>")
    found = detect_site_url(tmp_path)
    assert found is not None and (found.url, found.origin) == ("https://example.org/docs/",
                                                               "https://example.org")


# -- MathJax/KaTeX font directories (themes.math) ----------------------------------------------

def _math(src: str) -> tuple[list[tuple[str, str]], list[str]]:
    needs, warnings = math.needs(page_facts(_page(f'<script src="{src}"></script>')))
    return [(n.directive, n.source) for n in needs], warnings


FONTS = ("font-src", "https://cdn.jsdelivr.net/npm/mathjax@3/es5/output/chtml/fonts/")


@pytest.mark.parametrize("src", [
    MATHJAX.replace("es5/", "es5\\"),
    MATHJAX.replace("/es5/", "/x/../es5/"),
    MATHJAX.replace("/es5/", "/./es5/"),
    MATHJAX.replace("cdn.jsdelivr.net", "CDN.jsdelivr.net:443"),
    "//" + MATHJAX[len("https://"):],
])
def test_math_fonts_are_allowed_where_the_browser_loads_them(src):
    assert _math(src) == ([FONTS], [])


def test_math_fonts_directory_has_no_space():
    needs, _ = _math(MATHJAX.replace("es5/", "es 5/"))
    assert needs == [("font-src", FONTS[1].replace("es5/", "es%205/"))]


def test_math_with_credentials_is_the_unknown_embed_the_scan_gates():
    """``user@`` keeps a URL out of the math profile's claims in the scan (Chromium refuses to
    fetch it anyway), so the theme needs say the same and add no font source."""
    src = MATHJAX.replace("cdn.jsdelivr.net", "u@cdn.jsdelivr.net")
    scan = scan_page(_page(f'<script src="{src}"></script>'), "p.html")
    assert [t.service for t in scan.trackers] == ["third-party"]
    needs, warnings = _math(src)
    assert needs == [] and len(warnings) == 1

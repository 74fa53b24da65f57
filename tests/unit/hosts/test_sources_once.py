"""Each source appears once in every header format (issue 11 §3), whatever number of routes
brings it: an enabled service, the same vendor auto-gated and held on several pages, a page's
own CSP (in another letter case), ``csp.extra``."""

from __future__ import annotations

from consent_generator.policy import parse_policy
from mkdocs_clarity.engine.csp import Csp
from mkdocs_clarity.engine.site import apply_site
from mkdocs_clarity.hosts import read_site_headers

from .common import ALL

POLICY = f"""\
version: 1
services:
  clarity: {{category: analytics, project_id: "abcde12345"}}
csp:
  delivery: [{", ".join(ALL)}]
  extra: {{script-src: ["https://www.clarity.ms"], img-src: ["https://c.bing.com"]}}
"""
PAGE = ('<!doctype html><html><head><meta charset="utf-8"><meta http-equiv='
        '"Content-Security-Policy" content="script-src \'self\' HTTPS://WWW.CLARITY.MS '
        'https://www.clarity.ms; img-src https://C.BING.COM">'
        "<title>p</title></head><body>"
        '<script src="https://www.clarity.ms/tag/abcde12345"></script>'
        '<img src="https://c.bing.com/c.gif" alt=""><img src="//c.bing.com/d.gif" alt="">'
        "</body></html>")


def test_each_source_once_in_every_header_format(tmp_path):
    for name in ("index.html", "a/index.html", "b/index.html"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(PAGE)
    apply_site(tmp_path, parse_policy(POLICY), jobs=1)
    found = read_site_headers(tmp_path)
    assert len(found) >= 5  # netlify and cloudflare share _headers; meta is in the pages
    meta = (tmp_path / "index.html").read_text().split('content="', 1)[1].split('"', 1)[0]
    for where, csp_text in [("meta", meta), *((f, h["content-security-policy"])
                                            for f, h in found.items())]:
        for directive, sources in Csp.parse(csp_text.replace("&#x27;", "'")).directives:
            lowered = [s if s.startswith("'") else s.lower() for s in sources]
            assert len(lowered) == len(set(lowered)), (where, directive, sources)

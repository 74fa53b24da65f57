"""The page rewrite: splices only, gating of each tracker kind, the CSP meta, idempotency."""

from __future__ import annotations

import re

from consent_generator.model import MaskingConfig, Policy, ServiceConfig, frozen_map
from consent_generator.render import BODY_END, BODY_START, HEAD_END, HEAD_START
from consent_generator.services import catalog
from mkdocs_clarity.engine.csp import Csp
from mkdocs_clarity.engine.onepage import RewriteContext, rewrite_page
from mkdocs_clarity.engine.rewrite import root_for, strip_injected
from mkdocs_clarity.engine.scan import scan_page

CSP = Csp.parse("default-src 'self'; script-src 'self'; object-src 'none'")


def policy(**kw) -> Policy:
    svc = ServiceConfig("clarity", catalog()["clarity"], "analytics",
                        frozen_map({"project_id": "abcde12345"}))
    kw.setdefault("masking", MaskingConfig(mode="relaxed"))
    return Policy(services=(svc,), **kw)


def rewrite(html: str, path: str = "guide/index.html", **kw) -> str:
    return rewrite_page(html, RewriteContext(policy(**kw), path, csp=CSP)).html


PAGE = """<!DOCTYPE html>\r
<html lang="en">\r
<head>\r
  <meta charset="utf-8">\r
  <meta http-equiv="Content-Security-Policy" content="img-src https://cdn.example.org">\r
  <title>T &amp; t</title>\r
  <script async src="https://www.googletagmanager.com/gtag/js?id=G-ABC123"></script>\r
</head>\r
<body class='x'>\r
<pre>  keep   this\r
\tand &lt;that&gt; &#x41;</pre>\r
<p title=unquoted data-x='single'>text</p>\r
<script>(function(c,l,a,r,i,t,y){t=l.createElement(r);t.src="https://www.clarity.ms/tag/"+i;})(window,document,"clarity","script","abc");</script>\r
<iframe width="560" src="https://www.youtube.com/embed/abc?start=3" allowfullscreen></iframe>\r
<script>document.body.dataset.ok = "1";</script>\r
</body>\r
</html>\r
"""


def test_idempotent_byte_for_byte():
    once = rewrite(PAGE)
    assert rewrite(once) == once
    assert rewrite(rewrite(once)) == once


def test_untouched_bytes_stay_identical():
    out = rewrite(PAGE)
    for fragment in ("<pre>  keep   this\r\n\tand &lt;that&gt; &#x41;</pre>",
                     "<p title=unquoted data-x='single'>text</p>", "<body class='x'>\r\n",
                     "<title>T &amp; t</title>", '<script>document.body.dataset.ok = "1";'
                     "</script>"):
        assert fragment in out
    # removing exactly what we added gives the original back, except the gated/removed parts
    assert out.count("\r\n") == PAGE.count("\r\n")


def test_csp_meta_first_after_charset_and_original_kept():
    out = rewrite(PAGE)
    head = out.split("<head>", 1)[1]
    assert head.startswith('\r\n  <meta charset="utf-8"><meta http-equiv="Content-Security-'
                           "Policy\"")
    metas = re.findall(r'<meta http-equiv="Content-Security-Policy"[^>]*>', out)
    assert len(metas) == 1
    assert 'data-consent-original="img-src https://cdn.example.org"' in metas[0]
    assert "default-src &#x27;self&#x27;" not in metas[0]  # quotes readable, not entities
    assert "default-src 'self'" in metas[0]
    scan = scan_page(out, "x")
    assert scan.csp_metas[0].ours and scan.csp_metas[0].original == "img-src https://cdn.example.org"


def test_meta_is_first_element_of_head_without_charset():
    html = "<html><head><title>x</title></head><body></body></html>"
    out = rewrite(html)
    assert out.startswith('<html><head><meta http-equiv="Content-Security-Policy"')


def test_head_tracker_becomes_text_plain_and_body_tracker_a_template():
    out = rewrite(PAGE)
    assert ('<script async type="text/plain" data-consent-category="analytics" '
            'data-consent-service="google-analytics" '
            'data-consent-src="https://www.googletagmanager.com/gtag/js?id=G-ABC123">'
            not in out)  # order of attributes: rename in place, additions at the end
    gtag = re.search(r"<script async[^>]*>", out).group(0)
    assert 'data-consent-src="https://www.googletagmanager.com/gtag/js?id=G-ABC123"' in gtag
    assert ' src=' not in gtag and 'type="text/plain"' in gtag
    assert 'data-consent-category="analytics"' in gtag
    assert 'data-consent-service="google-analytics"' in gtag
    assert re.search(r'<template data-consent-category="analytics" data-consent-service='
                     r'"clarity"><script>\(function\(c,l,a,r,i,t,y\).*?</script></template>',
                     out)


def test_iframe_gated_and_rewritten_to_nocookie():
    out = rewrite(PAGE)
    frame = re.search(r"<iframe[^>]*>", out).group(0)
    assert " src=" not in frame
    assert 'data-consent-src="https://www.youtube-nocookie.com/embed/abc?start=3"' in frame
    assert 'data-consent-category="marketing"' in frame
    assert 'data-consent-service="youtube"' in frame
    assert "allowfullscreen" in frame


def test_no_executable_tracker_left():
    out = rewrite(PAGE)
    scan = scan_page(out, "x")
    for t in scan.trackers:
        assert t.gated or t.injected, t


def test_warnings_name_the_page_and_line():
    res = rewrite_page(PAGE, RewriteContext(policy(), "guide/index.html", csp=CSP))
    assert any(w.startswith("guide/index.html:7: Google Analytics") for w in res.warnings)
    assert any(w.startswith("guide/index.html:13: Microsoft Clarity") for w in res.warnings)
    assert {g.service for g in res.gated} == {"google-analytics", "clarity", "youtube"}


def test_injected_blocks_and_footer_link_and_root():
    out = rewrite(PAGE, path="a/b/index.html")
    head = out[out.index(HEAD_START):out.index(HEAD_END)]
    assert 'href="../../assets/consent/' in head
    assert out.index(HEAD_END) < out.index("</head>")
    body = out[out.index(BODY_START):out.index(BODY_END)]
    assert '<a href="#consent-preferences" data-consent-open>Cookie settings</a>' in body
    assert out.index(BODY_END) < out.index("</body>")
    assert strip_injected(out).count(HEAD_START) == 0
    assert root_for("index.html") == "" and root_for("a/index.html") == "../"


def test_masks_are_inserted():
    out = rewrite(PAGE, masking=MaskingConfig(mode="relaxed", mask=("p[data-x]",)))
    assert "<p title=unquoted data-x='single' data-clarity-mask=\"true\">" in out


def test_fragment_without_html_head_body_is_untouched():
    frag = "<div>an include</div>\n<script>x()</script>\n"
    assert rewrite(frag) == frag


def test_previous_marker_blocks_replaced_not_duplicated():
    out = rewrite(PAGE)
    assert out.count(HEAD_START) == 1 and out.count(BODY_START) == 1
    stale = out.replace(HEAD_START, HEAD_START + "<script>stale()</script>")
    assert rewrite(stale) == out


def test_hand_gated_content_script_is_held_in_a_template():
    html = ('<html><head><script type="text/plain" data-consent-category="analytics">'
            "head()</script></head><body>"
            '<script type="text/plain" data-consent-category="functionality" '
            'data-consent-service="chat">chat()</script></body></html>')
    out = rewrite(html)
    assert ('<template data-consent-category="functionality" data-consent-service="chat">'
            '<script type="text/plain" data-consent-category="functionality" '
            'data-consent-service="chat">chat()</script></template>') in out
    assert '<head><meta http-equiv' in out and ">head()</script>" in out
    assert "<template data-consent-category=\"analytics\">" not in out  # head stays as is
    assert rewrite(out) == out


def test_module_tracker_in_head_keeps_its_type_for_later():
    html = ('<html><head><script type="module" src="https://www.clarity.ms/tag/x"></script>'
            "</head><body></body></html>")
    out = rewrite(html)
    assert 'type="text/plain"' in out and 'data-consent-type="module"' in out

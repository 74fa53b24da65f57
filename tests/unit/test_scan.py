"""The one-pass scanner: what it must see, and what it must not be fooled by."""

from __future__ import annotations

from mkdocs_clarity.engine.csp import sha256_source
from mkdocs_clarity.engine.scan import scan_page, tokens


def test_inline_scripts_executable_or_not_and_hashes():
    html = ("<html lang='de-CH'><head><script>a()</script>"
            "<script type='application/ld+json'>{}</script>"
            "<script type=module>b()</script><script src='/x.js'></script></head>"
            "<body><script type='text/plain' data-consent-category='analytics'>c()</script>"
            "<script type='text/plain'>not code</script>"
            "<template data-consent-category='marketing'><script>d()</script></template>"
            "</body></html>")
    s = scan_page(html, "p.html")
    assert s.lang == "de-CH"
    by_hash = {x.hash: x for x in s.inline_scripts}
    assert by_hash[sha256_source("a()")].executable and by_hash[sha256_source("a()")].in_head
    assert not by_hash[sha256_source("{}")].executable
    assert by_hash[sha256_source("b()")].executable
    gated = by_hash[sha256_source("c()")]
    assert gated.executable and gated.gated and not gated.in_head
    assert not by_hash[sha256_source("not code")].executable
    in_template = by_hash[sha256_source("d()")]
    assert in_template.executable and in_template.gated
    assert len(s.inline_scripts) == 6  # the external one is not inline


def test_comments_raw_text_and_attribute_values_are_not_tags():
    html = ("<html><head><title><script>no()</script></title></head><body>"
            "<!-- <script>commented()</script> -->"
            "<textarea><script>typed()</script></textarea>"
            '<a title="<script>attr()</script>" href="#">x</a>'
            "<script>var s = '<script>inner()</' + 'script>'; var t = '<style>';</script>"
            "<style>p::before{content:'<script>'}</style>"
            "<pre><code>&lt;script&gt;escaped()&lt;/script&gt;</code></pre>"
            "</body></html>")
    s = scan_page(html, "p.html")
    texts = [x.first_line for x in s.inline_scripts]
    assert texts == ["var s = '<script>inner()</' + 'script>'; var t = '<style>';"]
    assert len(s.inline_styles) == 1


def test_uppercase_and_odd_spacing_tags_are_seen():
    html = ('<HTML><HEAD></HEAD><BODY><SCRIPT SRC="https://www.clarity.ms/tag/abc"></SCRIPT>'
            "<sCrIpT>x()</ScRiPt></BODY></HTML>")
    s = scan_page(html, "p.html")
    assert [t.service for t in s.trackers] == ["clarity"]
    assert [x.first_line for x in s.inline_scripts] == ["x()"]
    assert s.has_head and s.has_body


def test_trackers_of_each_kind():
    html = """<html><head>
<script async src="https://www.googletagmanager.com/gtag/js?id=G-ABC123"></script>
<script>window.dataLayer=window.dataLayer||[];function gtag(){dataLayer.push(arguments);}
gtag('config', 'G-ABC123');</script>
</head><body>
<script>(function(c,l,a,r,i,t,y){t=l.createElement(r);t.src="https://www.clarity.ms/tag/"+i;})(window,document,"clarity","script","abc");</script>
<iframe src="https://www.youtube.com/embed/xyz"></iframe>
<iframe src="https://player.vimeo.com/video/1"></iframe>
<iframe data-consent-src="https://www.youtube-nocookie.com/embed/q" data-consent-category="marketing"></iframe>
</body></html>"""
    s = scan_page(html, "p.html")
    found = [(t.service, t.kind, t.gated, t.in_head) for t in s.trackers]
    assert found == [
        ("google-analytics", "script-src", False, True),
        ("google-analytics", "inline", False, True),
        ("clarity", "inline", False, False),
        ("youtube", "iframe", False, False),
        ("vimeo", "iframe", False, False),
        ("youtube", "iframe", True, False),
    ]
    assert s.trackers[0].line == 2


def test_resources_metas_handlers_style_attrs():
    html = """<html><head>
<meta http-equiv="content-security-policy" content="img-src https://a.org">
<link rel="stylesheet" href="https://fonts.googleapis.com/css?x">
<link rel="preconnect" href="https://fonts.gstatic.com">
<link rel="canonical" href="https://example.org/">
<script src="//cdn.example.net/lib.js"></script>
</head><body>
<img src="https://img.example.org/a.png" srcset="https://img2.example.org/b.png 2x">
<img src="/local.png"><img src="data:image/png;base64,AA==">
<form action="https://forms.example.org/post"></form>
<button onclick="go()" style="color: &quot;red&quot;">b</button>
</body></html>"""
    s = scan_page(html, "p.html")
    # No theme claims these: each third-party load is an unknown embed (gated by the
    # rewrite), with every exact URL it loads; a form's action is no load.
    assert [(t.service, t.kind, t.loads) for t in s.trackers] == [
        ("third-party", "resource", (("style-src", "https://fonts.googleapis.com/css?x"),)),
        ("third-party", "hint", ()),
        ("third-party", "script-src", (("script-src", "https://cdn.example.net/lib.js"),)),
        ("third-party", "resource", (("img-src", "https://img.example.org/a.png"),
                                     ("img-src", "https://img2.example.org/b.png"))),
    ]
    assert [(r.directive, r.origin) for r in s.resources] == [
        ("form-action", "https://forms.example.org")]
    assert [(m.content, m.ours) for m in s.csp_metas] == [("img-src https://a.org", False)]
    assert [(h.tag, h.attr) for h in s.event_handlers] == [("button", "onclick")]
    assert s.style_attrs[0].value == 'color: "red"'
    assert s.style_attrs[0].hash == sha256_source('color: "red"')


def test_tokens_stop_cleanly_on_truncated_input():
    for html in ("<html><head><script>never closed", "<!-- open comment", "<a href='x",
                 "a < b and c<", "<"):
        list(tokens(html))  # must terminate without error
        scan_page(html, "t.html")

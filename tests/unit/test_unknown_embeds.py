"""Unknown third-party embeds (issue 12 §3): named with page and line, gated into a category
(or an error), allowed in the CSP by exact URL once granted, listed by the audit with the
custom-service entry to paste; theme profiles claim their own CDN loads first."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from consent_generator.discover import Finding as DiscoverFinding
from consent_generator.discover_report import custom_service_entry
from consent_generator.policy import PolicyError, parse_policy
from mkdocs_clarity.audit import audit_site
from mkdocs_clarity.engine.csp import Csp, build_site_csp
from mkdocs_clarity.engine.embeds import THIRD_PARTY, exact_source, source_matches
from mkdocs_clarity.engine.onepage import RewriteContext, rewrite_page
from mkdocs_clarity.engine.rewrite import GatingError
from mkdocs_clarity.engine.scan import scan_page
from mkdocs_clarity.engine.site import apply_site, unmet_needs
from mkdocs_clarity.themes import ThemeNeed, decide, page_facts

DISQUS = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>t</title></head>
<body><footer>f</footer>
<div id="disqus_thread"></div>
<script>
var disqus_config = function () { this.page.url = location.href; };
(function() { var d = document, s = d.createElement('script');
s.src = 'https://example.disqus.com/embed.js';
s.setAttribute('data-timestamp', +new Date());
(d.head || d.body).appendChild(s); })();
</script>
</body></html>
"""
DISQUS_LINE = 4


def _policy(text: str = ""):
    return parse_policy(text, "consent.yml")


def _third(scan):
    return [t for t in scan.trackers if t.service == THIRD_PARTY]


# --------------------------------------------------------------------------- the policy key


def test_default_is_marketing_and_category_and_error_are_read():
    assert _policy().unknown_embeds.category == "marketing"
    assert not _policy().unknown_embeds.error
    assert _policy("unknown_embeds: error\n").unknown_embeds.error
    assert _policy("unknown_embeds: {category: functionality}\n").unknown_embeds.category \
        == "functionality"


@pytest.mark.parametrize(("text", "expected"), [
    ("unknown_embeds: allow\n", ["consent.yml:1:", "unknown_embeds: unknown value 'allow'",
                                 "there is no 'allow'", "custom service"]),
    ("unknown_embeds: {category: necessary}\n",
     ["consent.yml:1:", "unknown_embeds.category", "always on"]),
    ("unknown_embeds:\n  category: marketting\n",
     ["consent.yml:2:", "unknown category 'marketting'", "did you mean 'marketing'?"]),
    ("unknown_embeds: {categry: marketing}\n",
     ["consent.yml:1:", "unknown_embeds.categry", "did you mean 'category'?"]),
])
def test_bad_values_name_file_line_key_and_fix(text, expected):
    with pytest.raises(PolicyError) as err:
        _policy(text)
    for part in expected:
        assert part in str(err.value), str(err.value)


# --------------------------------------------------------------------------- recognition


def test_disqus_loader_script_src_frame_resources_and_hints_are_named():
    html = DISQUS.replace("<footer>", '<script src="https://cdn.example.net/lib.js"></script>'
                          '<iframe src="//forms.example.com/f"></iframe>'
                          '<img src="https://img.example.org/a.png" '
                          'srcset="https://img2.example.org/b.png 2x">'
                          '<link rel="preconnect" href="https://cdn.example.net"><footer>')
    found = [(t.kind, t.url, t.loads) for t in _third(scan_page(html, "index.html"))]
    assert found == [
        ("script-src", "https://cdn.example.net/lib.js",
         (("script-src", "https://cdn.example.net/lib.js"),)),
        ("iframe", "https://forms.example.com/f", (("frame-src", "https://forms.example.com/f"),)),
        ("resource", "https://img.example.org/a.png",
         (("img-src", "https://img.example.org/a.png"), ("img-src", "https://img2.example.org/b.png"))),
        ("hint", "https://cdn.example.net/", ()),
        ("inline", "https://example.disqus.com/embed.js",
         (("script-src", "https://example.disqus.com/embed.js"),)),
    ]
    assert _third(scan_page(DISQUS, "index.html"))[0].line == DISQUS_LINE


def test_not_embeds_links_forms_own_origin_vendors_and_non_loading_scripts():
    html = ('<html><head></head><body><a href="https://github.com/x">x</a>'
            '<form action="https://post.example.org/x"></form>'
            '<img src="https://docs.example.org/logo.png">'
            '<script>location.href = "https://elsewhere.example.org/";</script>'
            '<iframe src="https://www.youtube.com/embed/abc"></iframe></body></html>')
    scan = scan_page(html, "index.html", site_url="https://docs.example.org/")
    assert _third(scan) == []
    assert [t.service for t in scan.trackers] == ["youtube"]  # the catalog comes first
    # without knowing the site's origin, its absolute image is a third party
    assert len(_third(scan_page(html, "index.html"))) == 1


MKDOCS_THEME = """<html><head><meta name="generator" content="mkdocs-1.6.1, mkdocs-theme">
<link href="css/base.css" rel="stylesheet">
<link id="hljs-light" rel="stylesheet" href="https://cdnjs.cloudflare.com/ajax/libs/highlight.js/11.8.0/styles/github.min.css">
<script src="https://cdnjs.cloudflare.com/ajax/libs/highlight.js/11.8.0/highlight.min.js"></script>
<script src="https://cdnjs.cloudflare.com/ajax/libs/highlight.js/11.8.0/languages/yaml.min.js"></script>
<script src="https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-mml-chtml.js"></script>
<script src="js/base.js"></script></head><body>
<script src="https://cdnjs.cloudflare.com/ajax/libs/jquery/3.7.1/jquery.min.js"></script>
</body></html>"""
MATERIAL_FONTS = """<html><head><meta name="generator" content="mkdocs-1.6.1, mkdocs-material-9.6.0">
<link rel="preconnect" href="https://fonts.gstatic.com" crossorigin>
<link rel="stylesheet" href="https://fonts.googleapis.com/css?family=Roboto:300,400&display=fallback">
</head><body></body></html>"""


def test_theme_profiles_claim_their_own_cdn_loads_and_nothing_else():
    scan = scan_page(MKDOCS_THEME, "index.html")
    # highlight.js (one version directory) and MathJax stay the theme's; jQuery from the
    # same CDN host is not the theme's: an unknown embed
    assert [t.url for t in _third(scan)] == [
        "https://cdnjs.cloudflare.com/ajax/libs/jquery/3.7.1/jquery.min.js"]
    assert len(scan.resources) == 4
    assert _third(scan_page(MATERIAL_FONTS, "index.html")) == []
    # the same fonts on a page no profile recognises are unknown
    plain = MATERIAL_FONTS.replace("mkdocs-material-9.6.0", "hugo")
    assert len(_third(scan_page(plain, "index.html"))) == 2


# --------------------------------------------------------------------------- rewrite


def _rewrite(html: str, policy_text: str = "") -> tuple[str, tuple[str, ...]]:
    result = rewrite_page(html, RewriteContext(_policy(policy_text), "index.html"))
    return result.html, result.warnings


def test_gated_into_marketing_named_with_page_and_line():
    out, warnings = _rewrite(DISQUS)
    assert re.search(r'<template data-consent-category="marketing" '
                     r'data-consent-service="example-disqus-com"><script>\s*var disqus', out)
    note = next(w for w in warnings if "unknown third-party embed" in w)
    assert note.startswith(f"index.html:{DISQUS_LINE}: ")
    assert "https://example.disqus.com/embed.js" in note and "'marketing'" in note
    # after the rewrite the same recogniser sees it held; a second run changes nothing
    assert all(t.gated for t in _third(scan_page(out, "index.html")))
    assert _rewrite(out)[0] == out


def test_category_from_the_policy():
    out, _ = _rewrite(DISQUS, "unknown_embeds: {category: functionality}\n")
    assert 'data-consent-category="functionality"' in out


def test_error_mode_stops_the_build_with_page_line_and_the_entry():
    with pytest.raises(GatingError) as err:
        _rewrite(DISQUS, "unknown_embeds: error\n")
    text = str(err.value)
    assert f"index.html:{DISQUS_LINE}:" in text
    assert "example-disqus-com:" in text and "csp: {script-src: [\"https://example.disqus.com\"]}" in text


def test_policy_without_the_category_is_an_error_not_an_embed_that_never_loads():
    with pytest.raises(GatingError) as err:
        _rewrite(DISQUS, "categories: {analytics: {}}\n")
    assert "unknown_embeds: {category: <one of analytics>}" in str(err.value)


def test_a_custom_service_claims_it_under_its_key_and_category():
    policy = """
categories: {comments: {title: Comments}}
services:
  disqus:
    name: Disqus
    category: comments
    csp: {script-src: ["https://example.disqus.com"]}
    cookies: []
"""
    out, warnings = _rewrite(DISQUS, policy)
    assert 'data-consent-category="comments" data-consent-service="disqus"' in out
    assert not any("unknown third-party embed" in w for w in warnings)
    site = build_site_csp(_policy(policy), [scan_page(out, "index.html")])
    assert "https://example.disqus.com" in site.policy.get("script-src")
    assert "https://example.disqus.com/embed.js" not in site.policy.get("script-src")


# --------------------------------------------------------------------------- CSP


def test_csp_allows_each_url_exactly_per_load_kind():
    html = DISQUS.replace("<footer>", '<iframe src="https://forms.example.com/f?x=1"></iframe>'
                          '<link rel="stylesheet" href="https://fonts.googleapis.com/css?f=R">'
                          '<footer>')
    site = build_site_csp(_policy(), [scan_page(_rewrite(html)[0], "index.html")])
    csp = site.policy
    assert "https://example.disqus.com/embed.js" in csp.get("script-src")
    assert "https://forms.example.com/f" in csp.get("frame-src")
    assert "'self'" in csp.get("frame-src")  # a first frame directive keeps default-src's
    assert "https://fonts.googleapis.com/css" in csp.get("style-src")
    assert "https://fonts.gstatic.com" in csp.get("font-src")  # what the stylesheet loads
    assert not any(s.rstrip("/") in ("https://example.disqus.com", "https://forms.example.com")
                   for d, sources in csp.directives for s in sources)
    reason = site.reasons("script-src", "https://example.disqus.com/embed.js")[0]
    assert reason.pages == ("index.html",) and "after consent to 'marketing'" in reason.detail


def test_exact_source_and_source_matching():
    assert exact_source("//cdn.example.net/a;b,c.js?v=1") == "https://cdn.example.net/a%3Bb%2Cc.js"
    assert source_matches("https://*.disqus.com", "https://example.disqus.com/embed.js")
    assert source_matches("example.disqus.com/embed.js", "https://example.disqus.com/embed.js")
    assert source_matches("https://cdn.example.net/lib/", "https://cdn.example.net/lib/a.js")
    assert not source_matches("https://cdn.example.net/lib/", "https://cdn.example.net/x.js")
    assert not source_matches("https://disqus.com", "https://example.disqus.com/embed.js")
    assert not source_matches("'self'", "https://example.disqus.com/")


# --------------------------------------------------------------------------- audit


@pytest.fixture
def disqus_site(tmp_path: Path) -> Path:
    site = tmp_path / "site"
    (site / "post").mkdir(parents=True)
    (site / "post" / "index.html").write_text(DISQUS, "utf-8")
    return site


def test_audit_lists_it_with_the_entry_and_the_entry_claims_it(disqus_site: Path):
    unapplied = audit_site(disqus_site)
    live = [f for f in unapplied.findings if f.check == "UNGATED_TRACKER"]
    assert [f.value for f in live] == ["https://example.disqus.com/embed.js"]
    assert live[0].severity == "high"

    apply_site(disqus_site, _policy(), jobs=1)
    report = audit_site(disqus_site, _policy())
    assert not report.fails("high")
    (embed,) = report.unknown_embeds
    # page:line of the deployed (rewritten) page, where the reviewer looks
    assert [p.rsplit(":", 1)[0] for p in embed.pages] == ["post/index.html"]
    assert embed.live_pages == ()
    assert report.to_json()["unknown_embeds"][0]["entry"] == embed.entry
    assert any(f.check == "UNKNOWN_EMBED" and f.value == embed.url for f in report.findings)
    from mkdocs_clarity.audit.report import render

    assert embed.entry in render(report.to_json(), "md")  # a block to paste, not one line

    # The entry, pasted as it is, is a valid policy that claims the embed.
    policy = _policy("services:\n" + embed.entry + "\n")
    apply_site(disqus_site, policy, jobs=1)
    page = (disqus_site / "post" / "index.html").read_text("utf-8")
    assert 'data-consent-service="example-disqus-com"' in page
    assert audit_site(disqus_site, policy).unknown_embeds == []


def test_init_entry_for_a_frame_is_a_valid_policy_now():
    entry = custom_service_entry(DiscoverFinding("docs/a.md:3", "third-party iframe",
                                                 url="https://forms.example.com/f"),
                                 indent="  ")
    service = _policy("services:\n" + entry + "\n").services[0]
    assert service.csp == {"frame-src": ("https://forms.example.com",)}


def test_apply_report_warns_and_names_it(disqus_site: Path):
    report = apply_site(disqus_site, _policy(), jobs=1)
    assert any(n.startswith(f"post/index.html:{DISQUS_LINE}: unknown third-party embed")
               for n in report.gating_notes)
    shutil.rmtree(disqus_site)


# --------------------------------------------------------------------------- §1: theme needs


def test_a_theme_need_the_policy_does_not_allow_is_a_warning_naming_the_feature():
    need = ThemeNeed("connect-src", "https://api.github.com/repos/a/b", "Material repository "
                     "facts", "repo_url github.com/a/b")
    assert unmet_needs(Csp.parse("default-src 'self'; connect-src 'self' "
                                 "https://api.github.com/repos/a/b"), [need]) == []
    (warning,) = unmet_needs(Csp.parse("default-src 'self'"), [need])
    assert warning.startswith("Material repository facts needs https://api.github.com/repos/a/b"
                              " in connect-src")
    assert "csp.extra" in warning


def test_math_from_an_unknown_cdn_is_a_warning_naming_the_feature():
    page = ('<html><head><script src="https://cdn.example.net/mathjax/tex-chtml.js">'
            "</script></head><body></body></html>")
    report = decide(page_facts(page), None)
    assert any(w.startswith("math rendering") and "cdn.example.net" in w
               for w in report.warnings)
    known = page.replace("cdn.example.net/mathjax", "cdn.jsdelivr.net/npm/mathjax@3/es5")
    assert decide(page_facts(known), None).warnings == []


def test_the_page_own_head_policy_claims_what_it_names_for_that_directive():
    fetch = ('<script>fetch("https://api.example.org/ping").then(function () {});</script>')
    head = ('<html><head><meta http-equiv="Content-Security-Policy" content="default-src '
            "'self'; connect-src 'self' {src}\"></head><body>" + fetch + "</body></html>")
    # named by the author's own policy (the fixture themes' overrides do this): theirs
    assert _third(scan_page(head.replace("{src}", "https://api.example.org"), "p.html")) == []
    # another host, or a scheme-only source, claims nothing; the fetch is a connect-src load
    for src in ("https://other.example.org", "https:"):
        (t,) = _third(scan_page(head.replace("{src}", src), "p.html"))
        assert t.loads == (("connect-src", "https://api.example.org/ping"),)
    # a policy in the body is not enforced, so it claims nothing either
    body = head.replace("</head><body>", "").replace("<html><head>", "<html><body>")
    assert len(_third(scan_page(body.replace("{src}", "https://api.example.org"), "p.html"))) == 1

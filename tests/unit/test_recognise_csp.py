"""The sources a held load needs, and only those: a gated variant must load once granted, so
the site policy allows what it fetches, exactly as the browser will request it (Chromium's
side of this is tests/browser/test_adversarial.py)."""

from __future__ import annotations

import pytest

from consent_generator.model import Policy
from mkdocs_clarity.engine.csp import build_site_csp, evaluator_highs
from mkdocs_clarity.engine.scan import scan_page
from mkdocs_clarity.engine.urls import css_loads
from tests.harness.corpus import names, variant

SKELETON = ('<!doctype html><html><head><meta charset="utf-8"><title>t</title></head><body>'
            "<p>v</p>\n{}</body></html>\n")


def site_csp(fragment: str):
    return build_site_csp(Policy(), [scan_page(SKELETON.format(fragment), "p.html")]).policy


@pytest.mark.parametrize(("fragment", "directive", "source"), [
    # style: @import is a style sheet, @font-face a font, any other url() an image
    ('<style>@import "https://www.googletagmanager.com/x.css";</style>', "style-src",
     "https://www.googletagmanager.com"),
    ("<style>@import url(https://www.googletagmanager.com/x.css);</style>", "style-src",
     "https://www.googletagmanager.com"),
    ("<style>@font-face{font-family:x;src:url(//c.bing.com/f.woff2)}</style>", "font-src",
     "c.bing.com"),
    ('<style>a{background:image-set("https://c.bing.com/c.gif" 1x)}</style>', "img-src",
     "https://c.bing.com"),
    # a //host URL is the page's scheme: only a bare host source matches on http and https
    ('<script src="//www.clarity.ms/tag/x"></script>', "script-src", "www.clarity.ms"),
    ('<script src="/\\www.clarity.ms/tag/x"></script>', "script-src", "www.clarity.ms"),
    ('<iframe src="//player.vimeo.com/video/1"></iframe>', "frame-src", "player.vimeo.com"),
    # a trailing-dot host is another host for CSP host matching
    ('<script src="https://www.clarity.ms./tag/x"></script>', "script-src",
     "https://www.clarity.ms."),
    ('<img src="https://c.bing.com./c.gif">', "img-src", "https://c.bing.com."),
    # an <object>/<embed> showing a document is a frame too
    ('<embed src="https://player.vimeo.com/video/1">', "object-src", "https://player.vimeo.com"),
    ('<object data="//player.vimeo.com/video/1"></object>', "frame-src", "player.vimeo.com"),
    # every candidate of a held srcset, both URLs of a held video
    ('<img srcset="https://c.bing.com/a.gif 1x, https://i.ytimg.com/b.png 2x">', "img-src",
     "https://i.ytimg.com"),
    ('<video poster="https://i.vimeocdn.com/p.png"><source src="https://i.ytimg.com/v.mp4">'
     "</video>", "media-src", "https://i.ytimg.com"),
])
def test_a_held_load_gets_the_source_it_fetches(fragment, directive, source):
    assert source in (site_csp(fragment).get(directive) or ())


def test_object_src_stays_none_without_a_gated_embed():
    csp = site_csp('<img src="https://c.bing.com/c.gif"><script src="//www.clarity.ms/t">'
                   "</script>")
    assert csp.get("object-src") == ("'none'",)


def test_a_srcdoc_document_brings_its_hashes_and_every_vendor_in_it():
    from consent_generator.csp_sources import sha256_source

    code = "var s=document.createElement('script');s.src='https://www.clarity.ms/tag/x'"
    csp = site_csp(f'<iframe srcdoc="<script>{code}</script>'
                   '<img src=https://i.ytimg.com/vi/x/hq.png>"></iframe>')
    assert sha256_source(code) in (csp.get("script-src") or ())
    assert "https://www.clarity.ms" in (csp.get("script-src") or ())
    assert "https://i.ytimg.com" in (csp.get("img-src") or ())


def test_an_unclaimed_style_sheet_is_allowed_by_exact_url_with_its_known_dependency():
    # No theme profile claims it here: an unknown embed (engine/embeds.py), held until
    # consent and then allowed exactly, with the fonts a Google Fonts sheet loads.
    csp = site_csp("<style>@import url(https://fonts.googleapis.com/css2?family=Inter);</style>")
    assert "https://fonts.googleapis.com/css2" in (csp.get("style-src") or ())
    assert "https://fonts.googleapis.com" not in (csp.get("style-src") or ())
    assert "https://fonts.gstatic.com" in (csp.get("font-src") or ())


@pytest.mark.parametrize("name", names("gated"))
def test_every_gated_variant_gets_a_policy_without_evaluator_highs(name):
    scan = scan_page(variant("gated", name).page, "index.html")
    assert evaluator_highs(build_site_csp(Policy(), [scan]).policy) == ()


def test_css_loads_reads_css_as_the_tokenizer_does():
    css = ("@import url(a.css); @import 'b.css'; @font-face{src:url(f.woff) format('woff')}"
           "p{background:u\\72l(i.png); x: image-set(url(k.png) 2x, \"s.png\" 1x, "
           "linear-gradient(rgb(1,2,3),red) 3x, 't.png' type('image/png'))} /* url(no) */")
    assert sorted(css_loads(css)) == sorted([
        ("a.css", "style-src"), ("b.css", "style-src"), ("f.woff", "font-src"),
        ("i.png", "img-src"), ("k.png", "img-src"), ("s.png", "img-src"), ("t.png", "img-src")])

"""The recogniser on the adversarial corpus and on the rules it follows, without a browser
(tests/browser/test_adversarial.py opens the same corpus in Chromium)."""

from __future__ import annotations

import pytest

from consent_generator.model import Policy
from mkdocs_clarity.engine.onepage import RewriteContext, rewrite_page
from mkdocs_clarity.engine.pages import is_page_name
from mkdocs_clarity.engine.rewrite import GatingError
from mkdocs_clarity.engine.scan import scan_page, script_end, tokens
from mkdocs_clarity.engine.urls import PageUrls, css_urls, refresh_url, srcset_urls
from tests.harness.corpus import names, variant

SKELETON = ('<!doctype html><html><head><meta charset="utf-8"><title>t</title></head><body>'
            "<p>v</p>\n{}</body></html>\n")


def page(group: str, name: str) -> str:
    return variant(group, name).page


def live(html: str) -> list[tuple[str, str]]:
    return [(t.kind, t.service) for t in scan_page(html, "p.html").trackers if not t.gated]


@pytest.mark.parametrize("name", names("gated"))
def test_gated_variants_are_recognised_gated_and_stable(name):
    html = page("gated", name)
    assert live(html), "the recogniser missed a vendor load"
    out = rewrite_page(html, RewriteContext(Policy(), "p.html")).html
    assert live(out) == []
    assert rewrite_page(out, RewriteContext(Policy(), "p.html")).html == out


@pytest.mark.parametrize("name", names("dropped"))
def test_dropped_variants_are_removed_with_a_warning_naming_page_and_line(name):
    html = page("dropped", name)
    assert live(html), "the recogniser missed a vendor load"
    result = rewrite_page(html, RewriteContext(Policy(), "guide/p.html"))
    assert live(result.html) == [] and result.gated == ()
    assert any(w.startswith("guide/p.html:2: <") and "removed" in w for w in result.warnings)


@pytest.mark.parametrize("name", names("refused"))
def test_ungateable_variants_fail_naming_page_line_and_element(name):
    with pytest.raises(GatingError) as err:
        rewrite_page(page("refused", name), RewriteContext(Policy(), "guide/p.html"))
    message = str(err.value)
    assert message.startswith("guide/p.html:2: <")
    assert "cannot be gated" in message


@pytest.mark.parametrize("name", names("refused"))
def test_refused_variants_leave_an_applied_site_byte_identical(tmp_path, name):
    from mkdocs_clarity.engine.site import apply_site

    (tmp_path / "index.html").write_text(page("refused", name))
    before = (tmp_path / "index.html").read_bytes()
    with pytest.raises(GatingError, match=r"^index\.html:2: <.* cannot be gated: "):
        apply_site(tmp_path, Policy(), jobs=1)
    assert [p.name for p in tmp_path.iterdir()] == ["index.html"]
    assert (tmp_path / "index.html").read_bytes() == before


@pytest.mark.parametrize("name", names("inert"))
def test_inert_variants_load_nothing(name):
    # An inline script that names a vendor host counts as the vendor's (it may load it):
    # that gates more, never less; no element here loads anything by itself.
    assert [k for k, _ in live(page("inert", name)) if k != "inline"] == []


@pytest.mark.parametrize("raw", [
    " https://www.clarity.ms/x", "\x01https://www.clarity.ms/x", "ht\ttps://www.clarity.ms/x",
    "https://www.clar\nity.ms/x", "https:\\\\www.clarity.ms\\x", "/\\www.clarity.ms/x",
    "//WWW.CLARITY.MS/x", "https://%77ww.clarity.ms/x", "https://www.clarity.ms:443/x",
    "https://u:p@www.clarity.ms/x", "https://www.clarity.ms./x", "https:www.clarity.ms/x",
])
def test_urls_reach_the_vendor_as_a_browser_reads_them(raw):
    hit = PageUrls("a/b.html").vendor(raw)
    assert hit is not None and hit[0] == "clarity"


@pytest.mark.parametrize("raw", ["assets/x.js", "/assets/x.js", "www.clarity.ms/x",
                                 "javascript:void(0)", "data:,x", "https://example.org/"])
def test_urls_that_stay_off_vendor_hosts(raw):
    assert PageUrls("a/b.html").vendor(raw) is None


def test_https_colon_host_is_relative_on_an_https_site_only():
    assert PageUrls("p.html", "https://example.org/").vendor("https:www.clarity.ms/x") is None
    assert PageUrls("p.html", "http://example.org/").vendor("https:www.clarity.ms/x")


def test_css_srcset_and_refresh_parsing():
    assert css_urls("a{b:u\\72l( 'https://x.org/a' )} /* url(no) */ @import \"i.css\";") == [
        "https://x.org/a", "i.css"]
    assert srcset_urls("a.png 1x, https://x.org/b,c.png 2x,d.png") == [
        "a.png", "https://x.org/b,c.png", "d.png"]
    assert refresh_url("5; URL='https://x.org/'") == "https://x.org/"
    assert refresh_url("5") is None


def test_script_data_escape_states():
    html = "<!--<script></script>x--></script>after"
    assert script_end(html, 0) == (html.index("</script>after"), len(html) - len("after"))
    assert script_end("a</script >b", 0) == (1, 11)
    assert script_end("<!-- </script>", 0) == (5, 14)


def test_foreign_content_namespaces():
    toks = [(t.kind, t.name, t.foreign, t.breakout)
            for t in tokens("<svg><title><script>a()</script></title><p><script>b()</script>")
            if t.kind == "start"]
    assert toks == [("start", "svg", True, False), ("start", "title", True, False),
                    ("start", "script", False, False), ("start", "p", False, True),
                    ("start", "script", False, False)]
    svg_template = scan_page('<svg><template data-consent-category="a"><script '
                             'href="https://www.clarity.ms/tag/x"></script></template></svg>',
                             "p.html")
    assert [(t.gated, t.foreign) for t in svg_template.trackers] == [(False, True)]


def test_post_rewrite_check_fails_what_was_not_held(monkeypatch):
    import mkdocs_clarity.engine.rewrite as rw

    monkeypatch.setattr(rw, "_gate", lambda *a, **k: None)  # a rewrite that gates nothing
    with pytest.raises(GatingError, match=r"p.html:2: after the rewrite, <img src> still "
                                          r"loads https://c.bing.com/c.gif"):
        rewrite_page(SKELETON.format('<img src="https://c.bing.com/c.gif">'),
                     RewriteContext(Policy(), "p.html"))


def test_htm_files_are_pages_for_apply_and_audit(tmp_path):
    from mkdocs_clarity.audit import audit_site

    assert is_page_name("legacy.HTM") and not is_page_name("x.xhtml.txt")
    (tmp_path / "legacy.htm").write_text(SKELETON.format(
        '<script src="https://www.clarity.ms/tag/abcde12345"></script>'))
    report = audit_site(tmp_path)
    assert [f.pages for f in report.findings if f.check == "UNGATED_TRACKER"] == [
        ("legacy.htm",)]

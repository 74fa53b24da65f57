"""Unknown third-party embeds in the forms the first pass left out (issue 12 §3, "never
silently broken"): ``<style>`` ``url()``/``@import`` is held in a ``<template>`` like any
embed; ``style=""`` attributes and SVG references, which no holder can keep inert, are a
loud warning (or, under ``unknown_embeds: error``, an error) naming page:line, element, URL
and the fix, and an audit finding; a ``<meta http-equiv=refresh>`` is navigation, no embed."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from consent_generator.policy import parse_policy
from mkdocs_clarity.audit import audit_site
from mkdocs_clarity.engine.csp import build_site_csp
from mkdocs_clarity.engine.embeds import THIRD_PARTY
from mkdocs_clarity.engine.onepage import RewriteContext, rewrite_page
from mkdocs_clarity.engine.rewrite import GatingError
from mkdocs_clarity.engine.scan import scan_page
from mkdocs_clarity.engine.site import apply_site
from mkdocs_clarity.engine.urls import css_loads

FONT = "https://fonts.unknown.test/x.woff2"
SHEET = "https://fonts.unknown.test/css?family=X"
IMG = "https://img.unknown.test/a.png"
PAGE = ('<!doctype html><html lang="en"><head><meta charset="utf-8"><title>t</title>\n'
        "{head}</head><body>\n{body}\n<footer>f</footer></body></html>\n")
HELD_STYLE = f"<style>@font-face{{font-family:X;src:url({FONT})}} p{{font-family:X}}</style>"
STYLE_ATTR = f'<div class="hero" style="background: url(\'{IMG}\')">x</div>'
UNHELD = {
    "style-attr": (STYLE_ATTR, "<div style>"),
    "svg": (f'<svg width="9" height="9"><image href="{IMG}"/></svg>', "<svg><image href>"),
    "svg-use": (f'<svg><use xlink:href="{IMG}#i"/></svg>', "<svg><use href>"),
    "svg-style": (f"<svg><style>rect{{fill:url({IMG})}}</style></svg>", "<svg><style>"),
}


def _policy(text: str = ""):
    return parse_policy(text, "consent.yml")


def _page(head: str = "", body: str = "") -> str:
    return PAGE.format(head=head, body=body)


def _rewrite(html: str, policy_text: str = ""):
    return rewrite_page(html, RewriteContext(_policy(policy_text), "index.html"))


def _third(scan):
    return [t for t in scan.trackers if t.service == THIRD_PARTY]


# --------------------------------------------------------------------------- recognition


def test_css_loads_tells_sheets_fonts_and_images_apart():
    css = (f"@import url('{SHEET}'); @import \"https://b.test/b.css\";\n"
           f"@font-face {{ font-family: X; src: url({FONT}) format('woff2') }}\n"
           f".a {{ background: url(\"{IMG}\") }} /* url(https://c.test/hidden.png) */\n"
           ".b { cursor: url(https://c\\2e test/cur.png), auto }")
    assert css_loads(css) == [(SHEET, "style-src"), ("https://b.test/b.css", "style-src"),
                              (FONT, "font-src"), (IMG, "img-src"),
                              ("https://c.test/cur.png", "img-src")]


def test_a_style_block_is_an_unknown_embed_with_each_load():
    scan = scan_page(_page(HELD_STYLE, f"<style>@import url({SHEET});</style>"), "p.html")
    assert [(t.kind, t.element, t.line, t.loads) for t in _third(scan)] == [
        ("style", "<style> url()", 2, (("font-src", FONT),)),
        ("style", "<style> @import", 3, (("style-src", SHEET),))]
    assert scan.unheld_embeds == ()


@pytest.mark.parametrize("form", sorted(UNHELD))
def test_unholdable_forms_are_named_apart_from_the_trackers(form):
    body, element = UNHELD[form]
    scan = scan_page(_page(body=body), "p.html")
    assert _third(scan) == []  # not gated (no holder can): the rewrite warns instead
    (t,) = scan.unheld_embeds
    assert (t.element, t.line, t.url.startswith(IMG)) == (element, 3, True)


@pytest.mark.parametrize("body", [
    '<div style="background:url(/img/a.png)">x</div>',  # own site
    '<div style="background:url(data:image/png;base64,AAAA)">x</div>',
    '<template data-consent-category="marketing">' + STYLE_ATTR + "</template>",  # held
    "<style>p{background:url(img/a.png)}</style>",
    '<svg><use href="#icon"/></svg>',
])
def test_own_inline_and_held_urls_are_not_embeds(body):
    scan = scan_page(_page(body=body), "p.html")
    assert _third(scan) == [] and scan.unheld_embeds == ()


def test_the_page_own_head_policy_claims_a_style_url():
    csp = ('<meta http-equiv="Content-Security-Policy" content="default-src \'self\'; '
           'font-src \'self\' https://fonts.unknown.test">')
    assert _third(scan_page(_page(csp + HELD_STYLE), "p.html")) == []


def test_meta_refresh_to_a_third_party_is_navigation_not_an_embed():
    html = _page('<meta http-equiv="refresh" content="0; url=https://elsewhere.unknown.test/">')
    scan = scan_page(html, "p.html")
    assert scan.trackers == () and scan.unheld_embeds == () and scan.resources == ()
    result = _rewrite(html)
    assert result.warnings == ()
    assert 'content="0; url=https://elsewhere.unknown.test/"' in result.html
    assert "elsewhere" not in str(build_site_csp(_policy(), [scan]).policy)


# --------------------------------------------------------------------------- gating


def test_a_style_block_is_held_in_a_template_and_a_rerun_changes_nothing():
    result = _rewrite(_page(HELD_STYLE))
    assert re.search(r'<template data-consent-category="marketing" data-consent-service='
                     r'"fonts-unknown-test"><style>@font-face', result.html)
    (note,) = [w for w in result.warnings if "unknown third-party embed" in w]
    assert note.startswith("index.html:2: ") and FONT in note and "'marketing'" in note
    after = scan_page(result.html, "index.html")
    assert all(t.gated for t in _third(after)) and _third(after)
    assert _rewrite(result.html).html == result.html


def test_style_block_follows_the_category_error_mode_and_custom_services():
    assert 'data-consent-category="functionality"' in _rewrite(
        _page(HELD_STYLE), "unknown_embeds: {category: functionality}\n").html
    with pytest.raises(GatingError, match=r"index\.html:2: <style> url\(\) loads "
                                          r"https://fonts\.unknown\.test/x\.woff2"):
        _rewrite(_page(HELD_STYLE), "unknown_embeds: error\n")
    claimed = _rewrite(_page(HELD_STYLE), "services:\n  fonts:\n    name: Fonts\n"
                       "    category: marketing\n    csp: {font-src: [https://fonts.unknown.test]}\n"
                       "    cookies: []\n")
    assert 'data-consent-service="fonts"' in claimed.html


@pytest.mark.parametrize("form", sorted(UNHELD))
def test_unholdable_forms_warn_loudly_with_page_line_element_url_and_fix(form, tmp_path):
    body, element = UNHELD[form]
    html = _page(body=body)
    result = _rewrite(html)
    (warning,) = [w for w in result.warnings if "cannot be gated" in w]
    assert warning.startswith(f"index.html:3: unknown third-party embed that cannot be gated: "
                              f"{element} loads {IMG}")
    assert "Fix: " in warning and "self-host the file" in warning
    assert body in result.html  # left as it was: nothing can hold it
    # loud in both front ends: apply reports it as a warning, not as an auto-gating note
    (tmp_path / "index.html").write_text(html, "utf-8")
    report = apply_site(tmp_path, _policy(), jobs=1)
    assert warning in report.warnings and warning not in report.gating_notes


@pytest.mark.parametrize("form", sorted(UNHELD))
def test_unholdable_forms_are_errors_under_unknown_embeds_error(form):
    body, element = UNHELD[form]
    with pytest.raises(GatingError) as err:
        _rewrite(_page(body=body), "unknown_embeds: error\n")
    assert f"index.html:3: unknown third-party embed that cannot be gated: {element}" \
        in str(err.value)
    assert "(unknown_embeds: error)" in str(err.value)


def test_csp_extra_is_the_author_letting_it_load_and_a_custom_service_cannot_gate_it():
    extra = f"csp:\n  extra:\n    img-src: [\"{IMG}\"]\n"
    assert not any("cannot be gated" in w for w in _rewrite(_page(body=STYLE_ATTR), extra).warnings)
    # <use> never loads cross-origin, whatever the CSP: still said
    use = UNHELD["svg-use"][0]
    assert any("never load a <use>" in w for w in _rewrite(_page(body=use), extra).warnings)
    service = ("services:\n  imgs:\n    name: Imgs\n    category: marketing\n"
               "    csp: {img-src: [https://img.unknown.test]}\n    cookies: []\n")
    with pytest.raises(GatingError, match=r"index\.html:3: <div style> loads .* \(custom "
                                          r"service imgs\) before consent and cannot be gated"):
        _rewrite(_page(body=STYLE_ATTR), service)


# --------------------------------------------------------------------------- CSP


def test_csp_allows_a_held_style_exactly_and_an_unholdable_form_not_at_all():
    html = _rewrite(_page(HELD_STYLE + f"<style>@import url({SHEET});</style>",
                          STYLE_ATTR)).html
    scan = scan_page(html, "index.html")
    csp = build_site_csp(_policy(), [scan]).policy
    assert FONT in csp.get("font-src")
    assert "https://fonts.unknown.test/css" in csp.get("style-src")  # no query in CSP
    assert not any("fonts.unknown.test" in s and s not in (FONT, "https://fonts.unknown.test/css")
                   for _, sources in csp.directives for s in sources)
    # the held style's own hash: the runtime inserts the element once granted
    assert all(s.hash in csp.get("style-src") for s in scan.inline_styles)
    assert not any("img.unknown.test" in s for _, sources in csp.directives for s in sources)


# --------------------------------------------------------------------------- audit


def _site(tmp_path: Path, body: str, head: str = "") -> Path:
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text(_page(head, body), "utf-8")
    return site


def test_audit_lists_a_held_style_with_its_entry_and_the_entry_claims_it(tmp_path):
    site = _site(tmp_path, "", HELD_STYLE)
    apply_site(site, _policy(), jobs=1)
    report = audit_site(site, _policy())
    (embed,) = report.unknown_embeds
    assert (embed.url, embed.element, embed.live_pages) == (FONT, "<style> url()", ())
    assert 'csp: {font-src: ["https://fonts.unknown.test"]}' in embed.entry
    policy = _policy("services:\n" + embed.entry + "\n")
    apply_site(site, policy, jobs=1)
    assert audit_site(site, policy).unknown_embeds == []


def test_audit_finds_an_unholdable_form_blocked_or_loading_before_consent(tmp_path):
    site = _site(tmp_path, STYLE_ATTR)
    apply_site(site, _policy(), jobs=1)
    (blocked,) = [f for f in audit_site(site, _policy()).findings if f.value == IMG]
    assert (blocked.check, blocked.severity, blocked.pages) == ("BLOCKED_EMBED", "medium",
                                                                ("index.html",))
    assert "<div style>" in blocked.description and "self-host" in blocked.description
    extra = _policy(f"csp:\n  extra:\n    img-src: [\"{IMG}\"]\n")
    apply_site(site, extra, jobs=1)
    (live,) = [f for f in audit_site(site, extra).findings if f.value == IMG]
    assert (live.check, live.severity) == ("THIRD_PARTY_BEFORE_CONSENT", "medium")


def test_a_style_attribute_inside_a_srcdoc_frame_is_reported_on_the_frame():
    doc = STYLE_ATTR.replace('"', "&quot;")
    scan = scan_page(_page(body=f'<iframe srcdoc="<p>a</p>{doc}"></iframe>'), "p.html")
    (t,) = scan.unheld_embeds
    assert (t.element, t.line, t.url) == ("<iframe srcdoc> <div style>", 3, IMG)
    # <noscript> content never renders while scripts run: nothing to report
    assert scan_page(_page(body=f"<noscript>{STYLE_ATTR}</noscript>"),
                     "p.html").unheld_embeds == ()

"""An off-site ``<base href>`` that is no vendor's is reported, never silent (issue 11 gap).

``<base href="https://evil.example/">`` re-targets every relative script and style URL of the
page to a third party nothing claims. No holder can keep a ``<base>`` inert, so it is treated
like the other unknown embeds nothing can hold (``style=""``, SVG references): a warning naming
page:line, the URL and the fix (``--strict`` fails on it), an error under
``unknown_embeds: error`` or when a custom service claims the host, and an audit finding. The
site's ``base-uri`` stays ``'self'``: no page policy, no ``consent.yml`` and no report
suggestion can put a host in it.
"""

from __future__ import annotations

import pytest

from consent_generator.csp_sources import extra_refused, policy_sources
from consent_generator.csp_vocabulary import weakening
from consent_generator.model import CspConfig, Policy, frozen_map
from consent_generator.policy import PolicyError, parse_policy
from mkdocs_clarity.audit import unheld_findings
from mkdocs_clarity.engine.csp import Csp, build_site_csp
from mkdocs_clarity.engine.embeds import THIRD_PARTY
from mkdocs_clarity.engine.onepage import RewriteContext, rewrite_page
from mkdocs_clarity.engine.rewrite import GatingError
from mkdocs_clarity.engine.scan import scan_page
from mkdocs_clarity.engine.site import apply_site

EVIL = "https://evil.example/"
PAGE = ('<!doctype html><html lang="en"><head><meta charset="utf-8"><title>t</title>\n'
        "{head}\n</head><body>\n{body}\n</body></html>\n")
BASE = f'<base href="{EVIL}">'


def _page(head: str = BASE, body: str = "<p>x</p>") -> str:
    return PAGE.format(head=head, body=body)


def _rewrite(html: str, policy_text: str = ""):
    return rewrite_page(html, RewriteContext(parse_policy(policy_text, "consent.yml"),
                                             "index.html"))


def _bases(html: str, **kw: str):
    return [t for t in scan_page(html, "index.html", **kw).unheld_embeds if t.kind == "base"]


@pytest.mark.parametrize("href", [
    EVIL, "//evil.example/", "https:\\\\evil.example\\", "/\\evil.example/",
    " https://EVIL.example:443/ ", "https://%65vil.example/", "ht&#9;tps://evil.example/",
])
def test_an_off_site_base_is_an_unheld_embed_in_every_spelling(href):
    (t,) = _bases(_page(f'<base href="{href}">'))
    assert (t.service, t.url, t.line, t.element) == (THIRD_PARTY, EVIL, 2, "<base href>")
    assert t.loads == (("base-uri", EVIL),)


@pytest.mark.parametrize("head", [
    '<base href="/docs/">', '<base href="sub/">', '<base target="_blank">',
    '<base href="https://example.org/docs/">',  # the site's own origin (site_url below)
    f'<template data-consent-category="marketing">{BASE}</template>',
])
def test_a_base_on_the_site_or_already_held_is_not_reported(head):
    assert _bases(_page(head), site_url="https://example.org/") == []


def test_a_vendor_base_is_still_a_refused_vendor_load():
    scan = scan_page(_page('<base href="https://www.clarity.ms/">'), "index.html")
    assert [t.kind for t in scan.trackers] == ["base"] and not scan.unheld_embeds


def test_the_rewrite_warns_with_page_line_url_and_fix(tmp_path):
    html = _page()
    result = _rewrite(html)
    (warning,) = [w for w in result.warnings if "<base href>" in w]
    assert warning.startswith(f"index.html:2: off-site <base href> {EVIL}, a third party")
    assert "base-uri 'self'" in warning and "Fix: " in warning
    assert "remove the <base>, or point it at the site" in warning
    assert "csp.extra" not in warning  # base-uri takes no host: nothing to suggest there
    assert BASE in result.html
    (tmp_path / "index.html").write_text(html, "utf-8")
    report = apply_site(tmp_path, Policy(), jobs=1)
    assert warning in report.warnings and warning not in report.gating_notes
    assert report.csp.policy.get("base-uri") == ("'self'",)


def test_unknown_embeds_error_or_a_custom_service_claiming_it_stop_the_build():
    with pytest.raises(GatingError, match=r"index\.html:2: off-site <base href> "
                                          r"https://evil\.example/.*\(unknown_embeds: error\)"):
        _rewrite(_page(), "unknown_embeds: error\n")
    service = ("services:\n  evil:\n    name: Evil\n    category: marketing\n"
               "    csp: {script-src: [https://evil.example]}\n    cookies: []\n")
    with pytest.raises(GatingError, match=r"index\.html:2: <base href> loads https://evil\."
                                          r"example/ from Evil \(custom service evil\)"):
        _rewrite(_page(), service)


def test_a_page_policy_cannot_put_a_host_in_base_uri_nor_claim_the_base():
    meta = ('<meta http-equiv="Content-Security-Policy" content="base-uri \'self\' '
            'https://evil.example; img-src https://evil.example">')
    scan = scan_page(_page(meta + BASE), "index.html")
    assert [t.url for t in scan.unheld_embeds if t.kind == "base"] == [EVIL]
    site = build_site_csp(Policy(), [scan], runtime_scripts=[])
    assert site.policy.get("base-uri") == ("'self'",)
    assert "https://evil.example" in (site.policy.get("img-src") or ())  # not guarded
    assert any("index.html" in w and "https://evil.example in base-uri" in w
               for w in site.weakened), site.warnings


def test_consent_yml_cannot_put_a_host_in_base_uri():
    with pytest.raises(PolicyError) as info:
        parse_policy('version: 1\ncsp: {extra: {base-uri: ["https://evil.example"]}}\n',
                     "consent.yml")
    (problem,) = info.value.problems
    assert "consent.yml:2" in str(problem) and "csp.extra.base-uri[0]" in str(problem)
    assert "base-uri takes only 'self' or 'none'" in str(problem)
    assert weakening("base-uri", "'self'") is None and weakening("base-uri", "'none'") is None
    assert weakening("base-uri", "evil.example") and weakening("form-action", "x.example") is None


def test_a_policy_built_in_code_with_a_base_uri_host_neither_emits_nor_allows_it():
    policy = Policy(csp=CspConfig(extra=frozen_map({"base-uri": ("https://evil.example",)})))
    assert not [s for s in policy_sources(policy, []) if s.directive == "base-uri"
                and "evil" in s.source]
    assert extra_refused(policy) == ["csp.extra: https://evil.example in base-uri is never "
                                     "emitted"]
    result = rewrite_page(_page(), RewriteContext(policy, "index.html"))
    assert any(w.startswith("index.html:2: off-site <base href>") for w in result.warnings)


def test_the_audit_says_whether_the_deployed_policy_blocks_it():
    scan = scan_page(_page(), "index.html")
    blocked = unheld_findings([scan], Csp.parse("default-src 'self'; base-uri 'self'"))
    assert [(f.check, f.severity) for f in blocked] == [("BLOCKED_EMBED", "medium")]
    assert "index.html:2" in blocked[0].description
    assert "remove the <base>" in blocked[0].description
    # base-uri has no fallback: without it (or without any CSP) the base takes effect
    for csp in (Csp.parse("default-src 'self'"), None):
        (live,) = unheld_findings([scan], csp)
        assert live.check == "THIRD_PARTY_BEFORE_CONSENT", csp

"""The CSP model: parsing, union with fallback semantics, hashing, the site-wide builder."""

from __future__ import annotations

import base64
import hashlib

from consent_generator.model import CspConfig, Policy, ServiceConfig, frozen_map
from consent_generator.services import catalog
from mkdocs_clarity.engine.csp import META_FORBIDDEN, Csp, build_site_csp, sha256_source
from mkdocs_clarity.engine.scan import scan_page


def _b64(data: bytes) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(data).digest()).decode() + "'"


def policy_with(*keys: str, **kw) -> Policy:
    params = {"clarity": {"project_id": "abcde12345"},
              "google-analytics": {"measurement_id": "G-ABCDE12345"}}
    services = tuple(ServiceConfig(k, catalog()[k], catalog()[k].default_category,
                                   frozen_map(params.get(k, {}))) for k in keys)
    return Policy(services=services, **kw)


def test_parse_serialize_roundtrip_and_first_directive_wins():
    csp = Csp.parse("default-src 'SELF'; img-src https://x.org  data:;; default-src *")
    assert csp.get("default-src") == ("'self'",)
    assert csp.get("img-src") == ("https://x.org", "data:")
    assert csp.serialize() == "default-src 'self'; img-src https://x.org data:"
    assert Csp.parse(csp.serialize()) == csp


def test_merge_seeds_missing_fetch_directive_from_default_src():
    ours = Csp.parse("default-src 'self'; script-src 'self'")
    theirs = Csp.parse("img-src https://cdn.example.org")
    merged = ours.merge(theirs)
    # img-src absent on our side: seeded from our default-src so our own images still load
    assert merged.get("img-src") == ("'self'", "https://cdn.example.org")
    # theirs has no default-src: it contributes nothing to script-src
    assert merged.get("script-src") == ("'self'",)


def test_merge_seeds_from_the_other_sides_default_src_too():
    ours = Csp.parse("default-src 'self'; script-src 'self' 'sha256-a'")
    theirs = Csp.parse("default-src https://cdn.example.org")
    merged = ours.merge(theirs)
    assert merged.get("script-src") == ("'self'", "'sha256-a'", "https://cdn.example.org")
    assert merged.get("default-src") == ("'self'", "https://cdn.example.org")


def test_merge_drops_none_when_other_sources_join():
    merged = Csp.parse("object-src 'none'").merge(Csp.parse("object-src https://x.org"))
    assert merged.get("object-src") == ("https://x.org",)
    assert Csp.parse("object-src 'none'").merge(Csp.parse("object-src 'none'")).get(
        "object-src") == ("'none'",)


def test_effective_follows_fallback_chain():
    csp = Csp.parse("default-src 'self'; child-src https://c.org; script-src 'self'")
    assert csp.effective("frame-src") == ("https://c.org",)
    assert csp.effective("worker-src") == ("https://c.org",)
    assert csp.effective("script-src-elem") == ("'self'",)
    assert Csp.parse("img-src x").effective("script-src") is None


def test_sha256_is_utf8_of_text_with_crlf_normalised():
    assert sha256_source("alert(1)") == _b64(b"alert(1)")
    assert sha256_source("a\r\nb\rc\n") == _b64(b"a\nb\nc\n")
    assert sha256_source("x = 'é'") == _b64("x = 'é'".encode())
    # entities are not decoded in script text
    assert sha256_source("a &amp; b") == _b64(b"a &amp; b")


def test_meta_forbidden_directives():
    assert {"frame-ancestors", "report-uri", "report-to", "sandbox"} == set(META_FORBIDDEN)


PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'self'; script-src 'self' 'unsafe-inline' 'unsafe-eval' https://cdn.example.org; img-src https://img.example.org">
<link rel="stylesheet" href="https://fonts.googleapis.com/css?family=Roboto">
<style>:root{--x:1}</style>
<script>var theme = 1;</script>
</head><body><p style="color: red">x</p>
<script type="application/json">{"not": "executable"}</script>
<script src="https://cdn.jsdelivr.net/npm/lib.js"></script>
</body></html>"""


def test_site_csp_base_hashes_services_resources_and_provenance():
    policy = policy_with("clarity", csp=CspConfig(extra=frozen_map(
        {"img-src": ("https://images.example.org",)})))
    site = build_site_csp(policy, [scan_page(PAGE, "index.html")])
    csp = site.policy
    script = csp.get("script-src")
    assert script[0] == "'self'"
    assert sha256_source("var theme = 1;") in script
    assert sha256_source('{"not": "executable"}') not in script
    assert "'unsafe-inline'" not in script and "'unsafe-eval'" not in script
    assert "https://www.clarity.ms" in script
    assert "https://cdn.example.org" in script  # the page's own policy is kept
    assert "https://cdn.jsdelivr.net/npm/lib.js" in script  # the exact file, not the CDN
    assert csp.get("object-src") == ("'none'",)
    assert csp.get("base-uri") == ("'self'",)
    assert "https://fonts.gstatic.com" in csp.get("font-src")
    style = csp.get("style-src")
    assert sha256_source(":root{--x:1}") in style
    assert "'unsafe-hashes'" in style and sha256_source("color: red") in style
    assert "'unsafe-inline'" not in style
    assert site.forced_unsafe_hashes
    assert "https://images.example.org" in csp.get("img-src")
    assert "https://img.example.org" in csp.get("img-src")

    reasons = site.reasons("script-src", sha256_source("var theme = 1;"))
    assert reasons[0].kind == "inline-script" and reasons[0].pages == ("index.html",)
    assert reasons[0].detail == "var theme = 1;"
    assert site.reasons("script-src", "https://www.clarity.ms")[0].kind == "service"
    assert site.reasons("script-src", "https://cdn.example.org")[0].kind == "page-policy"
    assert site.reasons("script-src", "https://cdn.jsdelivr.net/npm/lib.js")[0].kind == "resource"
    assert site.reasons("img-src", "https://images.example.org")[0].kind == "extra"
    assert site.reasons("object-src", "'none'")[0].kind == "base"
    assert any("'unsafe-inline'" in w and "index.html" in w for w in site.warnings)
    # every source in the policy has at least one reason
    for directive, sources in csp.directives:
        for s in sources:
            assert site.reasons(directive, s), (directive, s)


def test_site_csp_service_snippets_hashed_and_header_only_directives():
    policy = policy_with("google-analytics", csp=CspConfig(
        report_uri="https://r.example.org/csp", frame_ancestors=("'self'",)))
    site = build_site_csp(policy, [], runtime_scripts=["gtag('js', new Date());"])
    assert sha256_source("gtag('js', new Date());") in site.policy.get("script-src")
    assert site.policy.get("report-uri") == ("https://r.example.org/csp",)
    assert "report-uri" not in site.meta_policy and "frame-ancestors" not in site.meta_policy
    assert any("cannot be delivered in <meta>" in w for w in site.warnings)


def test_auto_gated_service_sources_added_even_when_not_in_policy():
    page = ('<html><head></head><body><iframe src="https://www.youtube.com/embed/x">'
            "</iframe></body></html>")
    site = build_site_csp(Policy(), [scan_page(page, "v.html")], runtime_scripts=[])
    assert "https://www.youtube-nocookie.com" in site.policy.get("frame-src")


def test_page_policy_weakening_keywords_dropped_with_warnings():
    page = ('<html><head><meta http-equiv="Content-Security-Policy" content="default-src '
            "'self' 'unsafe-inline'; script-src 'self' 'strict-dynamic' https://cdn.example.org; "
            "style-src 'self' 'unsafe-inline'\"></head><body></body></html>")
    site = build_site_csp(Policy(), [scan_page(page, "p.html")], runtime_scripts=[])
    flat = site.policy.serialize()
    assert "'strict-dynamic'" not in flat and "'unsafe-inline'" not in flat
    assert "https://cdn.example.org" in site.policy.get("script-src")
    assert "'unsafe-inline'" not in (site.policy.get("img-src") or ())
    assert len(site.warnings) == 3


def test_a_fetch_directive_created_for_a_service_keeps_what_default_src_allowed():
    """YouTube needs frame-src; creating it must not take 'self' away from same-origin frames."""
    from consent_generator.model import Policy, ServiceConfig
    from consent_generator.services import get
    from mkdocs_clarity.engine.csp import SiteCspBuilder

    policy = Policy(services=(ServiceConfig("youtube", get("youtube"), "marketing"),))
    site = SiteCspBuilder(policy).result()
    frame_src = site.policy.get("frame-src")
    assert frame_src is not None
    assert "'self'" in frame_src
    assert "https://www.youtube-nocookie.com" in frame_src
    kinds = {r.kind for r in site.reasons("frame-src", "'self'")}
    assert kinds == {"base"}


def test_keywords_fold_case_but_a_nonce_keeps_its_value():
    from mkdocs_clarity.engine.csp import Csp

    policy = Csp.parse("script-src 'SELF' 'nonce-AbC-dEf'")
    assert policy.get("script-src") == ("'self'", "'nonce-AbC-dEf'")


def test_the_record_endpoint_is_reachable_under_the_site_policy():
    """The runtime POSTs each choice to record_endpoint with sendBeacon: connect-src must
    allow that origin, or the proof of consent is blocked by our own policy."""
    from consent_generator.model import Policy
    from mkdocs_clarity.engine.csp import SiteCspBuilder

    site = SiteCspBuilder(Policy(record_endpoint="https://consent.example.org/log")).result()
    assert "https://consent.example.org" in site.policy.get("connect-src")
    assert {r.kind for r in site.reasons("connect-src", "https://consent.example.org")} == {"extra"}
    assert "https://consent.example.org" not in (SiteCspBuilder(Policy()).result()
                                                 .policy.get("connect-src"))

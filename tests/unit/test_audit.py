"""The audit: CSP Evaluator-equivalent checks (cross-checked against npm csp_evaluator), the
site findings, provenance, reports and the ``audit`` command's exit status."""

from __future__ import annotations

import json
import re
from html import unescape
from pathlib import Path

import pytest
from click.testing import CliRunner

from mkdocs_clarity.audit import audit_site, diff_baseline
from mkdocs_clarity.audit.maskcheck import mask_gaps
from mkdocs_clarity.audit.report import render
from mkdocs_clarity.cli import main
from mkdocs_clarity.engine import cspcheck
from mkdocs_clarity.engine.csp import Csp, sha256_source
from tests.harness import cspeval

FIXTURES = Path(__file__).parents[1] / "fixtures"
CORPUS = sorted((FIXTURES / "csp_corpus").glob("*.csp"))
PLAIN = FIXTURES / "static_sites" / "plain"

# Policies where our HIGH/SYNTAX findings may differ from csp_evaluator's, and why.
# Empty: the curated bypass list covers every host in the corpus the evaluator flags.
EXCEPTIONS: dict[str, str] = {}


def _serious(findings) -> set[tuple]:
    return {(f["type"], f["severity"], f["directive"], f["value"]) for f in findings
            if f["severity"] in ("high", "syntax")}


def test_corpus_is_realistic_and_sizeable():
    assert len(CORPUS) >= 15
    assert any("clarity.ms" in p.read_text() for p in CORPUS)


def test_same_high_findings_as_csp_evaluator():
    policies = [p.read_text().strip() for p in CORPUS]
    theirs = cspeval.evaluate_many(policies)  # npm csp_evaluator, one Node process
    flagged = 0
    for path, policy, expected in zip(CORPUS, policies, theirs, strict=True):
        ours = {(f.check, f.severity, f.directive, f.value) for f in cspcheck.evaluate(policy)
                if f.severity in ("high", "syntax")}
        flagged += bool(ours)
        if path.stem in EXCEPTIONS:
            continue
        assert ours == _serious(expected), f"{path.name}: {policy}"
    assert flagged >= 10  # the corpus exercises the checks, not only clean policies


def test_checks_read_a_policy_as_the_engine_does():
    """One tokenizer (csp.parse_directives) for the engine and the checks; only the value
    rule differs, where the evaluator's does (it lower-cases known keywords and schemes; the
    engine lower-cases every keyword, scheme and host: csp_vocabulary.normalize_source)."""
    text = ("Script-Src 'SELF' HTTPS: 'Bogus' https://A.example; script-src 'none';;"
            " upgrade-insecure-requests ; img-src data: data:")
    assert cspcheck.parse(text) == {
        "script-src": ("'self'", "https:", "'Bogus'", "https://A.example"),
        "upgrade-insecure-requests": (), "img-src": ("data:",)}
    assert Csp.parse(text).names() == tuple(cspcheck.parse(text))
    assert Csp.parse(text).get("script-src") == ("'self'", "https:", "'bogus'",
                                                  "https://a.example")
    (bogus,) = [f for f in cspcheck.evaluate(text) if f.check == "INVALID_KEYWORD"]
    assert bogus.value == "'Bogus'"  # quoted back as written, like the evaluator


def test_effective_policy_ignores_unsafe_inline_next_to_hashes():
    f = cspcheck.evaluate("script-src 'self' 'unsafe-inline' 'sha256-47DEQpj8HBSa+/TImW+5JCeuQeR"
                          "km5NMpJWZG3hSuFU='; object-src 'none'")
    assert not [x for x in f if x.check == "SCRIPT_UNSAFE_INLINE"]


def test_jsonp_host_needing_eval():
    plain = cspcheck.evaluate("script-src https://www.google-analytics.com; object-src 'none'")
    evil = cspcheck.evaluate("script-src https://www.google-analytics.com 'unsafe-eval'; "
                             "object-src 'none'")
    assert not [x for x in plain if x.severity == "high"]
    assert [x for x in evil if x.check == "SCRIPT_ALLOWLIST_BYPASS" and x.severity == "high"]


def test_path_restricted_source_is_matched_by_path():
    assert cspcheck.match_urls("https://cdn.jsdelivr.net/npm/", cspcheck.ANGULAR_URLS) is None
    assert cspcheck.match_urls("cdn.jsdelivr.net/angularjs/", cspcheck.ANGULAR_URLS)
    assert cspcheck.match_urls("*.gstatic.com", cspcheck.ANGULAR_URLS) == "www.gstatic.com"


# --------------------------------------------------------------------------- masking


def test_mask_gaps_inherit_and_unmask():
    gaps = mask_gaps(
        '<form data-clarity-mask="true"><input name="a"><p>x@example.org</p></form>'
        '<div><input type="hidden" name="h"><select name="s"></select>'
        '<p data-clarity-unmask="true">y@example.org</p></div>'
        '<script>var e = "z@example.org"</script>')
    assert gaps.masked_fields == 1 and gaps.masked_emails == 1
    assert gaps.fields == ["select name=s"]
    assert gaps.emails == ["y@example.org"]


# --------------------------------------------------------------------------- site audit


def test_unprotected_site_fails_with_high_findings():
    report = audit_site(PLAIN)
    checks = {f.check for f in report.findings if f.severity == "high"}
    assert {"NO_CSP", "UNGATED_TRACKER"} <= checks
    assert report.fails("high")
    names = {f.value for f in report.findings if f.check == "UNGATED_TRACKER"}
    # The Google Fonts stylesheet of a theme no profile knows is an unknown third party:
    # live before consent, named by URL with the entry that declares it.
    assert names == {"clarity", "youtube", "https://fonts.googleapis.com/css?family=Roboto"}
    assert [e.url for e in report.unknown_embeds] == [
        "https://fonts.googleapis.com/css?family=Roboto"]
    assert report.unknown_embeds[0].live_pages == ("index.html:7",)
    assert 'csp: {style-src: ["https://fonts.googleapis.com"]}' in report.unknown_embeds[0].entry
    assert {f.check for f in report.findings} >= {"UNMASKED_EMAIL", "UNMASKED_FORM_FIELD"}


def test_cli_exit_status_follows_fail_on(tmp_path):
    runner = CliRunner()
    result = runner.invoke(main, ["audit", str(PLAIN), "--format", "json", "-o",
                                  str(tmp_path / "a.json")])
    assert result.exit_code == 1, result.output
    assert "3 high" in result.output or "high" in result.output
    data = json.loads((tmp_path / "a.json").read_text())
    assert data["schema_version"] == 1 and data["pages"] == 3
    result = runner.invoke(main, ["audit", str(PLAIN), "--fail-on", "never"])
    assert result.exit_code == 0
    assert result.output.startswith("# Security audit")


def test_cli_errors_are_messages_not_tracebacks(tmp_path):
    result = CliRunner().invoke(main, ["audit", str(tmp_path / "missing")])
    assert result.exit_code == 1
    assert result.output.startswith("Error: ") and "Traceback" not in result.output
    (tmp_path / "old.json").write_text("{not json")
    result = CliRunner().invoke(main, ["audit", str(PLAIN), "--baseline",
                                       str(tmp_path / "old.json")])
    assert result.exit_code == 1 and "not a JSON audit report" in result.output


def _site_with_policy(tmp_path: Path, policy: str, body: str = "<p>hi</p>") -> Path:
    site = tmp_path / "site"
    site.mkdir()
    script = 'document.body.dataset.ready = "1";'
    for name in ("index.html", "b/index.html", "c/index.html"):
        (site / name).parent.mkdir(parents=True, exist_ok=True)
        (site / name).write_text(
            f'<!doctype html><html><head><meta http-equiv="Content-Security-Policy" '
            f'content="{policy.replace("HASH", sha256_source(script))}"><title>t</title>'
            f"</head><body>{body}<script>{script}</script></body></html>")
    return site


def test_every_source_has_a_reason(tmp_path):
    site = _site_with_policy(tmp_path, "default-src 'self'; script-src 'self' HASH; "
                             "img-src 'self' data:; object-src 'none'; base-uri 'self'")
    report = audit_site(site)
    assert report.directives
    for _directive, entries in report.directives:
        for e in entries:
            assert e.reasons, e
    (script_hash,) = [e for d, es in report.directives if d == "script-src" for e in es
                      if e.source.startswith("'sha256-")]
    (why,) = script_hash.reasons
    assert why.kind == "inline-script"
    assert why.detail.startswith("document.body.dataset.ready")
    assert set(why.pages) == {"index.html", "b/index.html", "c/index.html"}
    assert not report.fails("high")


def test_unexplained_source_is_reported(tmp_path):
    site = _site_with_policy(tmp_path, "default-src 'self'; script-src 'self' HASH "
                             "https://evil.example; object-src 'none'; base-uri 'self'")
    report = audit_site(site)
    (f,) = [f for f in report.findings if f.check == "UNEXPLAINED_SOURCE"]
    assert f.value == "https://evil.example" and f.severity == "medium"


def test_inline_handlers_and_meta_only(tmp_path):
    site = _site_with_policy(tmp_path, "default-src 'self'; script-src 'self' HASH; "
                             "object-src 'none'; base-uri 'self'",
                             body='<button onclick="go()">Go</button>')
    report = audit_site(site)
    checks = {f.check: f for f in report.findings}
    assert checks["INLINE_EVENT_HANDLER"].value == "onclick"
    assert checks["META_ONLY_DELIVERY"].severity == "medium"
    assert report.fails("medium") and not report.fails("high")


def test_inconsistent_policies(tmp_path):
    site = _site_with_policy(tmp_path, "default-src 'self'; script-src 'self' HASH; "
                             "object-src 'none'; base-uri 'self'")
    page = site / "b" / "index.html"
    page.write_text(page.read_text().replace("base-uri 'self'", "base-uri 'none'"))
    report = audit_site(site)
    (f,) = [f for f in report.findings if f.check == "INCONSISTENT_POLICIES"]
    assert f.pages == ("b/index.html",)


def test_baseline_diff():
    old = {"directives": {"script-src": [{"source": "'self'"}, {"source": "'sha256-a'"}]},
           "findings": [{"check": "X", "severity": "high", "directive": None, "value": None}]}
    new = {"directives": {"script-src": [{"source": "'self'"}, {"source": "'sha256-b'"},
                                         {"source": "https://x.example"}]},
           "findings": []}
    d = diff_baseline(old, new)
    assert d["added_sources"] == [{"directive": "script-src", "source": "https://x.example"}]
    assert d["added_hashes"] == [{"directive": "script-src", "source": "'sha256-b'"}]
    assert d["removed_hashes"] == [{"directive": "script-src", "source": "'sha256-a'"}]
    assert d["resolved_findings"][0]["check"] == "X" and d["new_findings"] == []


def test_reports_render_and_escape(tmp_path):
    site = _site_with_policy(tmp_path, "default-src 'self'; script-src 'self' HASH; "
                             "object-src 'none'; base-uri 'self'",
                             body='<form><input name="<b>x</b>"></form>')
    data = audit_site(site).to_json()
    data["baseline"] = diff_baseline(data, data)
    md = render(data, "md")
    assert "| `script-src` | `'sha256-" in md and "## Changes since the baseline" in md
    html = render(data, "html")
    assert "<b>x</b>" not in html
    csp = unescape(re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"',
                             html).group(1))
    style = re.search(r"<style>(.*?)</style>", html, re.S).group(1)
    assert csp.startswith("default-src 'none'; style-src " + sha256_source(style))
    assert " style=" not in html and "<script" not in html
    assert json.loads(render(data, "json")) == data


@pytest.mark.browser
def test_html_report_passes_its_own_csp_in_chromium(tmp_path, session):
    report = tmp_path / "audit.html"
    result = CliRunner().invoke(main, ["audit", str(PLAIN), "--format", "html", "-o",
                                       str(report), "--fail-on", "never"])
    assert result.exit_code == 0, result.output
    from tests.harness.server import serve

    with serve(tmp_path) as base:  # file:// would go to the harness's third-party stub
        session.page.goto(base + "audit.html")
        _check_report_page(session)


def _check_report_page(session) -> None:
    assert session.page.title().startswith("Security audit")
    # The hashed stylesheet applied (a blocked <style> would leave the default serif font).
    font = session.page.evaluate("getComputedStyle(document.body).fontFamily")
    assert "system-ui" in font
    assert session.csp_violations() == []
    assert session.page.locator("text=UNGATED_TRACKER").count() >= 1


def test_service_source_names_service_and_category_once(tmp_path):
    """With the policy given *and* the site's consent config read back, a service source is
    explained once, with the category a visitor must accept."""
    import shutil

    from consent_generator.policy import load_policy
    from mkdocs_clarity.engine.site import apply_site

    policy = load_policy(PLAIN.parent / "consent.yml")
    site = tmp_path / "site"
    shutil.copytree(PLAIN, site)
    apply_site(site, policy, jobs=1)
    report = audit_site(site, policy)
    (entry,) = [e for d, es in report.directives if d == "script-src" for e in es
                if e.source == "https://www.clarity.ms"]
    assert [(r.kind, r.detail) for r in entry.reasons] == [
        ("service", "service clarity (Microsoft Clarity), category analytics")]

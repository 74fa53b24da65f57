"""Policy values that would weaken or corrupt an output are refused at validation (issue 11 §2):
each with file:line, key and a fix, and through the CLI as one ``Error:`` message, never a
traceback."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from consent_generator.csp_vocabulary import hash_problem, tld_wildcard, weakening
from consent_generator.policy import MAX_REVISION, PolicyError, parse_policy
from mkdocs_clarity.cli import main


def refusal(text: str) -> str:
    with pytest.raises(PolicyError) as info:
        parse_policy(textwrap.dedent(text))
    assert len(info.value.problems) == 1, info.value.problems
    return str(info.value.problems[0])


@pytest.mark.parametrize(("yaml", "where", "expected"), [
    ('csp: {extra: {connect-src: ["https://*.com"]}}\n', "consent.yml:1:29: csp.extra.connect-src[0]",
     "allows every site under a top-level domain"),
    ('csp: {extra: {img-src: ["*.co.uk"]}}\n', "consent.yml:1:25: csp.extra.img-src[0]",
     "top-level domain"),
    ('csp: {extra: {worker-src: ["*"]}}\n', "consent.yml:1:28: csp.extra.worker-src[0]",
     "would let any host run scripts"),
    ('csp: {extra: {object-src: ["*"]}}\n', "csp.extra.object-src[0]", "any host"),
    ('csp: {extra: {base-uri: ["https:"]}}\n', "csp.extra.base-uri[0]", "any https URL"),
    ('csp: {extra: {default-src: ["*"]}}\n', "csp.extra.default-src[0]", "any host"),
    ('csp: {extra: {script-src: ["blob:"]}}\n', "csp.extra.script-src[0]", "any blob URL"),
    ("csp: {extra: {script-src: [\"'sha256-abc'\"]}}\n", "csp.extra.script-src[0]",
     "malformed hash source 'sha256-abc'"),
    ("csp: {extra: {style-src: [\"'sha384-" + "A" * 44 + "'\"]}}\n",
     "csp.extra.style-src[0]", "a sha384 digest is 48 bytes, this one decodes to 33"),
    ('ui: {privacy_url: "/\\\\evil.example"}\n', "consent.yml:1:19: ui.privacy_url",
     "backslash, which browsers read as '/'"),
    ('ui: {privacy_url: "/\\t/evil.example"}\n', "ui.privacy_url", "contains spaces"),
    ('ui: {privacy_url: "https://example.org\\\\@evil.example/"}\n', "ui.privacy_url",
     "backslash"),
    ('ui: {texts: {en: {banner_title: "Hi\\x00there"}}}\n', "ui.texts.en.banner_title",
     "contains the control character '\\x00'"),
    ('cookie: {name: "a\\x1bb"}\n', "cookie.name", "control character '\\x1b'"),
    (f"revision: {MAX_REVISION + 1}\n", "consent.yml:1:11: revision",
     "must be at most 999999999"),
    ('csp: {delivery: [nginx], report_uri: "https://r.example/$host"}\n', "csp.report_uri",
     "contains '$', which the nginx header file cannot carry"),
    ('csp: {delivery: [apache], report_uri: "https://r.example/a%2Fb"}\n', "csp.report_uri",
     "contains '%', which the apache header file cannot carry"),
    ('csp: {delivery: [netlify], report_uri: "https://r.example/a;b"}\n', "csp.report_uri",
     "contains ';', which a CSP cannot carry"),
    ('csp: {delivery: [netlify], report_uri: "https://r.example/a\\"b"}\n', "csp.report_uri",
     "contains '\"'"),
])
def test_refused_policy_values(yaml, where, expected):
    message = refusal(yaml)
    assert message.startswith("consent.yml:") and where in message, message
    assert expected in message, message
    assert "; " in message  # every refusal says how to fix it


def test_report_uri_chars_refused_only_for_formats_that_break():
    ok = parse_policy('csp: {delivery: [netlify], report_uri: "https://r.example/$x%2F"}\n')
    assert ok.csp.report_uri == "https://r.example/$x%2F"


def test_revision_at_the_limit_is_accepted():
    assert parse_policy(f"revision: {MAX_REVISION}\n").revision == MAX_REVISION


def test_the_runtime_cookie_format_can_store_the_largest_revision():
    """MAX_REVISION is the runtime's own limit: its record pattern reads it back."""
    js = (Path(__file__).parents[2] / "consent_generator/runtime/consent.js").read_text()
    assert r"\.\d{1,9}\." in js and len(str(MAX_REVISION)) == 9


def test_vocabulary_predicates():
    assert hash_problem("'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='") is None
    assert "not of the form" in (hash_problem("'sha256-ab$c'") or "")
    assert tld_wildcard("https://*.com") and tld_wildcard("*.com.au")
    assert not tld_wildcard("https://*.example.com") and not tld_wildcard("https://a.com")
    assert weakening("script-src", "'nonce-x'") and weakening("base-uri", "*")
    assert weakening("img-src", "*") is None and weakening("style-src", "'unsafe-inline'") is None


def test_cli_prints_refusals_without_traceback(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("<html><head></head><body></body></html>")
    policy = tmp_path / "consent.yml"
    policy.write_text('version: 1\ncsp:\n  extra:\n    script-src: ["https://*.com", '
                      "\"'sha256-abc'\"]\n")
    result = CliRunner().invoke(main, ["apply", str(site), "--policy", str(policy)])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert f"{policy}:4:18: csp.extra.script-src[0]" in result.output
    assert f"{policy}:4:35: csp.extra.script-src[1]: malformed hash" in result.output
    assert (site / "index.html").read_text() == "<html><head></head><body></body></html>"


def test_markdown_audit_escapes_site_content_like_the_html_one(tmp_path):
    """Site content in the Markdown audit is inert text: no raw HTML, link, image, emphasis,
    code fence or table cell comes from a page (issue 11 §3)."""
    from mkdocs_clarity.audit import audit_site
    from mkdocs_clarity.audit.report import render

    hostile = ('console.log("<img src=x onerror=alert(1)> [x](javascript:alert(1)) '
               '![i](https://t.example/p.gif) ``` | *b* `")')
    site = tmp_path / "site"
    site.mkdir()
    from consent_generator.csp_sources import sha256_source

    csp = f"script-src 'self' {sha256_source(hostile)}; object-src 'none'"
    (site / "a_[x](javascript:y)*.html").write_text(
        f'<html><head><meta http-equiv="Content-Security-Policy" content="{csp}">'
        f"<script>{hostile}</script></head><body></body></html>")
    data = audit_site(site, None).to_json()
    md = render(data, "md")
    assert "<img" not in md and "&lt;img src=x onerror=alert(1)&gt;" in md
    import re

    assert not re.search(r"(?<!\\)\]\(javascript:", md) and "\\!\\[i\\]" in md
    assert "a\\_\\[x\\](javascript:y)\\*.html" in md
    for line in md.splitlines():
        if line.startswith("| ") and "console" in line:
            assert line.count(" | ") - line.count("\\|") <= 3  # no extra table cell
    html = render(data, "html")
    assert "<img src=x" not in html

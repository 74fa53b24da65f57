"""verify's pure parts: page selection, serving from disk, naming third parties, findings and
their fixes, the reports (escaped, CSP-clean HTML), and the usage errors (exit 2) that need no
browser."""

from __future__ import annotations

import base64
import hashlib
import re
import subprocess
import sys
from html import unescape

import pytest
from click.testing import CliRunner

from consent_generator.policy import parse_policy
from mkdocs_clarity.cli import main
from mkdocs_clarity.verify.findings import findings
from mkdocs_clarity.verify.launch import UsageError, find_browser
from mkdocs_clarity.verify.model import PageResult, Request, VerifyReport, Violation
from mkdocs_clarity.verify.report import render
from mkdocs_clarity.verify.run import select_pages
from mkdocs_clarity.verify.serve import SiteFiles, ThirdParties, third_party_answer

POLICY = parse_policy("""version: 1
services:
  clarity: {category: analytics, project_id: "abcde12345"}
  youtube: {category: marketing}
csp: {extra: {connect-src: ["https://api.github.com"], img-src: ["http://127.0.0.1:9999"]}}
""")
CATEGORIES = {"clarity": "analytics", "youtube": "marketing"}


def test_select_pages_all_sample_and_globs():
    files = [f"p{i}/index.html" for i in range(10)] + ["index.html"]
    assert select_pages(files, ()) == files == select_pages(files, ("all",))
    assert select_pages(files, ("3",)) == ["p0/index.html", "p3/index.html", "p7/index.html"]
    assert select_pages(files, ("index.html", "p1/*")) == ["p1/index.html", "index.html"]
    with pytest.raises(UsageError, match="no page of the site matches"):
        select_pages(files, ("nope/*",))


def test_site_files_serve_like_a_web_server(tmp_path):
    (tmp_path / "docs" / "guide").mkdir(parents=True)
    (tmp_path / "docs" / "guide" / "index.html").write_text("<p>guide</p>")
    (tmp_path / "docs" / "404.html").write_text("<p>missing</p>")
    (tmp_path / "secret.txt").write_text("outside the site")
    site = SiteFiles(tmp_path / "docs", "https://example.org/docs/", csp_header="default-src 'self'")
    assert site.owns("https://example.org/x") and not site.owns("https://example.org:8443/x")
    ok = site.answer("https://example.org/docs/guide/")
    assert (ok.status, ok.body, ok.content_type) == (200, b"<p>guide</p>",
                                                     "text/html; charset=utf-8")
    assert ok.headers["Content-Security-Policy"] == "default-src 'self'"
    assert site.answer("https://example.org/docs/guide").headers["Location"] == "/docs/guide/"
    for escape in ("https://example.org/docs/../secret.txt",
                   "https://example.org/docs/%2e%2e/secret.txt", "https://example.org/other/"):
        answer = site.answer(escape)
        assert answer.status == 404 and answer.body == b"<p>missing</p>"
    assert site.url_of("guide/index.html") == "https://example.org/docs/guide/"


def test_third_parties_named_and_answered_locally():
    parties = ThirdParties(POLICY)
    assert parties.vendor_of("https://www.clarity.ms/tag/abc") == "clarity"
    assert parties.vendor_of("https://x.clarity.ms/collect") == "clarity"
    assert parties.vendor_of("https://www.youtube-nocookie.com/embed/x") == "youtube"
    # A catalog vendor the policy does not enable is still known by name.
    assert parties.vendor_of("https://www.googletagmanager.com/gtag/js?id=G-1") is not None
    assert parties.vendor_of("https://comments.example.net/embed") is None
    assert parties.is_declared("https://api.github.com/repos/a/b")
    assert parties.is_declared("http://127.0.0.1:9999/p.gif")
    assert not parties.is_declared("http://127.0.0.1:9998/p.gif")
    assert not parties.is_declared("https://api.github.com.evil.example/")
    stub = third_party_answer("https://www.clarity.ms/tag/abc", "script", "clarity")
    assert b"__mkcVerifyRan" in stub.body and b'"https://www.clarity.ms/tag/abc"' in stub.body
    assert third_party_answer("https://cdn.example/x.js", "script", None).body == b""


def _request(state: str, url: str, vendor: str | None, declared: bool = False,
             kind: str = "script") -> Request:
    return Request(state, url, url.split("/")[2], kind, vendor, declared)


def test_findings_rules_and_fixes():
    page = PageResult("guide/index.html", "https://example.org/guide/", banner=True,
                      expected=["clarity", "youtube"], loaded=["clarity"])
    page.requests += [
        _request("fresh", "https://www.clarity.ms/tag/x", "clarity"),
        _request("fresh", "https://www.clarity.ms/tag/x?again", "clarity"),  # same host: once
        _request("reject", "https://fonts.example.net/a.css", None, kind="stylesheet"),
        _request("fresh", "https://api.github.com/repos/a/b", None, declared=True, kind="fetch"),
        _request("accept", "https://www.clarity.ms/tag/x", "clarity"),
        _request("gpc-accept", "https://www.youtube-nocookie.com/embed/v", "youtube",
                 kind="document"),
        _request("gpc-accept", "https://www.clarity.ms/tag/x", "clarity"),
    ]
    page.violations += [Violation("fresh", "connect-src", "https://stats.example.net/c",
                                  "https://example.org/a.js", 3),
                        Violation("fresh", "script-src-elem", "inline", "", 0),
                        Violation("accept", "trusted-types-sink", "", "https://example.org/b.js",
                                  9, "Element src|https://www.clarity.ms/tag/x")]
    got = {(f.check, f.state, f.host or f.url): f for f in findings([page], CATEGORIES)}
    assert set(got) == {
        ("vendor-before-consent", "fresh", "www.clarity.ms"),
        ("third-party-after-reject", "reject", "fonts.example.net"),
        ("vendor-despite-gpc", "gpc-accept", "www.youtube-nocookie.com"),
        # Clarity's client refuses GPC visitors: the runtime must not even download it
        ("vendor-despite-gpc", "gpc-accept", "www.clarity.ms"),
        ("csp-violation", "fresh", "stats.example.net"),
        ("csp-violation", "fresh", "inline"),
        ("backstop-refused", "accept", ""),
        ("vendor-not-loaded", "accept", ""),
    }
    blocked = got[("csp-violation", "fresh", "stats.example.net")]
    assert blocked.suggestion == 'csp: {extra: {connect-src: ["https://stats.example.net"]}}'
    assert blocked.source == "https://example.org/a.js:3"
    assert "before any consent choice" in blocked.message
    assert got[("csp-violation", "fresh", "inline")].suggestion == ""
    assert "youtube" in got[("vendor-not-loaded", "accept", "")].message
    assert all(f.page == "guide/index.html" and f.fix for f in got.values())


def _report(findings_: list | None = None) -> VerifyReport:
    page = PageResult("<b>x</b>.html", "https://example.org/%3Cb%3E", banner=True)
    page.requests.append(_request("fresh", "https://evil.example/<script>", None))
    return VerifyReport(site="site", site_url="https://example.org/", site_url_source="test",
                        browser="/usr/bin/chromium", vendors=[{"key": "clarity",
                                                               "category": "analytics"}],
                        pages=[page], findings=findings([page], CATEGORIES),
                        screenshot=b"\x89PNG fake")


def test_html_report_is_escaped_and_allowed_by_its_own_csp():
    html = render(_report(), "html")
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<b>x</b>" not in html
    csp = unescape(re.search(r'Content-Security-Policy" content="([^"]+)"', html).group(1))
    style = re.search(r"<style>(.*?)</style>", html, re.S).group(1)
    digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
    assert f"style-src 'sha256-{digest}'" in csp and "default-src 'none'" in csp
    assert "img-src data:" in csp and 'src="data:image/png;base64,' in html
    assert " style=" not in html and "<script" not in html


def test_text_json_and_markdown_reports():
    report = _report()
    text = render(report, "text")
    assert "FINDING third-party-before-consent: <b>x</b>.html [fresh]" in text
    assert text.rstrip().endswith("FAILED (1 finding(s))")
    data = render(report, "json")
    assert '"schema_version": 1' in data and '"answered_locally": true' in data
    md = render(report, "md")
    # site content is escaped in Markdown as in HTML (a page name is never live markup)
    assert "`third-party-before-consent` on &lt;b&gt;x&lt;/b&gt;.html (fresh)" in md
    assert "<b>" not in md


def test_usage_errors_exit_2_with_one_line(tmp_path):
    runner = CliRunner()
    missing = runner.invoke(main, ["verify", str(tmp_path / "nope")])
    assert missing.exit_code == 2 and "not a directory" in missing.output
    (tmp_path / "index.html").write_text("<p>hi</p>")
    bad = runner.invoke(main, ["verify", str(tmp_path), "--browser", str(tmp_path / "chrome")])
    assert bad.exit_code == 2
    assert "--browser" in bad.output and "apt-get install chromium" in bad.output
    with pytest.raises(UsageError, match="not an executable"):
        find_browser(tmp_path / "index.html")


def test_without_playwright_says_how_to_install(tmp_path):
    (tmp_path / "index.html").write_text("<p>hi</p>")
    code = ("import sys; sys.modules['playwright'] = None; "
            "from mkdocs_clarity.cli import main; main()")
    proc = subprocess.run([sys.executable, "-c", code, "verify", str(tmp_path)],
                          capture_output=True, text=True, cwd=tmp_path)
    assert proc.returncode == 2
    errors = [line for line in proc.stderr.splitlines() if line.startswith("Error:")]
    assert errors == ["Error: verify needs Playwright: pip install 'mkdocs-clarity[verify]' "
                      "(it drives your installed Chromium; no browser is downloaded)"]

"""``mkdocs-clarity verify`` end to end: small sites built with ``apply``, checked by the real
command in Chromium (run as a user runs it: a subprocess, exit status and JSON report).

Each site's pages are written as a generator would, then ``apply_site`` gates them; the faults
are the kind no static check sees: same-origin scripts that inject a tracker, call an API the CSP
does not allow, or load a vendor once any consent cookie exists.
"""

from __future__ import annotations

import http.server
import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import yaml

from consent_generator.policy import load_policy
from mkdocs_clarity.engine.site import apply_site
from tests.harness.browser import chromium_path
from tests.harness.server import free_port

pytestmark = pytest.mark.browser

POLICY = """version: 1
services:
  clarity: {category: analytics, project_id: "abcde12345"}
  google-analytics: {category: analytics, measurement_id: "G-ABCDE12345"}
  youtube: {category: marketing}
"""

PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>
{head}</head><body><h1>{title}</h1>
<nav><a href="{root}">Home</a> <a href="{root}other/">Other</a></nav>
{body}</body></html>
"""

SCRIPTS = {
    # A theme bundle that injects the Clarity loader itself (served from the site: 'self').
    "bundle.js": "var s = document.createElement('script');\n"
                 "s.src = 'https://www.clarity.ms/tag/zzzzzzzzzz';\n"
                 "document.head.appendChild(s);\n",
    # Repository facts, as Material fetches them from the GitHub API.
    "facts.js": "fetch('https://api.github.com/repos/example/project').catch(function () {});\n",
    # A comments widget that adds its frame at run time.
    "widget.js": "var f = document.createElement('iframe');\n"
                 "f.src = 'https://comments.example.net/embed?page=1';\n"
                 "document.body.appendChild(f);\n",
    # Loads the tracker as soon as any consent record exists, whatever it says.
    "sniff.js": "if (document.cookie.indexOf('site_consent=') >= 0) {\n"
                "  var s = document.createElement('script');\n"
                "  s.src = 'https://www.clarity.ms/tag/sniffsniff';\n"
                "  document.head.appendChild(s);\n}\n",
}


def _page(site: Path, rel: str, *, head: str = "", body: str = "") -> None:
    path = site / rel / "index.html" if rel else site / "index.html"
    path.parent.mkdir(parents=True, exist_ok=True)
    root = "../" * rel.count("/") + ("../" if rel else "")
    path.write_text(PAGE.format(title=rel or "Home", head=head, body=body, root=root or "./"))


def _script(name: str) -> str:
    return f'<script src="/assets/{name}"></script>'


def build(tmp: Path, pages: dict[str, dict[str, str]], policy_text: str = POLICY) -> Path:
    """A site with ``pages`` (rel -> head/body extras) and the fault scripts, applied."""
    site = tmp / "site"
    (site / "assets").mkdir(parents=True, exist_ok=True)
    for name, text in SCRIPTS.items():
        (site / "assets" / name).write_text(text)
    _page(site, "other", body="<p>Another page.</p>")
    for rel, extra in pages.items():
        _page(site, rel, **extra)
    (tmp / "consent.yml").write_text(policy_text)
    apply_site(site, load_policy(tmp / "consent.yml"), jobs=1)
    return site


def verify(site: Path, *args: str) -> tuple[int, dict, str]:
    """Run the command; (exit status, JSON report, stderr)."""
    out = site.parent / "verify.json"
    proc = subprocess.run(
        [sys.executable, "-c", "from mkdocs_clarity.cli import main; main()", "verify",
         str(site), "--policy", str(site.parent / "consent.yml"), "--format", "json",
         "-o", str(out), "--browser", chromium_path() or "/usr/bin/chromium", *args],
        capture_output=True, text=True, timeout=120)
    report = json.loads(out.read_text()) if out.exists() else {}
    return proc.returncode, report, proc.stderr


def _findings(report: dict, check: str) -> list[dict]:
    return [f for f in report["findings"] if f["check"] == check]


@contextmanager
def counting_server() -> Iterator[tuple[str, list[str]]]:
    """A loopback server that records every hit: anything reaching it left the browser."""
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            hits.append(self.path)
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", hits
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_clean_site_passes_every_vendor_loads_and_nothing_leaves(tmp_path):
    with counting_server() as (outside, hits):
        # A declared third party (csp.extra) on the page: allowed before consent, and the
        # request must still be answered by verify's router, never by the real host.
        policy = POLICY + f'csp: {{extra: {{img-src: ["{outside}"]}}}}\n'
        body = (f'<img alt="" src="{outside}/pixel.gif">'
                '<iframe src="https://www.youtube.com/embed/abc"></iframe>')
        site = build(tmp_path, {"": {"body": body}}, policy)
        # The site's own origin: nothing listens there either; verify serves it from disk.
        code, report, err = verify(site, "--site-url", f"http://127.0.0.1:{free_port()}/")
    assert code == 0, (err, report.get("findings"))
    assert report["schema_version"] == 1 and report["passed"] is True
    assert {v["key"]: v["loaded_after_accept"] for v in report["vendors"]} == {
        "clarity": True, "google-analytics": True, "youtube": True}
    home = next(p for p in report["pages"] if p["page"] == "index.html")
    assert home["loaded_after_accept"] == ["clarity", "google-analytics", "youtube"]
    assert set(home["states"]) == {"fresh", "reject", "accept", "navigate", "revoke", "gpc",
                                   "gpc-accept"}
    requests = [r for p in report["pages"] for r in p["third_party"]]
    pixel = [r for r in requests if r["url"].startswith(outside)]
    assert pixel and all(r["declared"] and r["answered_locally"] for r in pixel)
    assert hits == []  # nothing reached the real host
    by_state = {s: {r["vendor"] for r in home["third_party"] if r["state"] == s}
                for s in home["states"]}
    assert by_state["fresh"] <= {None} and by_state["reject"] <= {None}
    assert by_state["revoke"] <= {None} and by_state["gpc"] <= {None}
    # GPC refuses marketing, and Clarity's client refuses GPC visitors: Accept all under
    # GPC loads Google Analytics only, never Clarity nor the YouTube embed.
    assert by_state["gpc-accept"] == {"google-analytics"}
    assert home["navigated_to"] and home["csp_violations"] == []


def test_faults_are_found_named_and_fail(tmp_path):
    site = build(tmp_path, {
        "": {},
        "bundle": {"head": _script("bundle.js")},
        "widget": {"body": _script("widget.js")},
        "sniff": {"head": _script("sniff.js")},
    })
    code, report, err = verify(site, "--pages", "*/index.html", "--pages", "index.html")
    assert code == 1, err
    pages = {p["page"] for p in report["pages"]}
    assert pages == {"index.html", "bundle/index.html", "widget/index.html",
                     "sniff/index.html", "other/index.html"}
    # The same-origin bundle's Clarity loader, before any choice: host and page named.
    before = _findings(report, "vendor-before-consent")
    assert {(f["page"], f["host"], f["state"]) for f in before} >= {
        ("bundle/index.html", "www.clarity.ms", "fresh"),
        ("bundle/index.html", "www.clarity.ms", "gpc")}
    assert all(f["page"] == "bundle/index.html" for f in before)
    # The unknown embed the widget adds: reported before consent (the CSP stopped it; Chromium
    # reports a cross-origin frame's origin only).
    widget = [f for f in report["findings"] if f["page"] == "widget/index.html"]
    assert any(f["state"] == "fresh" and f["url"].startswith("https://comments.example.net")
               and f["source"].endswith("/assets/widget.js:3")
               and f["directive"] == "frame-src" for f in widget)
    # A loader keyed on the consent cookie: clean before the choice, caught after Reject and
    # after revoking.
    sniff = {(f["check"], f["state"]) for f in report["findings"]
             if f["page"] == "sniff/index.html"}
    assert sniff == {("vendor-after-reject", "reject"), ("vendor-after-revoke", "revoke")}
    assert ("vendor-after-revoke", "revoke") in {(f["check"], f["state"]) for f in report[
        "findings"] if f["page"] == "bundle/index.html"}
    assert not [f for f in report["findings"] if f["page"] in ("index.html", "other/index.html")]


def test_csp_that_blocks_a_theme_feature_names_directive_and_its_fix_works(tmp_path):
    site = build(tmp_path, {"": {"head": _script("facts.js")}})
    code, report, _ = verify(site, "--pages", "index.html")
    assert code == 1
    [finding] = [f for f in _findings(report, "csp-violation") if f["state"] == "fresh"]
    assert finding["directive"] == "connect-src"
    assert finding["url"] == "https://api.github.com/repos/example/project"
    assert finding["suggestion"] == 'csp: {extra: {connect-src: ["https://api.github.com"]}}'
    # The suggestion, applied by the site owner, is the whole fix.
    build(tmp_path, {"": {"head": _script("facts.js")}},
          POLICY + yaml.safe_dump(yaml.safe_load(finding["suggestion"])))
    code, report, err = verify(site, "--pages", "index.html")
    assert code == 0, (err, report["findings"])
    assert report["declared_hosts"] == ["https://api.github.com"]
    assert any(r["host"] == "api.github.com" and r["declared"]
               for r in report["pages"][0]["third_party"])


def test_demo_site_passes(tmp_path):
    import shutil

    from tests.build.sites import build as mkdocs_build

    root = tmp_path / "demo"
    shutil.copytree(Path(__file__).parents[2] / "demo_site", root,
                    ignore=shutil.ignore_patterns("site"))
    built = mkdocs_build(root)
    assert built.ok, built.proc.stderr
    code, report, err = verify(built.site, "--policy", str(root / "consent.yml"))
    assert code == 0, (err, report.get("findings"))
    assert all(v["loaded_after_accept"] for v in report["vendors"])
    assert {v["key"] for v in report["vendors"]} == {"clarity", "google-analytics", "youtube"}
    # Seen at its site_url, Material's instant navigation engaged.
    assert any(p["instant_navigation"] for p in report["pages"])
    video = next(p for p in report["pages"] if p["page"] == "video/index.html")
    assert "youtube" in video["loaded_after_accept"]


# What one visitor's page leaves behind (a cookie, storage, the window name, and a cookie set
# while leaving the page) must not reach the next visit: the tabs are reused between pages.
LEAVE_MARKS = ("<script>document.cookie = 'leak=1; path=/'; localStorage.leak = '1';"
               "sessionStorage.leak = '1'; window.name = 'leak';"
               "addEventListener('pagehide', function () {"
               " document.cookie = 'late=1; path=/'; sessionStorage.late = '1'; });</script>")
SNIFF_MARKS = ("<script>if (/(^|; )(leak|late)=/.test(document.cookie) || localStorage.leak ||"
               " sessionStorage.leak || sessionStorage.late || window.name === 'leak') {"
               " var s = document.createElement('script');"
               " s.src = 'https://www.clarity.ms/tag/leaked'; document.head.appendChild(s); }"
               "</script>")


def test_nothing_a_page_leaves_reaches_the_next_visit(tmp_path):
    site = build(tmp_path, {"": {}, "a": {"head": LEAVE_MARKS}, "b": {"head": SNIFF_MARKS}})
    # One worker: a's three visits run in the tabs right before b's.
    code, report, err = verify(site, "--pages", "a/index.html", "--pages", "b/index.html",
                               "--jobs", "1")
    pages = [p["page"] for p in report["pages"]]
    assert pages == ["a/index.html", "b/index.html"], err
    b = report["pages"][1]
    assert b["page_errors"] == [], b["page_errors"]
    assert "revoke" in b["states"]
    # (after Accept all, Clarity loads, on b and on the page it navigates to: consent given)
    assert not [r for r in b["third_party"] if r["host"] == "www.clarity.ms"
                and r["state"] in ("fresh", "reject", "revoke", "gpc", "gpc-accept")]
    assert code == 0, report["findings"]

"""Header exports: every host format parsed back, merged into existing files, idempotent,
host limits enforced with clear errors."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from consent_generator.model import CspConfig
from mkdocs_clarity.engine.csp import Csp
from mkdocs_clarity.hosts import HeaderExportError, base, export, read_site_headers

from .common import SITE_CSP

ALL = ("meta", "netlify", "cloudflare", "vercel", "azure-swa", "nginx", "apache")
"""The six formats this file was written for (its assertions name their files)."""


def config(**kw) -> CspConfig:
    kw.setdefault("delivery", ALL)
    return CspConfig(**kw)


def snapshot(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes()
            for p in sorted(site.rglob("*")) if p.is_file()}


def test_every_format_round_trips_the_policy(tmp_path):
    cfg = config(report_uri="https://r.example.org/csp", report_to="csp-endpoint")
    files = export(tmp_path, Csp.parse(SITE_CSP), cfg)
    assert {f.path.name for f in files} == {"_headers", "vercel.json",
                                            "staticwebapp.config.json", "nginx-headers.conf",
                                            ".htaccess"}
    found = read_site_headers(tmp_path)
    assert set(found) == {f.path.name for f in files}
    expected = Csp.parse(SITE_CSP + "; frame-ancestors 'self'; report-uri "
                         "https://r.example.org/csp; report-to csp-endpoint")
    for name, values in found.items():
        got = Csp.parse(values["content-security-policy"])
        assert got == expected, name
        assert values["reporting-endpoints"] == 'csp-endpoint="https://r.example.org/csp"'
        assert values["x-content-type-options"] == "nosniff"
        assert values["referrer-policy"] == "strict-origin-when-cross-origin"
        assert "camera=()" in values["permissions-policy"]




def test_nginx_and_apache_syntax(tmp_path):
    export(tmp_path, SITE_CSP, config(delivery=("nginx", "apache")))
    nginx = (tmp_path / "nginx-headers.conf").read_text()
    assert re.search(r'^add_header Content-Security-Policy "[^"]+" always;$', nginx, re.M)
    apache = (tmp_path / ".htaccess").read_text()
    assert re.search(r"<IfModule mod_headers\.c>\n(  Header always set \S+ \"[^\n]*\"\n)+"
                     r"</IfModule>", apache)


def test_report_only_header_name_and_switch_back(tmp_path):
    export(tmp_path, SITE_CSP, config(delivery=("azure-swa", "netlify"), report_only=True))
    found = read_site_headers(tmp_path)
    for values in found.values():
        assert "content-security-policy-report-only" in values
        assert "content-security-policy" not in values
    export(tmp_path, SITE_CSP, config(delivery=("azure-swa", "netlify")))
    for values in read_site_headers(tmp_path).values():
        assert "content-security-policy" in values
        assert "content-security-policy-report-only" not in values


def test_frame_ancestors_default_and_override(tmp_path):
    export(tmp_path, SITE_CSP + "; frame-ancestors *", config(delivery=("netlify",)))
    csp = Csp.parse(read_site_headers(tmp_path)["_headers"]["content-security-policy"])
    assert csp.get("frame-ancestors") == ("'self'",)
    export(tmp_path, SITE_CSP, config(delivery=("netlify",), frame_ancestors=("'none'",)))
    csp = Csp.parse(read_site_headers(tmp_path)["_headers"]["content-security-policy"])
    assert csp.get("frame-ancestors") == ("'none'",)


def test_second_run_same_bytes(tmp_path):
    (tmp_path / "_headers").write_text("/assets/*\n  Cache-Control: max-age=31536000\n")
    (tmp_path / "vercel.json").write_text('{"cleanUrls": true}')
    export(tmp_path, SITE_CSP, config())
    first = snapshot(tmp_path)
    files = export(tmp_path, SITE_CSP, config())
    assert snapshot(tmp_path) == first
    assert not any(f.changed for f in files)


def test_existing_text_files_are_merged_not_overwritten(tmp_path):
    user = "# mine\n/assets/*\n  Cache-Control: max-age=31536000\n"
    (tmp_path / "_headers").write_text(user)
    (tmp_path / ".htaccess").write_text("RewriteEngine On\nErrorDocument 404 /404.html\n")
    (tmp_path / "nginx-headers.conf").write_text("add_header X-Mine yes;\n")
    export(tmp_path, SITE_CSP, config())
    text = (tmp_path / "_headers").read_text()
    assert text.startswith(user)
    assert "Cache-Control: max-age=31536000" in text
    assert (tmp_path / ".htaccess").read_text().startswith("RewriteEngine On\nErrorDocument")
    assert "add_header X-Mine yes;" in (tmp_path / "nginx-headers.conf").read_text()
    # a changed policy replaces only our block
    export(tmp_path, SITE_CSP.replace("https://www.clarity.ms", "https://x.example"), config())
    text = (tmp_path / "_headers").read_text()
    assert text.startswith(user) and text.count("# BEGIN mkdocs-clarity") == 1
    assert "x.example" in text and "clarity.ms" not in text


def test_existing_json_merged_with_key_order(tmp_path):
    (tmp_path / "vercel.json").write_text(json.dumps({
        "cleanUrls": True,
        "headers": [{"source": "/assets/(.*)",
                     "headers": [{"key": "Cache-Control", "value": "immutable"}]}],
        "trailingSlash": False}))
    (tmp_path / "staticwebapp.config.json").write_text(json.dumps({
        "navigationFallback": {"rewrite": "/index.html"},
        "globalHeaders": {"Cache-Control": "no-cache", "Referrer-Policy": "no-referrer"},
        "mimeTypes": {".json": "application/json"}}))
    export(tmp_path, SITE_CSP, config(delivery=("vercel", "azure-swa")))
    vercel = json.loads((tmp_path / "vercel.json").read_text())
    assert list(vercel) == ["cleanUrls", "headers", "trailingSlash"]
    assert vercel["headers"][0]["source"] == "/assets/(.*)"
    assert len(vercel["headers"]) == 2
    azure = json.loads((tmp_path / "staticwebapp.config.json").read_text())
    assert list(azure) == ["navigationFallback", "globalHeaders", "mimeTypes"]
    glob = azure["globalHeaders"]
    assert glob["Cache-Control"] == "no-cache"
    assert glob["Referrer-Policy"] == "strict-origin-when-cross-origin"  # a name we own
    assert list(glob)[:2] == ["Cache-Control", "Referrer-Policy"]



def test_foreign_csp_is_a_conflict(tmp_path):
    (tmp_path / "_headers").write_text("/*\n  Content-Security-Policy: default-src *\n")
    with pytest.raises(HeaderExportError, match="already set outside"):
        export(tmp_path, SITE_CSP, config(delivery=("netlify",)))
    (tmp_path / "vercel.json").write_text(json.dumps({"headers": [{
        "source": "/docs/(.*)", "headers": [{"key": "content-security-policy",
                                             "value": "default-src *"}]}]}))
    with pytest.raises(HeaderExportError, match=r"headers\[0\]"):
        export(tmp_path, SITE_CSP, config(delivery=("vercel",)))





def test_unbalanced_markers(tmp_path):
    (tmp_path / ".htaccess").write_text(base.BEGIN + "\nHeader set X y\n")
    with pytest.raises(HeaderExportError, match="unbalanced"):
        export(tmp_path, SITE_CSP, config(delivery=("apache",)))


def test_dry_run_writes_nothing(tmp_path):
    files = export(tmp_path, SITE_CSP, config(), dry_run=True)
    assert files and all(f.changed for f in files)
    assert list(tmp_path.iterdir()) == []


def test_meta_only_writes_nothing(tmp_path):
    assert export(tmp_path, SITE_CSP, config(delivery=("meta",))) == []

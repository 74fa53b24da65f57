"""``mkdocs-clarity apply`` on the three kinds of site the issue names — Zensical-built, plain
hand-written HTML, MkDocs without the plugin — then idempotency, dry run and the audit.

Each site is built (or copied) into a temp dir, so fixtures never change.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from mkdocs_clarity.cli import main
from mkdocs_clarity.hosts import read_site_headers

pytestmark = pytest.mark.build

SITES = Path(__file__).parents[1] / "fixtures" / "static_sites"
POLICY = SITES / "consent.yml"
HEADER_FILES = {"_headers", "vercel.json", "staticwebapp.config.json", "nginx-headers.conf",
                ".htaccess"}


def _build(kind: str, tmp: Path) -> Path:
    if kind == "plain":
        shutil.copytree(SITES / "plain", tmp / "site")
        return tmp / "site"
    project = tmp / "project"
    shutil.copytree(SITES / f"{kind}_project", project)
    cmd = ([sys.executable, "-m", "zensical", "build"] if kind == "zensical" else
           [sys.executable, "-m", "mkdocs", "build", "--strict"])
    subprocess.run(cmd, cwd=project, check=True, capture_output=True, timeout=300)
    return project / "site"


def _hashes(site: Path) -> dict[str, str]:
    return {p.relative_to(site).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(site.rglob("*")) if p.is_file()}


def _apply(site: Path, *extra: str):
    return CliRunner().invoke(main, ["apply", str(site), "--policy", str(POLICY), *extra])


@pytest.fixture(params=["zensical", "plain", "mkdocs"])
def site(request, tmp_path) -> Path:
    return _build(request.param, tmp_path)


def test_apply_protects_every_page_and_is_idempotent(site):
    before = _hashes(site)
    dry = _apply(site, "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "would change" in dry.output
    assert _hashes(site) == before, "--dry-run wrote to the site"

    first = _apply(site)
    assert first.exit_code == 0, first.output
    assert re.search(r"\d+ page\(s\) changed", first.output)
    assert "policy:" in first.output and "header files:" in first.output
    after = _hashes(site)
    assert after != before
    pages = [p for p in site.rglob("*.html")]
    assert pages
    for page in pages:
        head = page.read_text("utf-8").split("<head", 1)[1].split(">", 1)[1]
        tags = [t for t in re.findall(r"<[a-zA-Z][^>]*>", head) if "charset" not in t]
        assert 'http-equiv="Content-Security-Policy"' in tags[0], page  # first but charset
        assert "clarity.ms/tag" not in re.sub(r"<script[^>]*text/plain[^>]*>.*?</script>", "",
                                              page.read_text("utf-8"), flags=re.S), page
    assert set(read_site_headers(site)) >= HEADER_FILES

    second = _apply(site)
    assert second.exit_code == 0, second.output
    assert _hashes(site) == after, "second run changed bytes"
    assert re.search(r"\b0 page\(s\) changed", second.output)


def test_applied_site_passes_the_audit(site):
    unprotected = CliRunner().invoke(main, ["audit", str(site), "--format", "json"])
    assert unprotected.exit_code == 1, unprotected.output
    assert _apply(site).exit_code == 0
    result = CliRunner().invoke(main, ["audit", str(site), "--policy", str(POLICY),
                                       "--format", "json", "--fail-on", "high"])
    assert result.exit_code == 0, result.output
    assert "UNEXPLAINED_SOURCE" not in result.output


def test_apply_errors_are_messages(tmp_path):
    result = CliRunner().invoke(main, ["apply", str(tmp_path / "nope"), "--policy",
                                       str(POLICY)])
    assert result.exit_code == 1 and result.output.startswith("Error: ")
    (tmp_path / "site").mkdir()
    bad = tmp_path / "consent.yml"
    bad.write_text("version: 1\nservices:\n  clarity: {projet_id: x}\n")
    result = CliRunner().invoke(main, ["apply", str(tmp_path / "site"), "--policy", str(bad)])
    assert result.exit_code == 1 and "consent.yml:3" in result.output
    assert "Traceback" not in result.output


def test_help_has_examples():
    for cmd in ("apply", "audit"):
        result = CliRunner().invoke(main, [cmd, "--help"])
        assert result.exit_code == 0 and "Examples:" in result.output


def test_site_url_under_a_subpath_is_read_from_the_site(tmp_path):
    """An MkDocs site served under /docs/: apply without --site-url finds the URL in the
    site (canonical link), so 404.html links the runtime root-absolutely and the site's own
    absolute URLs stay under 'self' instead of being listed as third-party."""
    project = tmp_path / "project"
    shutil.copytree(SITES / "mkdocs_project", project)
    config = project / "mkdocs.yml"
    config.write_text(config.read_text().replace(
        "site_url: http://127.0.0.1:8000/", "site_url: https://example.org/docs/")
        + "extra_css:\n  - https://example.org/docs/css/brand.css\n")
    page = project / "docs" / "page.md"
    page.write_text(page.read_text()
                    + '\n\n<img src="https://example.org/docs/img/logo.png" alt="logo">\n')
    subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict"], cwd=project,
                   check=True, capture_output=True, timeout=300)
    site = project / "site"

    result = _apply(site)
    assert result.exit_code == 0, result.output
    assert ('site URL: https://example.org/docs/ (from index.html <link rel="canonical">)'
            in result.output)
    not_found = (site / "404.html").read_text("utf-8")
    assert re.search(r'<script[^>]+src="/docs/assets/consent/consent\.[0-9a-f]{8}\.js"',
                     not_found), not_found[:2000]
    index = (site / "index.html").read_text("utf-8")
    assert re.search(r'src="assets/consent/consent\.[0-9a-f]{8}\.js"', index)
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', index).group(1)
    assert "example.org" not in csp and "'self'" in csp

    audit = CliRunner().invoke(main, ["audit", str(site), "--policy", str(POLICY),
                                      "--format", "json", "--fail-on", "never"])
    assert audit.exit_code == 0, audit.output
    data = json.loads(audit.stdout)
    assert data["site_url"] == {"url": "https://example.org/docs/",
                                "source": 'index.html <link rel="canonical">'}
    third = {f["value"] for f in data["findings"]
             if f["check"] == "THIRD_PARTY_BEFORE_CONSENT"}
    assert "https://example.org" not in third
    # The classification really follows the site URL: served elsewhere, the same URLs are
    # third-party requests.
    elsewhere = CliRunner().invoke(main, ["audit", str(site), "--format", "json",
                                          "--fail-on", "never",
                                          "--site-url", "https://other.example/"])
    # (now unknown third-party embeds, live because apply took them for the site's own)
    live = {f["value"] for f in json.loads(elsewhere.stdout)["findings"]
            if f["check"] == "UNGATED_TRACKER"}
    assert "https://example.org/docs/img/logo.png" in live

"""``mkdocs-clarity apply`` on the three kinds of site the issue names — Zensical-built, plain
hand-written HTML, MkDocs without the plugin — then idempotency, dry run and the audit.

Each site is built (or copied) into a temp dir, so fixtures never change.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from mkdocs_clarity.cli import main
from mkdocs_clarity.headers import read_site_headers

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

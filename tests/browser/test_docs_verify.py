"""The documentation site passes `mkdocs-clarity verify` in a real browser (issue 16: the
docs are built with the plugin on themselves and proven in CI, not only audited)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.harness.browser import chromium_path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
pytestmark = [pytest.mark.browser, pytest.mark.build]


def test_docs_site_passes_verify(tmp_path):
    site = tmp_path / "site"
    built = subprocess.run([str(BIN / "mkdocs"), "build", "--strict", "-d", str(site)],
                           cwd=ROOT, capture_output=True, text=True)
    assert built.returncode == 0, built.stderr[-3000:]
    out = tmp_path / "verify.json"
    # A sample keeps the suite short: the home page, Getting started and the policy reference
    # (every state is run on each: fresh, reject, accept + navigation, revoke, GPC).
    proc = subprocess.run(
        [str(BIN / "mkdocs-clarity"), "verify", str(site), "--policy", str(ROOT / "consent.yml"),
         "--pages", "index.html", "--pages", "getting-started/index.html",
         "--pages", "reference/policy/index.html",
         "--format", "json", "-o", str(out), "--browser", chromium_path() or "/usr/bin/chromium"],
        cwd=ROOT, capture_output=True, text=True, timeout=300)
    report = json.loads(out.read_text()) if out.exists() else {}
    assert proc.returncode == 0, (proc.stderr[-3000:], report.get("findings"))
    assert report["passed"] is True
    assert {p["page"] for p in report["pages"]} == {
        "index.html", "getting-started/index.html", "reference/policy/index.html"}
    assert {v["key"]: v["loaded_after_accept"] for v in report["vendors"]} == {"clarity": True}

"""Cloudflare Pages limits on ``_headers`` (100 rules, 2,000 characters a line), checked
whenever the file is written, with an error naming the file and line."""

from __future__ import annotations

import pytest

from mkdocs_clarity.hosts import HeaderExportError, export

from .common import SITE_CSP, config


def test_cloudflare_line_limit(tmp_path):
    hashes = " ".join(f"'sha256-{i:043d}='" for i in range(60))
    with pytest.raises(HeaderExportError, match=r"_headers:\d+: line is \d+ characters.*2000"):
        export(tmp_path, f"script-src 'self' {hashes}", config(delivery=("cloudflare",)))
    assert not (tmp_path / "_headers").exists()


def test_cloudflare_rule_limit(tmp_path):
    (tmp_path / "_headers").write_text("".join(f"/p{i}/*\n  X-N: {i}\n" for i in range(100)))
    with pytest.raises(HeaderExportError, match="101 header rules"):
        export(tmp_path, SITE_CSP, config(delivery=("netlify",)))

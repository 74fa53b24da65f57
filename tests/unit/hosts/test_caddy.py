"""Caddy: the exported block passes ``caddy validate`` when imported in a site block, and the
running server sends exactly what the file reads back as (escaping of quotes and placeholder
braces included)."""

from __future__ import annotations

import pytest

from mkdocs_clarity.hosts import HeaderExportError, export
from tests.harness import webservers

from .common import SITE_CSP, config, served_as_read_back

TRICKY = config(delivery=("caddy",), report_uri="https://r.example.org/{http.request.host}/r",
                report_to="csp-endpoint")
"""Quotes (Reporting-Endpoints) and a placeholder Caddy would replace if it were not escaped."""


def test_block_passes_caddy_validate(tmp_path):
    export(tmp_path, SITE_CSP, TRICKY, https=True)
    result = webservers.syntax("caddy", tmp_path / "caddy-headers.conf", tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Valid configuration" in result.stdout + result.stderr


def test_broken_block_fails_caddy_validate(tmp_path):
    """The judge can fail: a header line outside a header block is an unknown directive."""
    (tmp_path / "bad.conf").write_text('X-Bad "a"\n')
    result = webservers.syntax("caddy", tmp_path / "bad.conf", tmp_path)
    assert result.returncode != 0


def test_served_headers_are_the_read_back(tmp_path):
    export(tmp_path, SITE_CSP, TRICKY, https=True)
    sent = served_as_read_back("caddy", tmp_path, "caddy-headers.conf")
    assert "{http.request.host}" in sent["content-security-policy"]
    assert sent["strict-transport-security"] == "max-age=31536000"


def test_backslash_is_refused(tmp_path):
    with pytest.raises(HeaderExportError, match="backslash"):
        export(tmp_path, SITE_CSP + "; img-src https://x.example/a\\b", config(delivery=("caddy",)))

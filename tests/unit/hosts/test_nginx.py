"""nginx: the exported include passes ``nginx -t`` and the running server sends exactly the
headers the file reads back as (escaping included)."""

from __future__ import annotations

import pytest

from mkdocs_clarity.hosts import HeaderExportError, export
from tests.harness import webservers

from .common import SITE_CSP, config, served_as_read_back

TRICKY = config(delivery=("nginx",), report_uri="https://r.example.org/csp%20report?a=1&b=2",
                report_to="csp-endpoint")


def test_snippet_passes_nginx_t(tmp_path):
    (tmp_path / "nginx-headers.conf").write_text("add_header X-Mine \"yes\";\n")
    export(tmp_path, SITE_CSP, TRICKY, https=True)
    result = webservers.syntax("nginx", tmp_path / "nginx-headers.conf", tmp_path)
    assert result.returncode == 0, result.stderr
    assert "syntax is ok" in result.stderr


def test_broken_snippet_fails_nginx_t(tmp_path):
    """The judge can fail: an unquoted value with a space is an nginx syntax error."""
    (tmp_path / "bad.conf").write_text("add_header X-Bad a b c d;\n")
    result = webservers.syntax("nginx", tmp_path / "bad.conf", tmp_path)
    assert result.returncode != 0


def test_served_headers_are_the_read_back(tmp_path):
    export(tmp_path, SITE_CSP, TRICKY, https=True)
    sent = served_as_read_back("nginx", tmp_path, "nginx-headers.conf")
    assert sent["reporting-endpoints"] == 'csp-endpoint="https://r.example.org/csp%20report?a=1&b=2"'
    assert sent["strict-transport-security"] == "max-age=31536000"


def test_dollar_is_refused(tmp_path):
    with pytest.raises(HeaderExportError, match=r"'\$'.*variable"):
        export(tmp_path, SITE_CSP + "; img-src https://x.example/$a", config(delivery=("nginx",)))

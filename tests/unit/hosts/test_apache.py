"""Apache: the exported ``.htaccess`` lines pass ``apache2 -t`` inside the site's <Directory>
(mod_headers loaded) and the running server sends exactly what the file reads back as."""

from __future__ import annotations

from mkdocs_clarity.hosts import export
from tests.harness import webservers

from .common import SITE_CSP, config, served_as_read_back

# '%' is mod_headers' format character: '%20' unescaped is "Unrecognized header format %2".
TRICKY = config(delivery=("apache",), report_uri="https://r.example.org/csp%20report?a=1&b=2",
                report_to="csp-endpoint")


def test_htaccess_passes_apache_t(tmp_path):
    (tmp_path / ".htaccess").write_text("ErrorDocument 404 /404.html\n")
    export(tmp_path, SITE_CSP, TRICKY, https=True)
    result = webservers.syntax("apache2", tmp_path / ".htaccess", tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Syntax OK" in result.stderr


def test_unescaped_percent_fails_apache_t(tmp_path):
    """The judge can fail, and on exactly what the escaping prevents."""
    (tmp_path / "bad").write_text('Header always set X-Bad "a%20b"\n')
    result = webservers.syntax("apache2", tmp_path / "bad", tmp_path)
    assert result.returncode != 0
    assert "Unrecognized header format" in result.stderr


def test_served_headers_are_the_read_back(tmp_path):
    export(tmp_path, SITE_CSP, TRICKY, https=True)
    sent = served_as_read_back("apache2", tmp_path, ".htaccess")
    assert sent["reporting-endpoints"] == 'csp-endpoint="https://r.example.org/csp%20report?a=1&b=2"'

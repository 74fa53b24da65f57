"""Shared inputs of the host-format tests."""

from __future__ import annotations

from pathlib import Path

from consent_generator.model import CspConfig
from mkdocs_clarity import hosts
from mkdocs_clarity.hosts import read_site_headers
from tests.harness import webservers

SITE_CSP = ("default-src 'self'; script-src 'self' 'sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=' "
            "https://www.clarity.ms; object-src 'none'; base-uri 'self'")
ALL = ("meta", *hosts.hosts())
"""Every delivery: a new host module is covered by the shared tests without editing them."""


def config(**kw: object) -> CspConfig:
    kw.setdefault("delivery", ALL)
    return CspConfig(**kw)  # type: ignore[arg-type]


def served_as_read_back(server: str, site: Path, file: str) -> dict[str, str]:
    """What ``server`` (a real one, running with ``site/file`` included) sends for a page and
    for a 404, asserted equal to what the file reads back as; returns the page's headers."""
    expected = read_site_headers(site)[file]
    with webservers.serve(server, site / file, "<p>hi</p>", site) as url:
        sent = webservers.response_headers(url)
        missing = webservers.response_headers(url + "no-such-page")
    for name, value in expected.items():
        assert sent[name] == value, name
        assert missing[name] == value, name  # error pages carry them too
    return sent

"""Shared inputs of the host-format tests."""

from __future__ import annotations

from consent_generator.model import CspConfig
from mkdocs_clarity import hosts

SITE_CSP = ("default-src 'self'; script-src 'self' 'sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=' "
            "https://www.clarity.ms; object-src 'none'; base-uri 'self'")
ALL = ("meta", *hosts.hosts())
"""Every delivery: a new host module is covered by the shared tests without editing them."""


def config(**kw: object) -> CspConfig:
    kw.setdefault("delivery", ALL)
    return CspConfig(**kw)  # type: ignore[arg-type]

"""Shared inputs of the host-format tests."""

from __future__ import annotations

from consent_generator.model import CspConfig

SITE_CSP = ("default-src 'self'; script-src 'self' 'sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=' "
            "https://www.clarity.ms; object-src 'none'; base-uri 'self'")
ALL = ("meta", "netlify", "cloudflare", "vercel", "azure-swa", "nginx", "apache")


def config(**kw: object) -> CspConfig:
    kw.setdefault("delivery", ALL)
    return CspConfig(**kw)  # type: ignore[arg-type]

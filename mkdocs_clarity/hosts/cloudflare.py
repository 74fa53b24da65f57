"""Cloudflare Pages: the same ``_headers`` file as Netlify (:mod:`.netlify` owns the format),
plus Cloudflare's documented limits.

Limits (developers.cloudflare.com/pages/configuration/headers/): at most 100 header rules, and
2,000 characters per line (the whole line, indentation included). Checked whenever
``_headers`` is written, since the file may be deployed to either host.
"""

from __future__ import annotations

from pathlib import Path

from mkdocs_clarity.hosts import netlify
from mkdocs_clarity.hosts.base import HeaderExportError, Host

MAX_RULES = 100
MAX_LINE = 2000


def check(text: str, path: Path) -> None:
    """Refuse a ``_headers`` file Cloudflare Pages would reject or truncate."""
    rules = 0
    for n, line in enumerate(text.splitlines(), 1):
        if len(line) > MAX_LINE:
            name = line.strip().split(":", 1)[0]
            raise HeaderExportError(
                f"{path}:{n}: line is {len(line)} characters ({name}); Cloudflare Pages allows "
                f"{MAX_LINE} per line in _headers. Shorten the policy (fewer inline "
                "scripts: move them to files; fewer hosts) or deliver it another way")
        if line.strip() and not line[0].isspace() and not line.lstrip().startswith("#"):
            rules += 1
    if rules > MAX_RULES:
        raise HeaderExportError(
            f"{path}: {rules} header rules; Cloudflare Pages allows {MAX_RULES}. "
            "Merge rules that share headers (URL patterns with '*')")


HOST = Host(
    delivery="cloudflare", file=netlify.FILE, render=netlify.render, read=netlify.read,
    check=check, docs="https://developers.cloudflare.com/pages/configuration/headers/",
    hsts="Cloudflare sends Strict-Transport-Security itself only when the zone's HSTS setting "
         "is on (SSL/TLS > Edge Certificates, https://developers.cloudflare.com/ssl/"
         "edge-certificates/additional-options/http-strict-transport-security/); then set "
         "headers.hsts: off so the header is not sent twice")

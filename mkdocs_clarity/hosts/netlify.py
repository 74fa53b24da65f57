"""Netlify: ``_headers`` in the site root, one ``/*`` rule inside our markers.

Format (docs.netlify.com/routing/headers): a URL pattern on its own line, then indented
``Name: value`` lines; ``#`` starts a comment. Values are taken verbatim to the end of the line,
so the only thing to escape is a line break, which :func:`.headerset.header_set` refuses.
Cloudflare Pages reads the same file (see :mod:`.cloudflare`, whose limits apply to it too).
"""

from __future__ import annotations

from pathlib import Path

from mkdocs_clarity.hosts.base import Headers, Host, check_foreign, replace_block
from mkdocs_clarity.hosts.headerset import conflicts

FILE = "_headers"
SITE_PATTERN = "/*"
SITE_WIDE = ("/*", "/**", "*")
"""Patterns that match every URL (what the audit reads as the site's headers)."""


def render(existing: str, headers: Headers, path: Path) -> str:
    """``existing`` with our ``/*`` rule merged in."""
    check_foreign(existing, path, r"^\s+{name}\s*:", conflicts(headers))
    return replace_block(existing, [SITE_PATTERN, *(f"  {n}: {v}" for n, v in headers)], path)


def parse(text: str) -> list[tuple[str, list[tuple[str, str]]]]:
    """A ``_headers`` file as ``[(url pattern, [(name, value), ...]), ...]`` (comments
    skipped). Used by the audit (what a host will send) and by the tests (round trip)."""
    rules: list[tuple[str, list[tuple[str, str]]]] = []
    for raw in text.splitlines():
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        if not raw[0].isspace():
            rules.append((raw.strip(), []))
        elif rules and ":" in raw:
            name, value = raw.strip().split(":", 1)
            rules[-1][1].append((name.strip(), value.strip()))
    return rules


def read(text: str) -> dict[str, str]:
    """The headers of the rules that match every URL."""
    got: dict[str, str] = {}
    for pattern, pairs in parse(text):
        if pattern in SITE_WIDE:
            got.update((n.lower(), v) for n, v in pairs)
    return got


HOST = Host(
    delivery="netlify", file=FILE, render=render, read=read,
    docs="https://docs.netlify.com/routing/headers/",
    hsts="Netlify adds its own Strict-Transport-Security once a domain has a certificate "
         "(https://answers.netlify.com/t/improvements-to-tls-and-primary-domain-redirects-for-"
         "non-static-assets/74903); if a deployed response carries the header twice, set "
         "headers.hsts: off")

"""Caddy: ``caddy-headers.conf``, a ``header { ... }`` block to ``import`` in the site block.

Format (caddyserver.com/docs/caddyfile/directives/header): one ``Name "value"`` line per
header inside ``header { }``. Caddy sends them on error pages (404) too.

Escaping: values are double-quoted Caddyfile tokens, so ``"`` is written ``\\"``. Braces
are placeholders (``{http.request.host}`` becomes the request's host) and pass two unescapings:
the Caddyfile lexer turns ``\\{`` into ``{`` and Caddy's replacer reads ``\\{`` as a literal
brace, so a literal ``{`` is written ``\\\\{`` (likewise ``}``); measured with Debian's Caddy
2.6. A backslash elsewhere is kept as written and one before a quote would end the token, so
backslashes are refused; no CSP needs one.
"""

from __future__ import annotations

import re
from pathlib import Path

from mkdocs_clarity.hosts.base import HeaderExportError, Headers, Host, check_foreign, replace_block
from mkdocs_clarity.hosts.headerset import conflicts

FILE = "caddy-headers.conf"
_LINE = re.compile(r'^\s*(?:header\s+)?([A-Za-z0-9-]+)\s+"((?:[^"\\]|\\.)*)"\s*$', re.M)
_ESCAPES = {'"': '\\"', "{": "\\\\{", "}": "\\\\}"}


def _quote(value: str) -> str:
    if "\\" in value:
        raise HeaderExportError(f"header value contains a backslash, which a Caddyfile cannot "
                                f"quote: {value!r}")
    return "".join(_ESCAPES.get(c, c) for c in value)


def render(existing: str, headers: Headers, path: Path) -> str:
    check_foreign(existing, path, r"^\s*(header\s+)?{name}\s", conflicts(headers))
    lines = ["# import this file in each site block that serves the site", "header {"]
    lines += [f'\t{n} "{_quote(v)}"' for n, v in headers]
    lines.append("}")
    return replace_block(existing, lines, path)


def read(text: str) -> dict[str, str]:
    return {m.group(1).lower(): re.sub(r'\\"|\\\\([{}])', lambda e: e.group(1) or '"',
                                       m.group(2))
            for m in _LINE.finditer(text)}


HOST = Host(
    delivery="caddy", file=FILE, render=render, read=read,
    docs="https://caddyserver.com/docs/caddyfile/directives/header",
    hsts="Caddy's automatic HTTPS redirects http to https but adds no Strict-Transport-"
         "Security of its own: keep hsts: auto")

"""nginx: ``nginx-headers.conf``, ``add_header ... always;`` lines to ``include``.

``always`` sends them on 404 / 5xx pages too. nginx inherits ``add_header`` only into blocks
that set none of their own: include the file in every ``location`` that has its own
``add_header`` (nginx.org/en/docs/http/ngx_http_headers_module.html#add_header).

Escaping: values are double-quoted strings, so ``\\`` and ``"`` are escaped; ``$`` would
interpolate a variable and has no escape inside a string, so it is refused.
"""

from __future__ import annotations

import re
from pathlib import Path

from mkdocs_clarity.hosts.base import (
    HeaderExportError,
    Headers,
    Host,
    check_foreign,
    quote_double,
    replace_block,
    unquote_double,
)
from mkdocs_clarity.hosts.headerset import conflicts

FILE = "nginx-headers.conf"
_LINE = re.compile(r'^\s*add_header\s+(\S+)\s+"((?:[^"\\]|\\.)*)"(?:\s+always)?\s*;', re.M)


def _quote(value: str) -> str:
    if "$" in value:
        raise HeaderExportError(f"header value contains '$', which nginx would read as a "
                                f"variable: {value!r}")
    return quote_double(value)


def render(existing: str, headers: Headers, path: Path) -> str:
    check_foreign(existing, path, r"add_header\s+{name}\s", conflicts(headers))
    lines = ["# include from each server/location block that serves the site"]
    lines += [f'add_header {n} "{_quote(v)}" always;' for n, v in headers]
    return replace_block(existing, lines, path)


def read(text: str) -> dict[str, str]:
    return {m.group(1).lower(): unquote_double(m.group(2)) for m in _LINE.finditer(text)}


HOST = Host(
    delivery="nginx", file=FILE, render=render, read=read,
    docs="https://nginx.org/en/docs/http/ngx_http_headers_module.html#add_header",
    hsts="nginx sends only what you configure: keep hsts: auto")

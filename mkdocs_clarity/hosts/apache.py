"""Apache httpd: ``.htaccess``, ``Header always set`` inside ``<IfModule mod_headers.c>``.

``always`` sends them on error responses too (httpd.apache.org/docs/2.4/mod/mod_headers.html).

Escaping: values are double-quoted config strings (``\\`` and ``"`` escaped), and mod_headers
reads ``%`` as the start of a format specifier (``%{VAR}e``, ``%t``), so a literal ``%`` (a
percent-encoded URL in a policy) is written ``%%``.
"""

from __future__ import annotations

import re
from pathlib import Path

from mkdocs_clarity.hosts.base import (
    Headers,
    Host,
    check_foreign,
    quote_double,
    replace_block,
    unquote_double,
)
from mkdocs_clarity.hosts.headerset import conflicts

FILE = ".htaccess"
_LINE = re.compile(r'^\s*Header\s+(?:always\s+)?set\s+(\S+)\s+"((?:[^"\\]|\\.)*)"', re.M)


def _quote(value: str) -> str:
    return quote_double(value.replace("%", "%%"))


def render(existing: str, headers: Headers, path: Path) -> str:
    check_foreign(existing, path, r"header\s+(always\s+)?(set|add|append)\s+{name}\s",
                  conflicts(headers))
    lines = ["<IfModule mod_headers.c>"]
    lines += [f'  Header always set {n} "{_quote(v)}"' for n, v in headers]
    lines.append("</IfModule>")
    return replace_block(existing, lines, path)


def read(text: str) -> dict[str, str]:
    return {m.group(1).lower(): unquote_double(m.group(2)).replace("%%", "%")
            for m in _LINE.finditer(text)}


HOST = Host(
    delivery="apache", file=FILE, render=render, read=read,
    docs="https://httpd.apache.org/docs/2.4/mod/mod_headers.html#header",
    hsts="Apache sends only what you configure: keep hsts: auto")

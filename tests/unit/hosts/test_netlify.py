"""Netlify ``_headers``: one ``/*`` rule, parsed back as written."""

from __future__ import annotations

from mkdocs_clarity.hosts import export, netlify

from .common import SITE_CSP, config


def test_headers_file_parses_as_one_rule(tmp_path):
    export(tmp_path, SITE_CSP, config(delivery=("netlify",)))
    rules = netlify.parse((tmp_path / "_headers").read_text())
    assert [pattern for pattern, _ in rules] == ["/*"]
    names = [n for n, _ in rules[0][1]]
    assert names[0] == "Content-Security-Policy" and len(names) == len(set(names))

"""Vercel ``vercel.json``: our entry's shape, and an invalid file named with line and column."""

from __future__ import annotations

import json

import pytest

from mkdocs_clarity.hosts import HeaderExportError, export

from .common import SITE_CSP, config


def test_vercel_json_shape(tmp_path):
    export(tmp_path, SITE_CSP, config(delivery=("vercel",)))
    data = json.loads((tmp_path / "vercel.json").read_text())
    (entry,) = data["headers"]
    assert entry["source"] == "/(.*)"
    assert all(set(h) == {"key", "value"} for h in entry["headers"])


def test_invalid_json_names_the_file(tmp_path):
    (tmp_path / "vercel.json").write_text('{"cleanUrls": true,,}')
    with pytest.raises(HeaderExportError, match=r"vercel\.json:1:\d+: not valid JSON"):
        export(tmp_path, SITE_CSP, config(delivery=("vercel",)))
    assert (tmp_path / "vercel.json").read_text() == '{"cleanUrls": true,,}'

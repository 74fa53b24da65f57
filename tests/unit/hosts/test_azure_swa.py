"""Azure Static Web Apps: the 20 KB limit of ``staticwebapp.config.json``."""

from __future__ import annotations

import json

import pytest

from mkdocs_clarity.hosts import HeaderExportError, export

from .common import SITE_CSP, config


def test_azure_size_limit(tmp_path):
    (tmp_path / "staticwebapp.config.json").write_text(json.dumps(
        {"routes": [{"route": f"/old/{i}", "redirect": f"/new/{i}"} for i in range(600)]}))
    with pytest.raises(HeaderExportError, match="20 KB"):
        export(tmp_path, SITE_CSP, config(delivery=("azure-swa",)))

"""The documentation site: built --strict with the plugin on itself, audited clean, and its
Getting started page runs as written in a fresh virtual environment."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
pytestmark = pytest.mark.build


def test_docs_build_strict_with_the_plugin_and_pass_the_audit(tmp_path):
    site = tmp_path / "site"
    built = subprocess.run([str(BIN / "mkdocs"), "build", "--strict", "-d", str(site)],
                           cwd=ROOT, capture_output=True, text=True)
    assert built.returncode == 0, built.stderr[-3000:]
    index = (site / "index.html").read_text(encoding="utf-8")
    assert 'http-equiv="Content-Security-Policy"' in index and 'id="cc-banner"' in index
    audit = subprocess.run([str(BIN / "mkdocs-clarity"), "audit", str(site), "--policy",
                            str(ROOT / "consent.yml"), "--format", "json"],
                           cwd=ROOT, capture_output=True, text=True)
    assert audit.returncode == 0, audit.stdout[-3000:] + audit.stderr[-3000:]


def shell_blocks(page: Path) -> list[str]:
    """Every ```sh block of a documentation page, in order."""
    return re.findall(r"^```sh\n(.*?)^```", page.read_text(encoding="utf-8"), re.M | re.S)


def test_getting_started_runs_as_written(tmp_path):
    blocks = shell_blocks(ROOT / "docs" / "getting-started.md")
    assert len(blocks) >= 5 and "pip install mkdocs-clarity" in blocks[0]
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    site = shutil.copytree(ROOT / "tests" / "fixtures" / "getting_started", tmp_path / "blog")
    env = {**os.environ, "PATH": f"{env_dir / 'bin'}{os.pathsep}{os.environ['PATH']}",
           "VIRTUAL_ENV": str(env_dir), "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    env.pop("PYTHONPATH", None)
    for block in blocks:
        # the one change from the page: the package comes from this checkout, not PyPI
        script = block.replace("pip install mkdocs-clarity", f"pip install -q {ROOT}")
        run = subprocess.run(["bash", "-euo", "pipefail", "-c", script], cwd=site, env=env,
                             capture_output=True, text=True)
        assert run.returncode == 0, f"$ {block}\n{run.stdout[-2000:]}\n{run.stderr[-2000:]}"
    index = (site / "site" / "index.html").read_text(encoding="utf-8")
    assert 'id="cc-banner"' in index
    assert 'http-equiv="Content-Security-Policy"' in index
    assert "https://www.clarity.ms" in index  # the CSP allows Clarity once granted ...
    assert 'type="text/plain"' in index       # ... and its loader waits for consent

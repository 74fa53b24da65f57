"""The README's vendor and host tables come from the registries (scripts/gen_reference.py):
a vendor or host module added without regenerating them fails here."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

from consent_generator.services import CUSTOM_ID, catalog
from mkdocs_clarity.hosts import hosts

ROOT = Path(__file__).resolve().parents[2]


def gen_reference():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("gen_reference", ROOT / "scripts" / "gen_reference.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("gen_reference", module)
    spec.loader.exec_module(module)
    return module


def test_readme_tables_are_what_the_registries_say():
    readme = (ROOT / "README.md").read_text("utf-8")
    assert gen_reference().readme_text(readme) == readme, "run 'make reference'"


def test_every_vendor_and_host_has_a_readme_row():
    readme = (ROOT / "README.md").read_text("utf-8")
    for sid in catalog():
        assert (f"| `{sid}` |" in readme) == (sid != CUSTOM_ID), sid
    for delivery, host in hosts().items():
        assert f"| `{delivery}` | `{host.file}` |" in readme


def test_a_stale_table_is_rewritten():
    readme = (ROOT / "README.md").read_text("utf-8")
    stale = readme.replace("| `youtube` |", "| `youtube-old` |")
    assert stale != readme and gen_reference().readme_text(stale) == readme

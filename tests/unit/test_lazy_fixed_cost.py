"""What a build never needs is not made (issue 15, fixed cost): checked by what was made,
never by time."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from mkdocs_clarity.engine import scan

ROOT = Path(__file__).resolve().parents[2]


def _fresh(code: str) -> Any:
    """The JSON ``code`` prints, run in a new interpreter on this checkout's packages."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, (str(ROOT), env.get("PYTHONPATH"))))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, env=env).stdout
    return json.loads(out)


def test_own_script_and_iframe_urls_compile_no_detect_pattern() -> None:
    scan.detect_table.cache_clear()
    page = ('<html><head><script src="js/app.js"></script></head><body>'
            '<iframe src="embed/map.html"></iframe><script src="/x.js"></script></body></html>')
    found = scan.scan_page(page, "p.html")
    assert found.trackers == ()
    assert scan.detect_table.cache_info().misses == 0


def test_a_vendor_url_still_reads_the_detect_patterns() -> None:
    scan.detect_table.cache_clear()
    page = ('<html><head><script async src="https://www.googletagmanager.com/gtag/js?id=G-X1">'
            '</script></head><body><iframe src="https://www.youtube.com/embed/abc"></iframe>'
            '</body></html>')
    found = scan.scan_page(page, "p.html")
    assert [(t.service, t.kind) for t in found.trackers] == [
        ("google-analytics", "script-src"), ("youtube", "iframe")]
    assert scan.detect_table.cache_info().misses == 2


LAZY_PATTERNS = {
    "consent_generator.csp_sources": ("_host_source",),
    "consent_generator.csp_vocabulary": ("_hash_source", "scheme_source", "any_host"),
    "consent_generator.policy": ("_cookie_token", "_hostname", "_category_id", "_lang_tag",
                                 "_report_group"),
    "mkdocs_clarity.engine.embeds": ("_literal", "_loads", "_fetched"),
    "mkdocs_clarity.engine.siteurl": ("_link", "_attr", "_loc"),
    "mkdocs_clarity.engine.urls": ("_css_load", "_css_string_or_paren", "_font_face",
                                   "_css_escape", "_css_comment", "_refresh"),
    "mkdocs_clarity.themes.analytics": ("_gtag_src",),
    "mkdocs_clarity.themes.material": ("_github", "_gitlab", "_mermaid_url"),
    "mkdocs_clarity.themes.math": ("_url",),
}


NOT_IMPORTED = frozenset({"mkdocs_clarity.engine.onepage", "mkdocs_clarity.engine.scan_rare"})
"""Modules no build needs (their dataclasses cost ~0.5 ms each to create)."""


def test_importing_the_engine_leaves_rare_paths_alone() -> None:
    """The engine's import (``plugin.load_engine``, every build) leaves the patterns of rare
    paths uncompiled and the modules no build needs unimported, in a fresh interpreter: a
    module-level use would compile or import them again."""
    code = ("import importlib, json, sys\n"
            "from mkdocs_clarity.plugin import load_engine\n"
            "load_engine()\n"
            f"lazy = {LAZY_PATTERNS!r}\n"
            "print(json.dumps([sorted(m for m in sys.modules if m in "
            f"{sorted(NOT_IMPORTED)!r}), {{f'{{m}}.{{n}}': getattr(importlib.import_module(m), n)"
            ".cache_info().currsize for m, names in lazy.items() for n in names}]))\n")
    imported, compiled = _fresh(code)
    assert imported == []
    assert len(compiled) == sum(map(len, LAZY_PATTERNS.values()))
    assert {name for name, size in compiled.items() if size} == set()


def test_each_lazy_pattern_compiles_once() -> None:
    import importlib
    import re

    for module, names in LAZY_PATTERNS.items():
        for name in names:
            getter = getattr(importlib.import_module(module), name)
            assert isinstance(getter(), re.Pattern) and getter() is getter()


def test_a_material_page_imports_no_other_theme_profile() -> None:
    """Recognising a Material page stops at the Material profile, so the mkdocs and
    readthedocs profiles are not imported (in a fresh interpreter); a page of those themes
    still gets its profile (``test_themes``)."""
    page = ROOT / "tests" / "fixtures" / "scan" / "material-page.html"
    code = ("import json, sys\n"
            "from mkdocs_clarity.themes import page_claims, page_facts\n"
            f"text = open({str(page)!r}, encoding='utf-8').read()\n"
            "facts = sorted(page_facts(text)); page_claims(text)\n"
            "print(json.dumps([facts, sorted(m for m in sys.modules "
            "if m.startswith('mkdocs_clarity.themes.'))]))\n")
    facts, imported = _fresh(code)
    assert "theme:material" in facts
    assert "mkdocs_clarity.themes.mkdocs" not in imported
    assert "mkdocs_clarity.themes.readthedocs" not in imported
    assert "mkdocs_clarity.themes.material" in imported

"""What the plugin must not pay for again, and must not skip (issue 15).

No timing here (bench/ prints the figures): these pin down the behaviour the speed relies
on. The policy is validated once per content of consent.yml across ``mkdocs serve``
rebuilds, and any change of its bytes is seen; importing the plugin or loading a plain
policy imports no DOM library.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from consent_generator.model import Policy
from consent_generator.policy import PolicyError, load_policy
from mkdocs_clarity.engine.masking import compile_masking
from mkdocs_clarity.engine.site import renderer_for
from mkdocs_clarity.plugin import _load_policy_cached


class CountingLoad:
    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, path: Path) -> Policy:
        self.calls += 1
        return load_policy(path)


POLICY = "mode: opt-in\nmasking: {mode: balanced, mask: ['.account']}\n"


def test_policy_cached_while_its_bytes_are_unchanged(tmp_path):
    path = tmp_path / "consent.yml"
    path.write_text(POLICY)
    load = CountingLoad()
    first = _load_policy_cached(path, load, compile_masking)
    again = _load_policy_cached(path, load, compile_masking)
    assert again is first
    assert load.calls == 1
    assert renderer_for(again) is renderer_for(first)


def test_policy_cache_invalidated_when_consent_yml_changes(tmp_path):
    path = tmp_path / "consent.yml"
    path.write_text(POLICY)
    load = CountingLoad()
    first = _load_policy_cached(path, load, compile_masking)
    old_renderer = renderer_for(first)
    # Same size, same second: only the bytes tell the difference.
    path.write_text(POLICY.replace("opt-in", "opt-ou"))
    with pytest.raises(PolicyError, match="opt-ou"):  # the new bytes were validated
        _load_policy_cached(path, load, compile_masking)
    path.write_text(POLICY.replace("opt-in", "notice"))
    changed = _load_policy_cached(path, load, compile_masking)
    assert changed.mode == "notice" and first.mode == "opt-in"
    assert load.calls == 3
    assert renderer_for(changed) is not old_renderer
    assert renderer_for(changed).policy is changed


def test_bad_selector_still_reported_with_file_and_line_through_the_cache(tmp_path):
    path = tmp_path / "consent.yml"
    path.write_text("masking:\n  mask: ['table', 'div[']\n")
    with pytest.raises(PolicyError) as err:
        _load_policy_cached(path, load_policy, compile_masking)
    assert f"{path}:2:" in str(err.value)
    assert "invalid CSS selector 'div['" in str(err.value)


def test_importing_the_plugin_imports_no_dom_library():
    code = ("import sys\n"
            "import mkdocs_clarity.plugin\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in "
            "('bs4', 'soupsieve', 'multiprocessing')))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]"


def test_the_engine_a_build_loads_imports_no_dom_library_and_no_pool():
    """``load_engine`` imports what every build runs; a DOM library only comes with a
    selector that needs it, the process pool only with a site large enough for one."""
    code = ("import sys\n"
            "import mkdocs_clarity.plugin as plugin\n"
            "plugin.load_engine()\n"
            "print(all(m in sys.modules for m in plugin.ENGINE_MODULES))\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in "
            "('bs4', 'soupsieve', 'multiprocessing', 'concurrent', 'difflib')))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.split("\n")[:2] == ["True", "[]"]


def test_evaluator_highs_follow_the_policy_text_through_the_cache():
    """Kept by the CSP's text across serve rebuilds; a changed CSP is checked again."""
    from mkdocs_clarity.engine.csp import Csp, evaluator_highs
    from mkdocs_clarity.engine.cspcheck import evaluate

    strict = Csp.parse("script-src 'self'; object-src 'none'; base-uri 'self'")
    weak = Csp.parse("script-src 'self' 'unsafe-inline'; object-src 'none'; base-uri 'self'")
    assert evaluator_highs(strict) == evaluator_highs(strict) == ()
    highs = evaluator_highs(weak)
    assert highs and "'unsafe-inline'" in highs[0]
    assert len(highs) == sum(f.severity == "high" for f in evaluate(weak.serialize()))
    assert evaluator_highs(strict) == ()

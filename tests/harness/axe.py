"""axe-core in Chromium: inject the library and return its violations for a part of the page.

axe-core comes from ``make node-deps`` (tests/.node/node_modules/axe-core). Injecting a
script is itself blocked by a strict CSP, so callers use a context created with
``bypass_csp=True`` for accessibility tests only; every other test keeps the CSP on.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

AXE_JS = Path(__file__).resolve().parents[1] / ".node" / "node_modules" / "axe-core" / "axe.min.js"

_RUN = """async (include) => {
  for (const sel of include)
    if (!document.querySelector(sel)) throw new Error('axe: nothing matches ' + sel);
  const result = await window.axe.run({include: include}, {resultTypes: ['violations']});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => n.target.join(' ') + ': ' + (n.failureSummary || '')),
  }));
}"""


@cache
def axe_source() -> str:
    if not AXE_JS.exists():
        pytest.fail(f"axe-core not found at {AXE_JS}: run `make node-deps`")
    return AXE_JS.read_text(encoding="utf-8")


def run_axe(page, include: list[str]) -> list[dict]:
    """All axe violations inside the elements matched by the ``include`` selectors."""
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(axe_source())
    return page.evaluate(_RUN, include)


def serious(violations: list[dict]) -> list[dict]:
    """Only what the project treats as blocking: impact serious or critical."""
    return [v for v in violations if v["impact"] in ("serious", "critical")]

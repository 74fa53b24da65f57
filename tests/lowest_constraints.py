"""Print pip constraints pinning every runtime dependency to the lowest version pyproject allows.

``make test-lowest`` installs the package with these constraints (``pip install -c``) into its
own virtualenv and runs the unit and build tests there, so the ranges in ``pyproject.toml`` are
true: a lower bound that does not work fails that job, and gets raised. Only the direct runtime
dependencies are pinned (what ``pip install mkdocs-clarity`` may pick); their own dependencies
and the test tools resolve as usual. Every runtime dependency must have a ``>=`` lower bound.

Usage: python tests/lowest_constraints.py [pyproject.toml] > constraints.txt
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

# name, optional [extras], version specifiers, optional "; marker" (PEP 508, the subset a
# pyproject dependency list uses; plain Python so this runs before any venv exists).
_REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*([^;]*)(;.*)?$")


def lowest_pins(pyproject: Path) -> list[str]:
    """``name==lower`` for each entry of ``[project].dependencies`` (environment markers kept)."""
    project = tomllib.loads(pyproject.read_text("utf-8"))["project"]
    pins = []
    for text in project["dependencies"]:
        match = _REQUIREMENT.match(text)
        specs = [s.strip() for s in match.group(2).split(",")] if match else []
        lower = [s[2:].strip() for s in specs if s.startswith((">=", "==", "~="))]
        if match is None or len(lower) != 1:
            sys.exit(f"{pyproject}: dependency {text!r} needs exactly one lower bound (>=)")
        pins.append(f"{match.group(1)}=={lower[0]}{match.group(3) or ''}")
    return pins


def main() -> None:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parents[1] / "pyproject.toml"
    print("\n".join(lowest_pins(path)))


if __name__ == "__main__":
    main()

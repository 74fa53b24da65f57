"""Things made on first use: a package's public names (PEP 562) and compiled patterns.

Both packages export their public API from ``__init__`` without importing it there: the
command-line tools and the MkDocs plugin import ``consent_generator`` / ``mkdocs_clarity``
first, and the policy loader or the engine costs ~0.1 s to import.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from functools import cache, partial
from importlib import import_module
from typing import Any


def lazy_getattr(package: str, names: Mapping[str, tuple[str, str]]) -> Callable[[str], Any]:
    """A module ``__getattr__`` that imports ``names[name] = (module, attribute)`` on first use
    (``module`` may be relative to ``package``)."""

    def __getattr__(name: str) -> Any:
        if name not in names:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        module, attribute = names[name]
        return getattr(import_module(module, package), attribute)

    return __getattr__


def lazy_pattern(pattern: str, flags: int = 0) -> Callable[[], re.Pattern[str]]:
    """A function giving ``re.compile(pattern, flags)``, compiled on its first call and kept.

    Why: compiling is most of a regex's cost, and every ``mkdocs build`` imports the engine
    afresh; a pattern only a rare path reads (a key most policies leave out, a theme feature
    most sites lack) should not be compiled by every build (issue 15). The result is a
    ``functools.cache`` wrapper, so ``cache_info()`` tells whether it was ever compiled
    (``tests/unit/test_lazy_fixed_cost.py``)."""
    return cache(partial(re.compile, pattern, flags))

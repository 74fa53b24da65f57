"""Lazy public names for a package's ``__init__`` (PEP 562).

Both packages export their public API from ``__init__`` without importing it there: the
command-line tools and the MkDocs plugin import ``consent_generator`` / ``mkdocs_clarity``
first, and the policy loader or the engine costs ~0.1 s to import.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
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

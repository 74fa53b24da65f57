"""The service catalog: every module in this package that defines ``SERVICE`` is an entry.

Entries are discovered, not listed, so adding a vendor is one new module and nothing else.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache

from .model import ConsentSignal, Cookie, Detect, Embed, Gpc, IdCheck, Param, ServiceSpec

__all__ = [
    "ConsentSignal",
    "Cookie",
    "Detect",
    "Embed",
    "Gpc",
    "IdCheck",
    "Param",
    "ServiceSpec",
    "catalog",
    "get",
]

CUSTOM_ID = "custom"


@cache
def catalog() -> dict[str, ServiceSpec]:
    """All catalog entries by id, in a stable (alphabetical) order."""
    entries: dict[str, ServiceSpec] = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name.startswith("_") or info.name == "model":
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        spec = getattr(module, "SERVICE", None)
        if isinstance(spec, ServiceSpec):
            if spec.id in entries:
                raise RuntimeError(f"two catalog entries use the id {spec.id!r}")
            entries[spec.id] = spec
    return dict(sorted(entries.items()))


def get(service_id: str) -> ServiceSpec:
    """The catalog entry ``service_id``; KeyError if there is none."""
    return catalog()[service_id]

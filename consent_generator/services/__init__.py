"""The service catalog: every module in this package that defines ``SERVICE`` is an entry.

Entries are discovered, not listed, so adding a vendor is one new module and nothing else.
"""

from __future__ import annotations

import hashlib
import importlib
import pkgutil
from functools import cache

from .model import (
    ConsentSignal,
    Cookie,
    Detect,
    Embed,
    Gpc,
    IdCheck,
    InitQuestion,
    MaskMark,
    Param,
    ServiceSpec,
)

__all__ = [
    "CATALOG_VERSION",
    "ConsentSignal",
    "Cookie",
    "Detect",
    "Embed",
    "Gpc",
    "IdCheck",
    "InitQuestion",
    "MaskMark",
    "Param",
    "ServiceSpec",
    "catalog",
    "catalog_fingerprint",
    "get",
]

CUSTOM_ID = "custom"

CATALOG_VERSION = "2026.12.07"
"""When the vendor facts (hosts, cookies, snippets, consent signals) were last checked against
the vendors' documentation. Bump it, and say what changed in CHANGELOG.md, whenever an entry
changes; :func:`catalog_fingerprint` tells two catalogs apart even when someone forgot."""


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


@cache
def catalog_fingerprint() -> str:
    """Twelve hex digits of SHA-256 over every entry's ``repr`` (entries are frozen dataclasses
    of strings, tuples and dicts, so the ``repr`` is stable): a bug report's ``--version``
    line says exactly which vendor facts were in use."""
    text = "\n".join(repr(spec) for spec in catalog().values())
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]

"""The host formats: every module of this package that defines ``HOST`` is one.

Discovered, not listed (like ``consent_generator.services``), so adding a host is one new module
and its test. The only other place a delivery name appears is the policy's vocabulary,
``consent_generator.model.DELIVERIES``, which the consent package must know without importing
the engine; :func:`hosts` refuses a module whose name is not there, so the two cannot drift.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache

from consent_generator.model import DELIVERIES
from mkdocs_clarity.hosts.base import Host


@cache
def hosts() -> dict[str, Host]:
    """Every host format by delivery name, in the policy's order (``DELIVERIES``)."""
    found: dict[str, Host] = {}
    package = __name__.rsplit(".", 1)[0]
    for info in pkgutil.iter_modules(importlib.import_module(package).__path__):
        module = importlib.import_module(f"{package}.{info.name}")
        host = getattr(module, "HOST", None)
        if not isinstance(host, Host):
            continue
        if host.delivery in found:
            raise RuntimeError(f"two host modules use the delivery {host.delivery!r}")
        if host.delivery not in DELIVERIES:
            raise RuntimeError(f"{module.__name__}: delivery {host.delivery!r} is not in "
                               "consent_generator.model.DELIVERIES; add it there")
        found[host.delivery] = host
    return {d: found[d] for d in DELIVERIES if d in found}


def get(delivery: str) -> Host:
    """The host format named ``delivery``; KeyError if there is none."""
    return hosts()[delivery]


def files() -> dict[str, tuple[Host, ...]]:
    """Output file -> the host formats that read it (Netlify and Cloudflare share one)."""
    out: dict[str, tuple[Host, ...]] = {}
    for host in hosts().values():
        out[host.file] = (*out.get(host.file, ()), host)
    return out

"""consent_generator: the consent policy, the vendor catalog and the self-hosted consent runtime.

This package knows nothing of MkDocs: it turns ``consent.yml`` into a validated, immutable
:class:`~consent_generator.model.Policy` and renders what a page needs to ask for consent.
``mkdocs_clarity`` applies that to built HTML.

Public API (stable within a major version; everything else, importable or not, is internal
and may change in any release):

- :func:`load_policy` / :func:`parse_policy`: read and validate a policy, raising
  :class:`PolicyError` with every problem (file:line:column, key, fix);
- :class:`Policy`: the validated policy the engine consumes;
- :func:`catalog` / :func:`get_service`: the vendor catalog (:class:`ServiceSpec` entries) and
  :data:`CATALOG_VERSION`;
- :data:`__version__`.

The names are imported on first use, so ``import consent_generator`` stays cheap for the
command-line tools.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .__about__ import __version__
from .lazy import lazy_getattr

if TYPE_CHECKING:
    from .model import Policy
    from .policy import PolicyError, load_policy, parse_policy
    from .services import CATALOG_VERSION, ServiceSpec, catalog
    from .services import get as get_service

__all__ = [
    "CATALOG_VERSION",
    "Policy",
    "PolicyError",
    "ServiceSpec",
    "__version__",
    "catalog",
    "get_service",
    "load_policy",
    "parse_policy",
]

# Public name -> (module, attribute): the lazy form of the imports above.
_LAZY = {
    "Policy": (".model", "Policy"),
    "PolicyError": (".policy", "PolicyError"),
    "load_policy": (".policy", "load_policy"),
    "parse_policy": (".policy", "parse_policy"),
    "CATALOG_VERSION": (".services", "CATALOG_VERSION"),
    "ServiceSpec": (".services", "ServiceSpec"),
    "catalog": (".services", "catalog"),
    "get_service": (".services", "get"),
}


__getattr__ = lazy_getattr(__name__, _LAZY)

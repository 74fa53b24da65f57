"""mkdocs_clarity: applies a consent policy to built HTML (gating, strict CSP, Clarity masking).

The core works on built HTML so it serves MkDocs, its successors and any static-site
generator; ``plugin.py`` and ``cli.py`` are thin front ends to ``engine.site.apply_site``.

Public API (stable within a major version; every other module and name is internal and may
change in any release, even where it is importable):

- :func:`apply_site` and its :class:`SiteReport`: what ``mkdocs-clarity apply`` does;
- :func:`audit_site` and its :class:`AuditReport` (``to_json()`` is the stable report schema):
  what ``mkdocs-clarity audit`` does;
- :func:`load_policy`, :class:`Policy`, :class:`PolicyError`: the policy loader, re-exported
  from :mod:`consent_generator`, whose catalog (``consent_generator.catalog``) is public too;
- the MkDocs plugin, by its entry point name ``clarity``;
- :data:`__version__`.

The names are imported on first use, so ``import mkdocs_clarity`` stays cheap.

Example::

    from mkdocs_clarity import apply_site, load_policy

    report = apply_site("site/", load_policy("consent.yml"))
    print(report.pages_changed, "pages changed")
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from consent_generator.__about__ import __version__
from consent_generator.lazy import lazy_getattr

if TYPE_CHECKING:
    from consent_generator.model import Policy
    from consent_generator.policy import PolicyError, load_policy
    from mkdocs_clarity.audit import AuditReport, audit_site
    from mkdocs_clarity.engine.site import SiteReport, apply_site

__all__ = [
    "AuditReport",
    "Policy",
    "PolicyError",
    "SiteReport",
    "__version__",
    "apply_site",
    "audit_site",
    "load_policy",
]

# Public name -> (module, attribute): the lazy form of the imports above.
_LAZY = {
    "apply_site": (".engine.site", "apply_site"),
    "SiteReport": (".engine.site", "SiteReport"),
    "audit_site": (".audit", "audit_site"),
    "AuditReport": (".audit", "AuditReport"),
    "load_policy": ("consent_generator.policy", "load_policy"),
    "PolicyError": ("consent_generator.policy", "PolicyError"),
    "Policy": ("consent_generator.model", "Policy"),
}


__getattr__ = lazy_getattr(__name__, _LAZY)

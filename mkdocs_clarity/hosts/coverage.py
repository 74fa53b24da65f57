"""Which security headers each host format of a built site sends, and which it lacks.

For the audit: a reviewer sees the whole set per host (not only the CSP), with the host's own
documentation of the file, and what the ``<meta>`` delivery cannot carry at all.
"""

from __future__ import annotations

from typing import Any

from mkdocs_clarity.hosts.base import HeaderFile
from mkdocs_clarity.hosts.headerset import CSP, CSP_RO, HSTS, META_CANNOT, SECURITY_HEADERS
from mkdocs_clarity.hosts.registry import files

META_DOCS = ("https://html.spec.whatwg.org/multipage/semantics.html"
             "#attr-meta-http-equiv-content-security-policy")
"""HTML's list of http-equiv states: of these headers only the CSP exists as one."""


def _row(delivery: str, file: str, docs: str, hsts_note: str,
         values: dict[str, str]) -> dict[str, Any]:
    csp = CSP_RO if CSP_RO.lower() in values and CSP.lower() not in values else CSP
    expected = [csp if n == CSP else n for n in SECURITY_HEADERS]
    return {"delivery": delivery, "file": file, "docs": docs,
            "sends": [n for n in expected if n.lower() in values],
            "missing": [n for n in expected if n.lower() not in values],
            "hsts": hsts_note}


def security_headers(header_files: dict[str, dict[str, str]],
                     meta_policy: bool) -> list[dict[str, Any]]:
    """One row per host format whose file is in the site (``header_files`` as read back by
    :func:`.export.read_site_headers`), then one for ``<meta>`` when the pages carry a policy.

    Each row: ``delivery``, ``file``, ``docs`` (the host's documentation), ``sends`` and
    ``missing`` (header names), ``hsts`` (what the host does about HSTS itself); the meta row
    has ``cannot`` instead of ``missing``.
    """
    rows = []
    for name, readers in files().items():
        if name in header_files:
            rows += [_row(h.delivery, name, h.docs, h.hsts, header_files[name])
                     for h in readers]
    if meta_policy:
        rows.append({"delivery": "meta", "file": None, "docs": META_DOCS, "sends": [CSP],
                     "missing": [], "cannot": list(META_CANNOT),
                     "hsts": f"a <meta> cannot send {HSTS}: add a header delivery"})
    return rows


def hsts_line(header_files: list[HeaderFile]) -> str | None:
    """One line for the apply summary: the HSTS the written header files send, or why none
    (None without header files). Said out loud because its absence costs an https site its
    grade and is decided by something easy to miss: the site URL."""
    if not header_files:
        return None
    first = header_files[0]
    values = files()[first.path.name][0].read(first.content.decode("utf-8", "replace"))
    if HSTS.lower() in values:
        return f"{HSTS}: {values[HSTS.lower()]}"
    return (f"{HSTS}: not sent (it needs an https site URL: site_url / --site-url, or "
            "headers.hsts: on; or it is switched off with headers.hsts: off)")

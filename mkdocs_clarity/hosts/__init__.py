"""Header exports: the site-wide CSP and security headers, one module per static host.

==========  ============================  =============================================
delivery    file                          module
==========  ============================  =============================================
netlify     ``_headers``                  :mod:`.netlify` (owns the ``_headers`` format)
cloudflare  ``_headers``                  :mod:`.cloudflare` (adds Cloudflare's limits)
vercel      ``vercel.json``               :mod:`.vercel`
azure-swa   ``staticwebapp.config.json``  :mod:`.azure_swa`
nginx       ``nginx-headers.conf``        :mod:`.nginx`
apache      ``.htaccess``                 :mod:`.apache`
==========  ============================  =============================================

Shared: :mod:`.headerset` decides the headers (the same list for every host), :mod:`.base`
merges into a file the site already has, :mod:`.registry` finds the host modules and
:mod:`.export` writes and reads back. A host module owns its file name, rendering, reading
back, limits and escaping; adding a host is one module and its test.
"""

from __future__ import annotations

from mkdocs_clarity.hosts.base import HeaderExportError, HeaderFile, Host
from mkdocs_clarity.hosts.coverage import hsts_line, security_headers
from mkdocs_clarity.hosts.export import export, header_deliveries, read_site_headers
from mkdocs_clarity.hosts.headerset import (
    COMPANIONS,
    CORP,
    CSP,
    CSP_RO,
    HSTS,
    META_CANNOT,
    SECURITY_HEADERS,
    header_policy,
    header_set,
    hsts_value,
)
from mkdocs_clarity.hosts.registry import files, get, hosts

__all__ = [
    "COMPANIONS",
    "CORP",
    "CSP",
    "CSP_RO",
    "HSTS",
    "META_CANNOT",
    "SECURITY_HEADERS",
    "HeaderExportError",
    "HeaderFile",
    "Host",
    "export",
    "files",
    "get",
    "header_deliveries",
    "header_policy",
    "header_set",
    "hosts",
    "hsts_line",
    "hsts_value",
    "read_site_headers",
    "security_headers",
]

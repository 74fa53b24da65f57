"""The headers every host format sends: one set, decided here, written by each host module.

Why headers at all: a ``<meta>`` policy cannot carry ``frame-ancestors``, ``report-uri`` /
``report-to`` or ``sandbox`` and cannot be report-only, and no ``<meta>`` can send
Strict-Transport-Security or the other security headers below.

Defaults, and why:

- ``frame-ancestors 'self'`` unless ``csp.frame_ancestors`` says otherwise. Clickjacking a
  docs site means framing it on *another* origin (the consent banner's "Accept all" is the one
  click worth stealing); ``'self'`` stops that while leaving same-origin framing (embedded
  example pages, a site's own preview/print frames) working. ``'none'`` is one config line away.
- ``Strict-Transport-Security: max-age=31536000`` (one year) when the site is served over
  https (``headers.hsts``). Never for an http site: browsers ignore it there, and a site that
  says it is http has no certificate to pin visitors to. One year, not the six months that
  graders accept: the HSTS preload list asks for a year, so turning ``hsts_preload`` on needs
  no second change, and a rarely visited docs site stays covered between visits.
  ``includeSubDomains`` and ``preload`` only when the policy asks: they bind every subdomain
  of the site's domain (and, preloaded, every browser for months) and are hard to undo.
- ``Cross-Origin-Resource-Policy: same-origin`` (``headers.cross_origin_resource_policy``):
  other origins cannot embed the site's files in ``<img>``/``<script>``/``<link>``; the site
  itself is unaffected. Sites whose images are meant to be hotlinked choose ``cross-origin``.
- ``Referrer-Policy: strict-origin-when-cross-origin`` (the browsers' default, made explicit so
  an older browser or a page ``<meta>`` cannot widen it), ``X-Content-Type-Options: nosniff``,
  ``Permissions-Policy`` denying powerful features a docs site never uses plus Topics
  (``browsing-topics``; the retired ``interest-cohort`` is left out because Chromium logs an
  error for unknown features), ``Cross-Origin-Opener-Policy: same-origin`` (isolates the
  window from pages it opens; docs sites have no OAuth popups that need ``window.opener``).
"""

from __future__ import annotations

from typing import Protocol

from consent_generator.csp_vocabulary import OWN_KEY_DIRECTIVES
from consent_generator.model import CspConfig, HeadersConfig
from mkdocs_clarity.engine.csp import parse_directives
from mkdocs_clarity.hosts.base import HeaderExportError, Headers

CSP = "Content-Security-Policy"
CSP_RO = "Content-Security-Policy-Report-Only"
REPORTING_ENDPOINTS = "Reporting-Endpoints"
HSTS = "Strict-Transport-Security"
CORP = "Cross-Origin-Resource-Policy"

COMPANIONS: tuple[tuple[str, str], ...] = (
    ("Referrer-Policy", "strict-origin-when-cross-origin"),
    ("X-Content-Type-Options", "nosniff"),
    ("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=(), usb=(), "
                           "browsing-topics=()"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
)
SECURITY_HEADERS: tuple[str, ...] = (CSP, HSTS, *(n for n, _ in COMPANIONS), CORP)
"""The security headers a header delivery is expected to send (the audit's checklist)."""
META_CANNOT: tuple[str, ...] = (HSTS, *(n for n, _ in COMPANIONS), CORP)
"""Of those, what ``<meta http-equiv>`` cannot deliver: browsers honour only the CSP there
(and even that without frame-ancestors / report-uri / sandbox)."""
OWNED_NAMES = frozenset(n.lower() for n in (CSP, CSP_RO, REPORTING_ENDPOINTS, HSTS, CORP,
                                            *(n for n, _ in COMPANIONS)))
"""Header names the exports write (lower-cased: HTTP header names are case-insensitive)."""

DEFAULT_FRAME_ANCESTORS: tuple[str, ...] = ("'self'",)


class _Serializable(Protocol):
    def serialize(self) -> str: ...


def header_policy(csp: str | _Serializable, config: CspConfig) -> str:
    """The header form of the site policy: the meta policy plus what only headers can carry.

    ``frame-ancestors`` / ``report-uri`` / ``report-to`` (the vocabulary's
    ``OWN_KEY_DIRECTIVES``) come from the policy file, replacing any already in ``csp`` (the
    policy file is the one place they are configured). ``csp`` is read with the engine's
    tokenizer, keeping each source's spelling.
    """
    text = csp if isinstance(csp, str) else csp.serialize()
    kept = [" ".join((name, *sources)) for name, sources in parse_directives(text, str).items()
            if name not in OWN_KEY_DIRECTIVES]
    ancestors = config.frame_ancestors or DEFAULT_FRAME_ANCESTORS
    kept.append("frame-ancestors " + " ".join(ancestors))
    if config.report_uri:
        kept.append("report-uri " + config.report_uri)
    if config.report_to:
        kept.append("report-to " + config.report_to)
    return "; ".join(kept)


def conflicts(headers: Headers) -> dict[str, tuple[str, str]]:
    """Headers of ours that must not also be set by hand in the same file: header-name regex
    -> (what it is, why and the fix). A second CSP is enforced too; two HSTS values are
    invalid (graders and browsers then ignore HSTS)."""
    out = {r"content-security-policy(-report-only)?": (
        "a Content-Security-Policy", "both would be enforced and it would block the site's "
        "inline-script hashes. Remove it and add its sources under csp.extra in consent.yml")}
    if any(n == HSTS for n, _ in headers):
        out[r"strict-transport-security"] = (
            "Strict-Transport-Security", "both would be sent, and two values make HSTS "
            "invalid. Remove it and set headers.hsts_* in consent.yml, or keep yours with "
            "headers.hsts: off")
    return out


def hsts_value(config: HeadersConfig, https: bool | None) -> str | None:
    """The Strict-Transport-Security value to send, or None.

    ``https``: whether the site URL is https (None: unknown). ``hsts: auto`` sends it only for
    an https site URL; ``on`` also when the URL is unknown; ``off`` never. Never for an http
    site URL, whatever the policy says: browsers ignore it there, and ``mkdocs serve`` (which
    points site_url at http://127.0.0.1) must keep working with ``hsts: on``.
    """
    if config.hsts == "off" or https is False or (config.hsts == "auto" and https is None):
        return None
    parts = [f"max-age={config.hsts_max_age}"]
    if config.hsts_include_subdomains:
        parts.append("includeSubDomains")
    if config.hsts_preload:
        parts.append("preload")
    return "; ".join(parts)


def header_set(csp: str | _Serializable, config: CspConfig,
               headers: HeadersConfig | None = None, https: bool | None = None) -> Headers:
    """Every header we send, in a stable order: the CSP, reporting, HSTS, the companions,
    CORP. The same list goes to every host format."""
    headers = headers or HeadersConfig()
    name = CSP_RO if config.report_only else CSP
    out: Headers = [(name, header_policy(csp, config))]
    if config.report_to and config.report_uri:
        # report-to names a group; Reporting-Endpoints maps it to a URL. With report_uri given
        # we declare the group there, so Chromium (report-to) and Firefox/Safari (report-uri)
        # report to the same place. Without it the host must declare the group itself.
        out.append((REPORTING_ENDPOINTS, f'{config.report_to}="{config.report_uri}"'))
    hsts = hsts_value(headers, https)
    if hsts:
        out.append((HSTS, hsts))
    out.extend(COMPANIONS)
    out.append((CORP, headers.cross_origin_resource_policy))
    for hname, value in out:
        if any(c in value for c in "\r\n\0"):
            raise HeaderExportError(f"header {hname} would contain a line break: {value!r}; "
                                    "check csp.extra / report_uri / report_to in the policy")
    if '"' in out[0][1]:
        raise HeaderExportError(f"the policy contains a double quote, which no CSP source "
                                f"can: {out[0][1]!r}; check csp.extra in the policy")
    return out

"""Unknown third-party embeds: named, gated, allowed once granted, never silently broken.

A pasted Disqus thread (an inline loader that adds ``https://SITE.disqus.com/embed.js``), a
CDN script, a third-party frame or image that no catalog service, no custom service of the
policy and no theme profile (:func:`mkdocs_clarity.themes.page_claims`) claims used to be
either left live before consent (a ``<script src>``) or blocked by the CSP even after "Accept
all" (the Disqus loader). Now the scan reports it as a tracker of the pseudo-service
:data:`THIRD_PARTY` (page, line, exact URLs and the directive each loads under), and:

- the rewrite gates it into ``unknown_embeds.category`` (``marketing`` by default) like any
  vendor, or, with ``unknown_embeds: error``, stops the build naming page:line and the
  ``services:`` entry to paste (:func:`resolve`);
- the site CSP allows each URL *exactly* (:func:`exact_source`), so it works once granted and
  nothing else from its host does;
- the audit lists it with the same ready-to-paste entry ``init --from`` prints
  (:func:`consent_generator.discover_report.service_entry`).

A custom service in the policy whose ``csp`` sources cover the URL claims it: the embed is
gated into that service's category under its key (so the banner lists it by name).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from consent_generator.lazy import lazy_pattern
from consent_generator.model import Policy, ServiceConfig
from mkdocs_clarity.engine.urls import url_parts

THIRD_PARTY = "third-party"
"""The service id the scan gives an unclaimed third-party load."""


KIND_DIRECTIVE = {"script-src": "script-src", "iframe": "frame-src"}
"""The directive of a tracker kind whose directive is fixed; a resource carries its own."""


_literal = lazy_pattern(r"""["'`]((?:https?:)?//[A-Za-z0-9][A-Za-z0-9.-]*(?::\d+)?"""
                        r"""(?:[/?#][^"'`\s\\]*)?)["'`]""")
"""An absolute URL in a script's string literal. This and the other patterns here are
compiled on first need: most sites' inline scripts load nothing third-party (issue 15)."""


_loads = lazy_pattern(r"createElement|\.src\b|fetch\(|import\(|XMLHttpRequest|sendBeacon|"
                      r"new\s+Image|document\.write|appendChild|insertBefore|\.append\(")
"""A script that can make the browser load something. Without one, a URL in a script is a
link or a label (``location.href = …`` navigates; that is no embed)."""


_EXT = {".js": "script-src", ".mjs": "script-src", ".css": "style-src", ".png": "img-src",
        ".jpg": "img-src", ".jpeg": "img-src", ".gif": "img-src", ".svg": "img-src",
        ".webp": "img-src", ".woff2": "font-src", ".woff": "font-src", ".json": "connect-src"}


_fetched = lazy_pattern(r"(?:fetch|sendBeacon|\.open|EventSource|WebSocket)\s*\([^()]{0,40}$")


def script_literals(text: str) -> list[tuple[str, str]]:
    """(URL, directive) of each absolute URL literal in an inline script that loads something
    (see :func:`_loads`): the directive it is fetched under (:func:`literal_directive`)."""
    if "//" not in text or not _loads().search(text):
        return []
    out: dict[str, str] = {}
    for m in _literal().finditer(text):
        before = text[max(0, m.start() - 60):m.start()]
        out.setdefault(m.group(1), "connect-src" if _fetched().search(before)
                       else literal_directive(m.group(1), text))
    return list(out.items())


def page_policy_allows(policy_text: str, directive: str, url: str) -> bool:
    """Whether a page's own ``<meta>`` CSP (in its ``<head>``, the site author's) names
    ``url`` for ``directive`` by a host or path source: the author allowed that third party
    explicitly, so it is theirs, not an unknown embed. A source the site's merge drops
    (:func:`~consent_generator.csp_vocabulary.weakening`: a host in ``base-uri``) claims
    nothing: the site policy will not allow it."""
    from consent_generator.csp_vocabulary import FETCH_FALLBACKS, weakening

    for one in policy_text.split(","):
        directives: dict[str, list[str]] = {}
        for part in one.split(";"):
            tokens = part.split()
            if tokens:
                directives.setdefault(tokens[0].lower(), tokens[1:])
        for name in (directive, *FETCH_FALLBACKS.get(directive, ())):
            if name in directives:
                if any(weakening(name, s) is None and source_matches(s, url)
                       for s in directives[name]):
                    return True
                break
    return False


def literal_directive(url: str, script: str) -> str:
    """The directive a URL named in a loader script is fetched under: by its file extension,
    else a frame when the script builds one, else a script (what embed loaders add)."""
    path = url_parts(url).path.lower()
    for ext, directive in _EXT.items():
        if path.endswith(ext):
            return directive
    return "frame-src" if re.search(r"""createElement\(\s*["']iframe""", script, re.I) \
        else "script-src"


def exact_source(url: str) -> str:
    """The CSP source allowing ``url`` and nothing else from its host: scheme, host, port and
    path (CSP ignores the query; ``;`` and ``,`` would end the directive or the policy)."""
    parts = url_parts(url)
    origin = f"{parts.scheme}://{parts.host_port}"
    path = parts.path or "/"
    return origin + path.replace(";", "%3B").replace(",", "%2C")


def service_key(url: str) -> str:
    """The key a custom service for ``url`` gets (and the ``data-consent-service`` of the
    gated element, so pasting the suggested entry keeps the page's markup): its host."""
    host = url_parts(url).host or "embed"
    return re.sub(r"[^a-z0-9]+", "-", host).strip("-")


@dataclass(frozen=True)
class Decision:
    """Where one unknown embed goes under a policy."""

    key: str
    """``data-consent-service``: a custom service's key, else :func:`service_key`."""
    category: str
    name: str
    claimed: ServiceConfig | None = None
    """The policy's custom service that claims it (its ``csp`` covers the URL)."""
    error: str | None = None
    """Why the build stops (``unknown_embeds: error``, or an undefined category)."""


def claimed_by(policy: Policy, url: str) -> ServiceConfig | None:
    """The custom service of ``policy`` whose CSP sources cover ``url`` (any directive)."""
    for svc in policy.services:
        if svc.is_custom and any(source_matches(s, url) for sources in svc.csp.values()
                                 for s in sources):
            return svc
    return None


# A host source is ``[scheme "://"] host [":" port] [path]`` (CSP3 §2.3.1): without the ``//``
# the scheme group would read ``cdn.example.com:443`` as scheme ``cdn.example.com``.
_SOURCE = re.compile(r"(?:(?P<scheme>[a-z][a-z0-9+.-]*)://)?(?P<host>\*|(?:\*\.)?"
                     r"[a-z0-9.-]+)(?::(?P<port>\d+|\*))?(?P<path>/[^?#]*)?$", re.I)


_DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}


def source_matches(source: str, url: str) -> bool:
    """Whether the CSP host source ``source`` allows ``url`` (CSP §6.7.2.8, enough for the
    host and path sources a policy names; keywords and schemes never claim an embed)."""
    m = _SOURCE.match(source)
    if m is None or source.startswith("'") or m.group("host") == "*":
        return False
    parts = url_parts(url)
    scheme, host = parts.scheme, parts.host
    want_scheme = (m.group("scheme") or "").lower()
    if want_scheme and want_scheme != scheme and not (want_scheme == "http" and scheme == "https"):
        return False
    pattern = m.group("host").lower()
    if not (host == pattern or (pattern.startswith("*.") and host.endswith(pattern[1:]))):
        return False
    port = m.group("port")
    if port is None:  # the scheme's default port only (a URL's default port is dropped)
        if parts.port is not None:
            return False
    elif port != "*" and str(parts.port or _DEFAULT_PORTS.get(scheme)) != port:
        return False
    path = m.group("path")
    if not path or path == "/":
        return True
    return parts.path.startswith(path) if path.endswith("/") else parts.path == path


def resolve(policy: Policy, url: str, where: str, what: str,
            directive: str = "script-src") -> Decision:
    """The decision for an unclaimed load of ``url`` at ``where`` (``page:line``)."""
    svc = claimed_by(policy, url)
    if svc is not None:
        return Decision(svc.key, svc.category, svc.spec.name, svc)
    host = url_parts(url).host or url
    key, setting = service_key(url), policy.unknown_embeds
    if setting.error:
        return Decision(key, setting.category, host, error=(
            f"{where}: {what} loads {url}, a third party no catalog service, custom service "
            "or theme claims (unknown_embeds: error). Declare it in consent.yml under "
            f"services (fill in its cookies), or remove it:\n{suggested_entry(url, directive)}"))
    if not any(c.id == setting.category for c in policy.categories):
        ids = ", ".join(c.id for c in policy.categories if not c.required)
        return Decision(key, setting.category, host, error=(
            f"{where}: {what} loads {url}, an unknown third party, which would be gated into "
            f"{setting.category!r}, but consent.yml defines no such category: set "
            f"unknown_embeds: {{category: <one of {ids}>}} or declare it under services"))
    return Decision(key, setting.category, host)


def suggested_entry(url: str, directive: str, category: str = "marketing",
                    indent: str = "    ") -> str:
    """The ``services:`` entry to paste for it (the one renderer ``init --from`` uses):
    its origin under the directive it loads with, so the entry claims it."""
    from consent_generator.discover_report import service_entry

    return service_entry(url, directive, category=category, indent=indent)


def directive_of(loads: tuple[tuple[str, str], ...]) -> str:
    """The directive of a tracker's first load (a resource hint has none: connect-src)."""
    return loads[0][0] if loads else "connect-src"


# --------------------------------------------------------------------------------------------
# Style sheets, style attributes and SVG references
# --------------------------------------------------------------------------------------------

UNHELD_FIX = {
    "style-attr": "a style attribute cannot be held until consent without hiding its element: "
                  "self-host the file, or move the rule into a <style> block (held until "
                  "consent like any unknown embed)",
    "svg": "SVG has no inert holder (a <template> inside <svg> is not inert): self-host the "
           "file, or use an HTML <img> outside the <svg> (held until consent)",
    "svg-use": "browsers never load a <use> reference from another origin, whatever the CSP "
               "says: self-host the file",
    "style": "SVG has no inert holder (a <template> inside <svg> is not inert): self-host the "
             "file, or move the <style> out of the <svg> (held until consent)",
    "base": "a <base href> re-targets every relative URL of the page (scripts, styles, links) "
            "and nothing can hold it until consent: remove the <base>, or point it at the "
            "site itself (a relative href such as \"/\")",
}
"""Why each form of unknown embed no holder can keep inert cannot be gated, and the fix."""


def unheld_verdict(policy: Policy, url: str, directive: str, kind: str, where: str,
                   what: str) -> tuple[str, str] | None:
    """("warning" | "error", message) for an unknown embed no holder can keep inert
    (``kind``: a key of :data:`UNHELD_FIX`), None when the policy allows it on purpose.

    The CSP blocks it unless the author allowed it: ``csp.extra`` naming it is that choice
    (it then loads before consent, as the author wrote); a custom service claiming it is a
    declared vendor that would load before consent, so, as for catalog vendors, the build
    stops; so it does under ``unknown_embeds: error``; otherwise a loud warning."""
    from consent_generator.csp_vocabulary import FETCH_FALLBACKS, weakening

    extra = policy.csp.extra
    for name in (directive, *FETCH_FALLBACKS.get(directive, ())):
        if name in extra:
            if kind != "svg-use" and any(weakening(name, s) is None and source_matches(s, url)
                                         for s in extra[name]):
                return None
            break
    fix = UNHELD_FIX[kind]
    svc = claimed_by(policy, url)
    if svc is not None:
        return "error", (f"{where}: {what} loads {url} from {svc.spec.name} (custom service "
                         f"{svc.key}) before consent and cannot be gated: {fix}")
    head = (f"{where}: unknown third-party embed that cannot be gated: {what} loads {url}, "
            "which the CSP blocks (it never loads, before or after consent)")
    if kind == "base":
        head = (f"{where}: off-site {what} {url}, a third party no catalog service, custom "
                "service or theme claims, which the CSP (base-uri 'self') makes browsers ignore")
    if policy.unknown_embeds.error:
        return "error", f"{head} (unknown_embeds: error). Fix: {fix}"
    source = exact_source(url)
    allow = (f"; or, if it may load before consent, allow it under csp.extra: "
             f"{{{directive}: [{source}]}}") if kind != "svg-use" and \
        weakening(directive, source) is None else ""
    return "warning", f"{head}. Fix: {fix}{allow}"

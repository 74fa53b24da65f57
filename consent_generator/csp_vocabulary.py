"""The one home of the CSP vocabulary: directive names, keywords, fallbacks, what a ``<meta>``
cannot carry, what weakens a policy, and the few rules that follow from them (how sources
union, which directive an absent one falls back to, how a keyword is spelled).

Before this module the same facts lived in four places (``csp_sources``, the engine's
``csp``, ``cspcheck``, the header exports) with sets that disagreed, so a source one module
refused another merged. Every user imports from here: the policy validator
(:mod:`.csp_sources`), the site CSP builder (``mkdocs_clarity.engine.csp``), the CSP
Evaluator port (``engine.cspcheck``, which derives the evaluator's word lists from these), the
header exports (``mkdocs_clarity.hosts.headerset``), the audit and verify.
``tests/unit/test_shape.py`` fails when a module defines a list of CSP words of its own.
It lives in ``consent_generator`` because the validator needs it and must not depend on the
MkDocs engine.
"""
from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Container, Iterable, Mapping

from .lazy import lazy_pattern

FETCH_FALLBACKS: Mapping[str, tuple[str, ...]] = {
    # CSP3 "directive fallback list": the effective sources of a fetch directive that is absent.
    "script-src-elem": ("script-src", "default-src"),
    "script-src-attr": ("script-src", "default-src"),
    "script-src": ("default-src",),
    "style-src-elem": ("style-src", "default-src"),
    "style-src-attr": ("style-src", "default-src"),
    "style-src": ("default-src",),
    "worker-src": ("child-src", "script-src", "default-src"),
    "frame-src": ("child-src", "default-src"),
    "child-src": ("default-src",),
    "connect-src": ("default-src",),
    "font-src": ("default-src",),
    "img-src": ("default-src",),
    "manifest-src": ("default-src",),
    "media-src": ("default-src",),
    "object-src": ("default-src",),
}

FETCH_DIRECTIVES: tuple[str, ...] = (
    "default-src", "script-src", "script-src-elem", "script-src-attr", "style-src",
    "style-src-elem", "style-src-attr", "img-src", "font-src", "connect-src", "media-src",
    "object-src", "frame-src", "child-src", "worker-src", "manifest-src", "fenced-frame-src",
)
"""Directives whose value is a source list and that a page can load resources through."""

NAVIGATION_DIRECTIVES: tuple[str, ...] = ("base-uri", "form-action", "frame-ancestors")
SOURCE_LIST_DIRECTIVES: tuple[str, ...] = FETCH_DIRECTIVES + NAVIGATION_DIRECTIVES
VALUELESS_DIRECTIVES: tuple[str, ...] = ("upgrade-insecure-requests",)
OTHER_DIRECTIVES: tuple[str, ...] = (
    "sandbox", "report-uri", "report-to", "block-all-mixed-content", "require-trusted-types-for",
    "trusted-types", "plugin-types", "prefetch-src", "navigate-to", "webrtc",
)
"""Real directives that are not a source list; ``csp.extra`` does not take them."""

KNOWN_DIRECTIVES: tuple[str, ...] = SOURCE_LIST_DIRECTIVES + VALUELESS_DIRECTIVES + \
    OTHER_DIRECTIVES

RETIRED_DIRECTIVES: tuple[str, ...] = ("disown-opener", "referrer", "reflected-xss",
                                       "require-sri-for")
"""Directives of earlier drafts that browsers dropped: unknown to us (a policy may not use
them), but still named by Google's CSP Evaluator, which flags them as deprecated."""

SERIALIZE_ORDER: tuple[str, ...] = (
    "default-src", "script-src", "script-src-elem", "script-src-attr", "style-src",
    "style-src-elem", "style-src-attr", "img-src", "font-src", "connect-src", "media-src",
    "manifest-src", "worker-src", "child-src", "frame-src", "object-src", "base-uri",
    "form-action", "frame-ancestors", "upgrade-insecure-requests", "require-trusted-types-for",
    "trusted-types", "report-uri", "report-to",
)
"""The order policies are written in (others follow, sorted): equal policies give equal bytes,
which keeps a rebuild idempotent, and the reader finds the script rules first."""

META_FORBIDDEN = frozenset({"frame-ancestors", "report-uri", "report-to", "sandbox"})
"""Directives a ``<meta http-equiv>`` policy cannot carry (CSP3 §3.3): header outputs only."""

OWN_KEY_DIRECTIVES: Mapping[str, str] = {
    "frame-ancestors": "csp.frame_ancestors",
    "report-uri": "csp.report_uri",
    "report-to": "csp.report_to",
}
"""Directives ``consent.yml`` sets through a key of their own (not ``csp.extra``), which the
header deliveries write in place of any already in a policy. All are header-only."""

SUBDIRECTIVE_PARENT: Mapping[str, str] = {
    d: fallbacks[0] for d, fallbacks in FETCH_FALLBACKS.items() if d.endswith(("-elem", "-attr"))
}
"""``script-src-elem`` -> ``script-src`` and the like: the directive a violation report's
``-elem`` / ``-attr`` name is written under in a policy."""

SCRIPT_DIRECTIVES = frozenset({"script-src", "script-src-elem", "script-src-attr"})
"""Directives that name which scripts run."""

SCRIPT_GOVERNING = SCRIPT_DIRECTIVES | {"default-src"}
"""Script directives plus their fallback: a source here can decide whether a script runs."""

GUARDED_DIRECTIVES = SCRIPT_GOVERNING | {"object-src", "base-uri", "worker-src"}
"""Where a page's own policy or ``consent.yml`` may never widen the site's policy to "anything"
(``*``, a bare scheme, an unsafe keyword, a nonce): each of these is a script-injection path
(plugins, a ``<base>`` that re-targets every relative script URL, workers run script)."""

TRUSTED_TYPES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("require-trusted-types-for", ("'script'",)),
    ("trusted-types", ("default", "dompurify")),
)
"""What ``csp.trusted_types: true`` adds. ``default`` is the consent guard's policy;
``dompurify`` is the policy Mermaid's bundled DOMPurify creates (measured with Material +
Mermaid: without it DOMPurify's createPolicy is a violation)."""

KEYWORDS = frozenset({
    "'self'", "'none'", "'unsafe-inline'", "'unsafe-eval'", "'unsafe-hashes'",
    "'strict-dynamic'", "'report-sample'", "'wasm-unsafe-eval'", "'inline-speculation-rules'",
    "'unsafe-allow-redirects'",
})
RETIRED_KEYWORDS = frozenset({"'wasm-eval'", "'unsafe-hashed-attributes'", "'block'", "'allow'"})
"""Keywords of earlier drafts ('wasm-eval' became 'wasm-unsafe-eval', 'unsafe-hashed-attributes'
became 'unsafe-hashes'): not ours to accept, still valid for Google's CSP Evaluator."""
UNSAFE_SCRIPT_KEYWORDS = frozenset({"'unsafe-inline'", "'unsafe-eval'", "'unsafe-hashes'"})
SCHEME_ONLY_WEAKENING = frozenset({"http:", "https:", "data:", "blob:", "filesystem:"})
"""Scheme sources that allow any host: ``https:`` in script-src is "any script on the web"."""

HASH_LENGTHS: Mapping[str, int] = {"sha256": 32, "sha384": 48, "sha512": 64}
"""Digest bytes per hash algorithm: a hash source of another length can never match."""
HASH_ALGORITHMS: tuple[str, ...] = tuple(HASH_LENGTHS)


_hash_source = lazy_pattern(
    rf"'({'|'.join(HASH_ALGORITHMS)})-([A-Za-z0-9+/_-]+={{0,2}})'", re.I)
"""A hash source, compiled on first need: only a policy naming hashes asks (issue 15)."""


scheme_source = lazy_pattern(r"[A-Za-z][A-Za-z0-9+.-]*:")
"""A scheme-only source (``https:``, ``data:``): every URL of that scheme. Compiled on
first need, like :func:`any_host`: only checks of a policy's own sources ask."""


any_host = lazy_pattern(r"[A-Za-z][A-Za-z0-9+.-]*://\*(:[0-9*]+)?(/.*)?")
"""``https://*`` (any port, any path): a scheme with a bare ``*`` host allows every host."""


_KEYWORD = re.compile(r"^'(?!nonce-)[a-z-]+'$", re.I)
"""A quoted keyword ('self', 'none'...); a nonce is quoted too but its value is case-sensitive."""


_SCHEME_AND_HOST = re.compile(r"(?:[A-Za-z][A-Za-z0-9+.-]*://)?[^/]*")
"""The case-insensitive head of a host source: ``scheme://host:port`` up to the path."""


def normalize_source(token: str) -> str:
    """One spelling per source, so a source is written once, not twice, whoever named it (the
    site builder, a page's own policy, ``consent.yml``): keywords, schemes and hosts are
    case-insensitive in CSP (``'SELF'`` is ``'self'``, ``HTTPS://WWW.CLARITY.MS`` is
    ``https://www.clarity.ms``). Hashes and nonces are base64 and paths are matched
    case-sensitively (CSP3 §6.7.2.10), so they keep their spelling."""
    if token.startswith("'"):
        return token.lower() if _KEYWORD.match(token) else token
    head = _SCHEME_AND_HOST.match(token)
    end = head.end() if head else 0
    return token[:end].lower() + token[end:]


def union(*lists: Iterable[str]) -> tuple[str, ...]:
    """Sources allowed by any of ``lists``, in first-seen order, without duplicates;
    ``'none'`` goes once anything else is allowed (with another source it means nothing,
    and browsers would ignore it anyway)."""
    out = list(dict.fromkeys(s for sources in lists for s in sources))
    if len(out) > 1 and "'none'" in out:
        out.remove("'none'")
    return tuple(out)


def fallback_for(directive: str, present: Container[str]) -> str | None:
    """The directive whose sources apply to ``directive`` when it is absent from a policy
    holding ``present`` (CSP3's fallback list), or None when nothing restricts it."""
    return next((f for f in FETCH_FALLBACKS.get(directive, ()) if f in present), None)


def hash_problem(source: str) -> str | None:
    """Why a ``'shaNNN-…'`` source is malformed (bad base64, wrong digest length), or None.

    Browsers silently ignore a hash that cannot match, so ``'sha256-abc'`` in a policy is a
    typo that disables whatever it was meant to allow; better refused with the reason.
    """
    m = _hash_source().fullmatch(source)
    if m is None:
        return "not of the form 'sha256-<base64>'"
    algo, value = m.group(1).lower(), m.group(2)
    try:
        raw = base64.b64decode(value.replace("-", "+").replace("_", "/"), validate=True)
    except (binascii.Error, ValueError):
        return f"{value!r} is not base64"
    if len(raw) != HASH_LENGTHS[algo]:
        return (f"a {algo} digest is {HASH_LENGTHS[algo]} bytes, this one decodes to "
                f"{len(raw)}")
    return None


def is_hash(source: str) -> bool:
    return _hash_source().fullmatch(source) is not None


def weakening(directive: str, source: str) -> str | None:
    """Why ``source`` in ``directive`` would widen a strict policy to "anything", or None.

    The single rule shared by the page-policy merge (sources dropped with a warning) and the
    policy validator (refused): what a page or a policy file may never add to
    :data:`GUARDED_DIRECTIVES`. Style and image directives are not guarded: ``data:`` images
    cannot run script. ``base-uri`` takes no host at all: one page's ``<base>`` host in the
    site-wide policy would let an injected ``<base>`` re-target any page's scripts there.
    """
    if directive not in GUARDED_DIRECTIVES:
        return None
    low = source.lower()
    if low == "*" or any_host().fullmatch(low):
        return "a wildcard allows every host"
    if low in SCHEME_ONLY_WEAKENING or scheme_source().fullmatch(low):
        return f"{source} allows every {low[:-1]} URL"
    if low in UNSAFE_SCRIPT_KEYWORDS:
        return f"{source} lets injected code run"
    if low.startswith("'nonce-"):
        return "a nonce on a static site is the same on every response, so anyone can use it"
    if directive == "base-uri" and not low.startswith("'"):
        return (f"{source} in base-uri lets a <base href> there re-target every relative "
                "script and style URL of a page; base-uri takes only 'self' or 'none'")
    return None


def tld_wildcard(source: str) -> bool:
    """``https://*.com`` / ``*.co.uk``-style wildcards: every site under a public suffix.

    Without a public suffix list we refuse a wildcard whose remainder has no dot, plus the
    common two-label suffixes (co.uk, com.au...), which catches the realistic mistakes.
    """
    m = re.fullmatch(r"(?:[a-z][a-z0-9+.-]*://)?\*\.([^/:]+)(?::[0-9*]+)?(?:/.*)?", source.lower())
    if m is None:
        return False
    rest = m.group(1)
    labels = rest.split(".")
    return len(labels) == 1 or (len(labels) == 2 and labels[0] in _SECOND_LEVEL
                                and len(labels[1]) == 2)


_SECOND_LEVEL = frozenset({"co", "com", "net", "org", "gov", "ac", "edu", "ne", "or", "go"})

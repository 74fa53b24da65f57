"""CSP sources: which ones a policy may use, and which ones a policy needs.

- Checking (the policy validator for ``csp.extra`` and custom services, and the catalog
  tests): a source the validator accepts from a user is held to the same grammar as the
  vendors' own. Anything that would weaken script execution ('unsafe-inline', a wildcard...) is
  refused with the reason, because the project never emits a weaker policy than it promises.
- Needing: :func:`policy_sources` is the one function that turns a policy into the sources its
  runtime and services need. ``consent-generator snippet`` prints them and the site rewrite
  starts its site-wide policy from them, so the two cannot drift.

The words themselves (directives, keywords, fallbacks, what weakens) are
:mod:`consent_generator.csp_vocabulary`'s.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from .csp_vocabulary import (
    HASH_ALGORITHMS,
    KEYWORDS,
    KNOWN_DIRECTIVES,
    OTHER_DIRECTIVES,
    OWN_KEY_DIRECTIVES,
    SCRIPT_GOVERNING,
    SOURCE_LIST_DIRECTIVES,
    UNSAFE_SCRIPT_KEYWORDS,
    VALUELESS_DIRECTIVES,
    any_host,
    fallback_for,
    hash_problem,
    normalize_source,
    scheme_source,
    tld_wildcard,
    union,
    weakening,
)
from .lazy import lazy_pattern
from .urls import http_origin
from .validation import did_you_mean

if TYPE_CHECKING:  # pragma: no cover
    from .model import Policy


_host_source = lazy_pattern(
    r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*://)?"
    r"(?P<host>\*|(\*\.)?[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*"
    r"[A-Za-z0-9])?)*)"
    r"(?P<port>:(\d{1,5}|\*))?"
    r"(?P<path>/[^\s;,']*)?")
"""A host source (scheme, host, port, path), compiled on first need: only a policy's own
``csp.extra`` sources and custom services' URLs are checked with it (issue 15)."""


Finding = tuple[str, str]
"""(message, hint) for one bad directive or source."""


def directive_problem(name: str) -> Finding | None:
    """Why ``name`` cannot be used as a source-list directive, or None if it can.

    The directives ``consent.yml`` sets through their own keys (``csp.frame_ancestors``...)
    are refused here too: the header deliveries take them from those keys only, so in
    ``csp.extra`` or a custom service they would be silently ignored."""
    if name in OWN_KEY_DIRECTIVES:
        what = "has its own key" if name in SOURCE_LIST_DIRECTIVES else "is not a source list"
        return f"{name} {what}", f"set {OWN_KEY_DIRECTIVES[name]} instead"
    if name in SOURCE_LIST_DIRECTIVES or name in VALUELESS_DIRECTIVES:
        return None
    if name.lower() in SOURCE_LIST_DIRECTIVES:
        return f"unknown CSP directive {name!r}", f"directive names are lower case: {name.lower()!r}"
    if name in OTHER_DIRECTIVES:
        return f"{name} is not a source list and cannot be added here", ""
    close = did_you_mean(name, KNOWN_DIRECTIVES)
    hint = f"did you mean {close!r}?" if close else "see the CSP directives on MDN"
    return f"unknown CSP directive {name!r}", hint


def source_problem(directive: str, source: str) -> Finding | None:
    """Why ``source`` is malformed or unsafe in ``directive``, or None if it is fine."""
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in source):
        return (f"{source!r} contains a control character",
                "remove it: no browser reads a source with one, and header files would break")
    if not source or source != source.strip() or any(c in source for c in " \t;,\n"):
        return (f"{source!r} is not one CSP source",
                "give one source per list item, without spaces, ';' or ','")
    if source.startswith("'"):
        return _quoted_problem(directive, source)
    bare = f"'{source.lower()}'"
    if bare in KEYWORDS or source.lower().startswith((*_HASH_PREFIXES, "nonce-")):
        return (f"the keyword {source} needs single quotes",
                f"in YAML write it as \"{bare}\" (YAML removes one level of quotes, so "
                "'self' alone becomes self)")
    if tld_wildcard(source):
        return (f"{source!r} allows every site under a top-level domain",
                "name the sites you use (https://cdn.example.com, https://*.example.com)")
    if source == "*" or any_host().fullmatch(source):
        if weakening(directive, source):
            return (f"{source!r} in {directive} would let any host run scripts on the site",
                    f"list the exact hosts instead; we never widen {directive} to any host")
        if source == "*" or _host_source().fullmatch(source):
            return None
    if scheme_source().fullmatch(source):
        if weakening(directive, source):
            return (f"{source!r} in {directive} allows scripts from any {source[:-1]} URL",
                    f"list the exact hosts instead; we never widen {directive} to any host")
        return None
    if _host_source().fullmatch(source):
        if (why := weakening(directive, source)) is not None:
            return why, "use 'self' (the site itself) or 'none'"
        if source.startswith("http://") and directive in SCRIPT_GOVERNING:
            return (f"{source!r} loads scripts over plain http, which anyone on the network "
                    "can change", "use its https:// address")
        return None
    return (f"{source!r} is not a valid CSP source",
            "expected a host (https://cdn.example.org, https://*.example.org), a scheme "
            "(data:), or a keyword like \"'self'\"")


_HASH_PREFIXES = tuple(f"{algo}-" for algo in HASH_ALGORITHMS)


def _quoted_problem(directive: str, source: str) -> Finding | None:
    lowered = source.lower()
    if lowered in UNSAFE_SCRIPT_KEYWORDS:
        if weakening(directive, source):
            return (f"{source} is not allowed in {directive}: it would let injected code run",
                    "inline scripts are allowed by their sha256 hash automatically; "
                    "we never weaken script-src")
        return None
    if lowered.startswith("'nonce-"):
        return (f"{source}: a static site cannot send a fresh nonce with every response",
                "inline scripts are allowed by their hash automatically")
    if lowered.startswith(tuple("'" + p for p in _HASH_PREFIXES)):
        bad = hash_problem(source)
        return (f"malformed hash source {source}: {bad}",
                "copy the whole 'sha256-…' value (44 base64 characters for sha256) from the "
                "browser console or the audit") if bad else None
    if lowered in KEYWORDS:
        return None
    return f"unknown CSP keyword {source}", f"expected one of: {', '.join(sorted(KEYWORDS))}"


def list_problem(sources: list[str]) -> Finding | None:
    """A problem with the list as a whole ('none' mixed with other sources)."""
    if "'none'" in sources and len(sources) > 1:
        return ("'none' cannot be combined with other sources",
                "remove 'none' or the other sources")
    return None


def covers(sources: tuple[str, ...] | list[str], url: str) -> bool:
    """Whether a host source in ``sources`` allows ``url`` (https URLs; used to avoid
    adding a custom script's origin twice). Conservative: False when unsure."""
    m = re.match(r"https://([^/:]+)(:\d+)?", url)
    if not m:
        return False
    host = m.group(1).lower()
    for src in sources:
        s = _host_source().fullmatch(src)
        if not s or s.group("scheme") not in ("https://", None) or s.group("port") \
                or s.group("path") not in (None, "/"):
            continue
        pattern = s.group("host").lower()
        if pattern == host or (pattern.startswith("*.") and host.endswith(pattern[1:])):
            return True
    return False


_CRLF = re.compile(r"\r\n?")


def normalize_newlines(text: str) -> str:
    """The HTML parser turns CRLF and lone CR into LF before any script or style text exists,
    so that is the text Chromium hashes (input-stream preprocessing, HTML §13.2.3.5)."""
    return _CRLF.sub("\n", text) if "\r" in text else text


def sha256_source(text: str) -> str:
    """The ``'sha256-…'`` source allowing an inline script/style whose source text is ``text``.

    One implementation for the snippet's install notes and the site-wide CSP, so both always
    allow the same bytes. ``text`` is the element's text as written in the file: newlines are
    normalised here as the HTML parser does; character references are *not* decoded (script
    and style are raw text elements, so ``&amp;`` stays five characters in the element's
    text). For ``style=""`` attribute values pass the *decoded* value (attributes are not raw
    text).
    """
    digest = hashlib.sha256(normalize_newlines(text).encode("utf-8", "surrogatepass")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


# --------------------------------------------------------------------------- what a policy needs

BASE_POLICY: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("default-src", ("'self'",), "anything not named below: only the site itself"),
    ("script-src", ("'self'",), "the theme's and the consent runtime's script files"),
    ("style-src", ("'self'",), "the theme's and the consent runtime's stylesheets"),
    ("img-src", ("'self'", "data:"),
     "themes draw icons as data: SVG in CSS (Material does); data: images cannot run script"),
    ("font-src", ("'self'", "data:"),
     "icon fonts inlined in theme CSS; data: fonts cannot run script"),
    ("connect-src", ("'self'",), "search index, instant navigation fetches"),
    ("object-src", ("'none'",), "no plugins: <object>/<embed> are a script-injection path"),
    ("base-uri", ("'self'",), "an injected <base> could redirect every relative script URL"),
    ("form-action", ("'self'",), "forms post only to the site unless a page shows otherwise"),
)
"""The base policy: strict, each entry with the reason it is there (the audit shows it)."""

SourceKind = Literal["base", "service", "extra"]


@dataclass(frozen=True)
class PolicySource:
    """One source a policy needs in one directive, with why (``kind`` and ``detail`` are the
    site CSP's provenance: :class:`mkdocs_clarity.engine.csp.Reason`)."""

    directive: str
    source: str
    kind: SourceKind
    detail: str


def first_line(text: str, limit: int = 80) -> str:
    """What a reviewer reads to recognise an inline script or style: its first non-blank
    line, shortened (the scan's facts and the provenance labels use the same one)."""
    for line in text.splitlines():
        line = line.strip()
        if line:
            return line if len(line) <= limit else line[: limit - 1] + "…"
    return "(empty)"


def service_label(key: str, name: str, category: str) -> str:
    """How a service source is explained: the service *and* the consent category it serves
    (the reviewer's question is "what must a visitor accept before this host is reached").
    Shared with the audit, which explains sources from a site's consent config the same way
    and must not list one service twice."""
    return f"service {key} ({name}), category {category}"


def record_endpoint_source(policy: Policy) -> str | None:
    """The ``connect-src`` source the runtime's proof-of-consent beacon needs, if any: the
    endpoint's origin as the browser reads it (:func:`.urls.http_origin`: no ``user@``,
    no ``:443``, a decoded host), or ``'self'`` for a same-site path."""
    if not policy.record_endpoint:
        return None
    return http_origin(policy.record_endpoint) or "'self'"


def policy_sources(policy: Policy, inline_scripts: Iterable[str]) -> list[PolicySource]:
    """Every source the policy's runtime, services and ``csp.extra`` need, base policy first
    (the header-only settings and Trusted Types, which need the guard script, are the site
    builder's).

    The one function behind both the snippet's install notes and the site-wide CSP.
    ``inline_scripts``: the text of every inline script the runtime will execute
    (``render.service_inline_scripts(policy)``), passed in so that this module stays below
    the renderer, which hashes with it.
    """
    out = [PolicySource(d, s, "base", why) for d, sources, why in BASE_POLICY for s in sources]
    for svc in policy.services:
        label = service_label(svc.key, svc.spec.name, svc.category)
        out += [PolicySource(d, s, "service", label) for d, sources in svc.csp.items()
                for s in sources]
    out += [PolicySource("script-src", sha256_source(text), "service",
                         "gated snippet: " + first_line(text)) for text in inline_scripts]
    endpoint = record_endpoint_source(policy)
    if endpoint:
        out.append(PolicySource("connect-src", endpoint, "extra",
                                f"record_endpoint: each consent choice is sent to "
                                f"{policy.record_endpoint}"))
    out += [PolicySource(d, s, "extra", "csp.extra in the policy")
            for d, sources in policy.csp.extra.items() for s in sources if not weakening(d, s)]
    return out


def extra_refused(policy: Policy) -> list[str]:
    """Warnings for the ``csp.extra`` sources :func:`policy_sources` leaves out because they
    would weaken the policy (the validator refuses them in ``consent.yml``; a ``Policy``
    built in code can still carry them)."""
    return [f"csp.extra: {s} in {d} is never emitted"
            for d, sources in policy.csp.extra.items() for s in sources if weakening(d, s)]


def as_directives(sources: Iterable[PolicySource]) -> dict[str, tuple[str, ...]]:
    """``sources`` as a policy: directives in first-seen order, a fetch directive created
    after its fallback starts from the fallback's sources (as the site CSP's builder does, so
    a frame host does not take away the ``'self'`` frames had through ``default-src``)."""
    out: dict[str, tuple[str, ...]] = {}
    for ps in sources:
        if ps.directive not in out:
            inherited = fallback_for(ps.directive, out) if ps.kind != "base" else None
            out[ps.directive] = out[inherited] if inherited else ()
        out[ps.directive] = union(out[ps.directive], (normalize_source(ps.source),))
    return out


def policy_csp(policy: Policy, inline_scripts: Iterable[str]) -> Mapping[str, tuple[str, ...]]:
    """What :func:`policy_sources` gives, as directives (what the snippet prints)."""
    return as_directives(policy_sources(policy, inline_scripts))

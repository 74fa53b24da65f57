"""Typed shape of one vendor entry in the service catalog.

Entries are data, not code: a vendor is described by what it loads, which CSP sources it
needs, which cookies it sets and how it is told about consent. Everything downstream (the
policy validator, the runtime config, the page rewrite, the CSP builder, the audit and the
cookie table) reads these fields, so adding a vendor is one new module in this package.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from ..urls import http_origin

Severity = Literal["error", "warning"]
Party = Literal["first", "third"]
SignalKind = str
"""How a vendor hears of consent: ``load-on-grant`` (no consent API) or the name of its consent
adapter's signal (``clarity-consentv2``, ``google-consent-mode-v2``, ...). A plain string, so a
new vendor names its own without touching this module."""
Category = Literal["necessary", "functionality", "analytics", "marketing"]
Store = Literal["cookie", "local", "session"]
"""Where a first-party item lives: a cookie, ``localStorage`` or ``sessionStorage``."""


@dataclass(frozen=True)
class IdCheck:
    """An extra rule for a parameter value: a regex that, when it matches, yields a message.

    Used for ids that look plausible but are wrong in a known way (a Universal Analytics
    ``UA-`` id given as a GA4 measurement id), so the message can say *why*.
    """

    pattern: str
    message: str
    severity: Severity = "error"

    def matches(self, value: str) -> bool:
        return re.fullmatch(self.pattern, value) is not None


@dataclass(frozen=True)
class Param:
    """A value the site owner supplies for a service, e.g. a Clarity project id."""

    name: str
    description: str
    example: str
    pattern: str | None = None
    """Full-match regex a valid value satisfies."""
    pattern_severity: Severity = "error"
    """``warning`` where the vendor's format is a convention we should not enforce."""
    pattern_hint: str = ""
    """Says in words what ``pattern`` expects, for the error message."""
    required: bool = True
    checks: tuple[IdCheck, ...] = ()
    """Checked before ``pattern``; the first that matches decides the message."""
    also_hosts: tuple[tuple[str, str], ...] = ()
    """For a URL parameter used as a CSP source: (host suffix, replacement) pairs naming a
    second host the URL implies (PostHog Cloud's ``eu.i.posthog.com`` serves its scripts from
    ``eu-assets.i.posthog.com``): the vendor's own rule, kept with the vendor."""


@dataclass(frozen=True)
class Cookie:
    """A cookie (or storage item) a service sets, as the cookie declaration lists it.

    ``name`` is what people read (``_ga_<container-id>``); ``pattern`` is a regex over real
    cookie names that the runtime uses to delete first-party cookies on revoke.
    """

    name: str
    lifetime: str
    purpose: str
    pattern: str = ""
    party: Party = "first"
    lifetime_days: float | None = None
    store: Store = "cookie"
    """``local``/``session``: a Web Storage key of the site's origin, cleared on revoke like a
    first-party cookie (Clarity's ``_cltk`` lives in ``sessionStorage``)."""

    @property
    def regex(self) -> str:
        """Regex for the runtime: ``pattern`` or the literal name."""
        return self.pattern or "^" + re.escape(self.name) + "$"


@dataclass(frozen=True)
class ConsentSignal:
    """How the runtime tells the vendor about the visitor's choice.

    ``clarity-consentv2``: ``clarity('consentv2', {analytics_Storage, ad_Storage})``.
    ``google-consent-mode-v2``: ``gtag('consent', 'default'|'update', {...})``.
    ``load-on-grant``: the vendor has no consent API; loading it at all is the signal,
    so it is only ever loaded after its category is granted (embeds, custom scripts).
    """

    kind: SignalKind
    description: str
    adapter: str = ""
    """File under ``consent_generator/runtime/adapters/`` holding the vendor's consent adapter:
    the runtime JavaScript that tells it about a choice. Shipped in the runtime asset only when
    a service with this signal is enabled; empty for ``load-on-grant``."""
    order: int = 100
    """Place of the adapter in the fixed signal order (lower first): Google's update (10) comes
    before Clarity's consentv2 (20), because clarity-js also listens to Google's update."""


@dataclass(frozen=True)
class Gpc:
    """What the vendor itself does when the browser sends Global Privacy Control.

    ``not_loaded``: the vendor's client refuses to run under GPC, so downloading it would be a
    third-party request that serves nothing: the runtime never loads it while GPC is on and the
    preferences dialog says why. Independently of this, the policy's ``honor_gpc`` keeps the
    marketing category denied for every vendor.
    """

    not_loaded: bool = False
    vendor: str = "Documents no reaction to GPC: the runtime's category rules apply."
    """What the vendor documents (or its client does) under GPC, for docs and reviewers."""
    source: str = ""
    """Where that was read (documentation page or client source file)."""


@dataclass(frozen=True)
class Detect:
    """How the page rewrite recognises this vendor's code already present in a page.

    Each is a regex searched (case-insensitive) in the named place.
    """

    script_src: tuple[str, ...] = ()
    """Matched against an external ``<script src>`` URL."""
    inline: tuple[str, ...] = ()
    """Matched against the text of an inline ``<script>``."""
    iframe_src: tuple[str, ...] = ()
    """Matched against an ``<iframe src>`` URL."""
    ids: tuple[str, ...] = ()
    """Regexes whose named groups (``(?P<project_id>…)``, one per param) read the service's
    id out of pasted code, so ``init`` can propose it instead of asking."""


@dataclass(frozen=True)
class Embed:
    """For vendors that are embedded frames: what the click-to-load placeholder says."""

    kind: str
    """What is embedded, for the placeholder text: ``video``, ``map``..."""
    privacy_host: str = ""
    """A privacy-enhanced host to rewrite embeds to (``www.youtube-nocookie.com``)."""
    privacy_query: tuple[tuple[str, str], ...] = ()
    """Query parameters to add to the embed URL so the player tracks less (Vimeo ``dnt=1``)."""


@dataclass(frozen=True)
class MaskMark:
    """How a session recorder is told not to record an element: the mark the masking policy
    puts wherever it puts Clarity's ``data-clarity-mask`` while this vendor is enabled (one
    rule set, ``mkdocs_clarity/engine/masking_rules.py``; the vendor's vocabulary here)."""

    attribute: str = ""
    """An attribute, written bare (``data-hj-suppress``)."""
    css_class: str = ""
    """Or a class name added to the element's ``class`` (PostHog's ``ph-no-capture``)."""
    source: str = ""
    """The vendor documentation that names it."""


@dataclass(frozen=True)
class InitQuestion:
    """What ``consent-generator init`` asks about this vendor, and its command-line flag.

    Kept with the vendor, so a new vendor brings its own question. A vendor without params
    gets a yes/no flag ``--<id>/--no-<id>``; with one, ``--<id> VALUE``; with several, one
    ``--<id>-<param>`` per param (``--matomo-url``, ``--matomo-site-id``)."""

    question: str
    order: int = 100
    """Place among the questions (lower first)."""
    metavar: str = ""
    """How ``--help`` names a single param's value (``G-ID``); default: the param's name."""


def _origin(url: str) -> str:
    """``scheme://host[:port]`` of a URL parameter, for a CSP source, as the browser reads it
    (``https://EU.i.posthog.com:443`` is ``https://eu.i.posthog.com``, so its ``also_hosts``
    suffix still applies); "" when it has none."""
    return http_origin(url) or ""


@dataclass(frozen=True)
class ServiceSpec:
    """One vendor in the catalog."""

    id: str
    name: str
    provider: str
    description: str
    default_category: Category
    privacy_url: str
    csp: Mapping[str, tuple[str, ...]]
    """CSP sources per directive that the service needs once granted."""
    cookies: tuple[Cookie, ...]
    signal: ConsentSignal
    params: tuple[Param, ...] = ()
    snippet: str = ""
    """Jinja2 template of the loader (inline JavaScript without ``<script>`` tags);
    rendered with the service's params. Empty for embeds."""
    script_src: str = ""
    """Jinja2 template of an external script URL loaded before ``snippet`` (gtag.js)."""
    detect: Detect = field(default_factory=Detect)
    embed: Embed | None = None
    gpc: Gpc = field(default_factory=Gpc)
    docs: tuple[str, ...] = ()
    """Vendor documentation the entry was written from, for reviewers."""
    cookieless: str = ""
    """Why the vendor sets no cookie and keeps nothing in Web Storage (Plausible). An entry
    with no ``cookies`` must say so here: the catalog test refuses one that is silent."""
    mask: MaskMark | None = None
    """The vendor's masking mark, for session recorders (Hotjar, PostHog)."""
    init: InitQuestion | None = None
    """What ``init`` asks about the vendor; None: not asked (``custom``)."""

    def csp_for(self, params: Mapping[str, str]) -> Mapping[str, tuple[str, ...]]:
        """``csp`` with each ``{param}`` source replaced by the origin of that URL parameter
        (a self-hosted Matomo's server). ``{a|b}`` takes the first of the params that is set
        (Plausible's event endpoint defaults to its script's origin); a param's
        ``also_hosts`` add the hosts it implies. A source whose params are all unset is left
        out (an auto-gated vendor found in pages, no params known). Every reader of a
        vendor's CSP (build, snippet, audit, verify) goes through here."""
        if not any(s.startswith("{") for v in self.csp.values() for s in v):
            return self.csp
        return {d: tuple(dict.fromkeys(x for s in v for x in self._resolve(s, params) if x))
                for d, v in self.csp.items()}

    def _resolve(self, source: str, params: Mapping[str, str]) -> tuple[str, ...]:
        if not source.startswith("{"):
            return (source,)
        for name in source[1:-1].split("|"):
            origin = _origin(params.get(name, ""))
            if origin:
                aliases = tuple(origin[: -len(suffix)] + replacement
                                for suffix, replacement in self._also_hosts(name)
                                if origin.endswith(suffix))
                return (origin, *aliases)
        return ()

    def _also_hosts(self, name: str) -> tuple[tuple[str, str], ...]:
        return next((p.also_hosts for p in self.params if p.name == name), ())

    def param(self, name: str) -> Param:
        for p in self.params:
            if p.name == name:
                return p
        raise KeyError(name)

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
from urllib.parse import urlsplit

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


def _origin(url: str) -> str:
    """``scheme://host[:port]`` of a URL parameter, for a CSP source."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


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

    def csp_for(self, params: Mapping[str, str]) -> Mapping[str, tuple[str, ...]]:
        """``csp`` with each ``{param}`` source replaced by the origin of that URL parameter
        (a self-hosted Matomo's server); entries without one are returned as they are."""
        if not any(s.startswith("{") for v in self.csp.values() for s in v):
            return self.csp
        return {d: tuple(_origin(params.get(s[1:-1], "")) if s.startswith("{") else s
                         for s in v) for d, v in self.csp.items()}

    def param(self, name: str) -> Param:
        for p in self.params:
            if p.name == name:
                return p
        raise KeyError(name)

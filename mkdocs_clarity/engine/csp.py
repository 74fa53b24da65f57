"""The Content Security Policy model: parse, merge, hash, serialize, and the site-wide policy.

One policy serves the whole site because Material's instant navigation keeps the first page's
policy and *adds* every later page's ``<meta>`` policy to it: per-page policies would be
intersected and break. The site policy is therefore the union of what every page needs,
built from :class:`~mkdocs_clarity.engine.scan.PageScan` facts, and every source carries the reasons
it is there (:class:`Reason`), so the audit can explain each one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Literal

from consent_generator.csp_sources import extra_refused, policy_sources
from consent_generator.csp_sources import service_label as service_label
from consent_generator.csp_sources import sha256_source as sha256_source
from consent_generator.csp_vocabulary import (
    FETCH_FALLBACKS,
    SCRIPT_DIRECTIVES,
    SERIALIZE_ORDER,
    TRUSTED_TYPES,
    UNSAFE_SCRIPT_KEYWORDS,
    fallback_for,
    normalize_source,
    union,
    weakening,
)
from consent_generator.csp_vocabulary import META_FORBIDDEN as META_FORBIDDEN
from mkdocs_clarity.engine.urls import source_for, url_parts

if TYPE_CHECKING:  # pragma: no cover
    from consent_generator.model import Policy
    from mkdocs_clarity.engine.scan import PageScan, Resource
    from mkdocs_clarity.engine.scan_rare import CspMeta
    from mkdocs_clarity.themes import ThemeNeed

_MERGE_DROPPED = UNSAFE_SCRIPT_KEYWORDS | {"'strict-dynamic'"}
"""Keywords a page's policy never brings into the site's: unsafe ones (see
:func:`~consent_generator.csp_vocabulary.weakening`), 'unsafe-inline' for styles (hashes
replace it) and 'strict-dynamic' (it would switch off 'self' and the host list, which the
theme's and the vendors' script files need). Elsewhere they mean nothing and are skipped."""


def parse_directives(text: str, normalize: Callable[[str], str] = normalize_source,
                     ) -> dict[str, tuple[str, ...]]:
    """Split one serialized policy into ``{directive: sources}`` as a browser reads it.

    The one tokenizer for both the engine (:meth:`Csp.parse`) and the audit's CSP Evaluator
    checks (:func:`mkdocs_clarity.engine.cspcheck.parse`), so the two cannot read a policy
    differently: ``;``-separated directives, names lowercased, the first occurrence of a
    directive wins, empty directives are kept (flags), sources de-duplicated in order.
    ``normalize`` canonicalises one source token; the checks pass the evaluator's own rule.
    """
    seen: dict[str, tuple[str, ...]] = {}
    for part in text.split(";"):
        tokens = part.split()
        if not tokens:
            continue
        name = tokens[0].lower()
        if name in seen:
            continue
        seen[name] = tuple(dict.fromkeys(normalize(t) for t in tokens[1:]))
    return seen


@dataclass(frozen=True)
class Csp:
    """An immutable policy: directives in order, each with a tuple of sources.

    Immutability lets one instance be shared by every page and worker process.
    """

    directives: tuple[tuple[str, tuple[str, ...]], ...] = ()

    # -- construction -----------------------------------------------------------------------
    @classmethod
    def parse(cls, text: str) -> Csp:
        """Parse one serialized policy (``;``-separated). The first occurrence of a directive
        wins, as in browsers; names are lowercased; empty directives are kept (flags)."""
        return cls(tuple(parse_directives(text).items()))

    @classmethod
    def parse_list(cls, text: str) -> list[Csp]:
        """A header value may hold several policies separated by commas."""
        return [cls.parse(p) for p in text.split(",") if p.strip()]

    @classmethod
    def from_mapping(cls, data: Mapping[str, Iterable[str]]) -> Csp:
        return cls(tuple((k.lower(), tuple(dict.fromkeys(normalize_source(s) for s in v)))
                         for k, v in data.items()))

    # -- reading ----------------------------------------------------------------------------
    def get(self, directive: str) -> tuple[str, ...] | None:
        """Sources of ``directive`` as written, None when absent (not the same as empty)."""
        for name, sources in self.directives:
            if name == directive:
                return sources
        return None

    def __contains__(self, directive: object) -> bool:
        return any(name == directive for name, _ in self.directives)

    def names(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.directives)

    def effective(self, directive: str) -> tuple[str, ...] | None:
        """What the browser enforces for ``directive``, following the fallback list;
        None when nothing restricts it."""
        own = self.get(directive)
        if own is not None:
            return own
        fallback = fallback_for(directive, self.names())
        return self.get(fallback) if fallback else None

    # -- producing --------------------------------------------------------------------------
    def serialize(self) -> str:
        return "; ".join(" ".join((name, *sources)) for name, sources in self.directives)

    def __str__(self) -> str:
        return self.serialize()

    def without(self, *directives: str) -> Csp:
        drop = set(directives)
        return Csp(tuple(d for d in self.directives if d[0] not in drop))

    def with_sources(self, directive: str, sources: Iterable[str]) -> Csp:
        """A copy with ``sources`` added to ``directive`` (created at the canonical position
        when absent); ``'none'`` is dropped once anything else is allowed."""
        items = dict(self.directives)
        items[directive] = union(items.get(directive, ()), map(normalize_source, sources))
        return Csp(_ordered(items))

    def merge(self, other: Csp) -> Csp:
        """The union: whatever either policy allows, the result allows.

        A fetch directive present on only one side is first seeded on the other side from
        that side's fallback (``default-src``) so the union keeps the meaning of both: merging
        ``default-src 'self'`` with ``img-src https://x`` gives ``img-src 'self' https://x``,
        not ``img-src https://x`` (which would block the site's own images). A side with no
        fallback at all contributes nothing for that directive: union semantics would
        otherwise lift a restriction the site relies on (an unrestricted side means
        "anything", which we never want to inherit from a theme fragment).
        """
        names = list(dict.fromkeys((*self.names(), *other.names())))
        out: dict[str, tuple[str, ...]] = {}
        for name in names:
            a = self.effective(name) if name in FETCH_FALLBACKS else self.get(name)
            b = other.effective(name) if name in FETCH_FALLBACKS else other.get(name)
            out[name] = union(a or (), b or ())
        return Csp(_ordered(out))


def _ordered(items: Mapping[str, tuple[str, ...]]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Canonical directive order, so equal policies serialize to equal bytes (idempotency)."""
    rank = {name: i for i, name in enumerate(SERIALIZE_ORDER)}
    return tuple(sorted(items.items(), key=lambda kv: (rank.get(kv[0], len(rank)), kv[0])))




# --------------------------------------------------------------------------------------------
# The site-wide policy
# --------------------------------------------------------------------------------------------

ReasonKind = Literal["base", "service", "inline-script", "inline-style", "page-policy",
                     "resource", "extra", "theme"]


@dataclass(frozen=True)
class Reason:
    """Why one source is in one directive: ``kind``, a human ``detail`` (a service name, the
    first line of an inline script, a resource URL) and the pages it comes from."""

    kind: ReasonKind
    detail: str
    pages: tuple[str, ...] = ()


@dataclass(frozen=True)
class SiteCsp:
    """The site policy plus, for every ``(directive, source)``, the reasons it is there."""

    policy: Csp
    provenance: Mapping[tuple[str, str], tuple[Reason, ...]]
    warnings: tuple[str, ...] = ()
    forced_unsafe_hashes: bool = False
    """True when ``style=""`` attributes on the site forced ``'unsafe-hashes'`` into
    ``style-src`` (the audit says which theme/pages did)."""
    weakened: tuple[str, ...] = ()
    """The warnings for page-policy sources dropped because they would weaken the site's
    policy (page and source named); ``strict`` makes them errors."""
    errors: tuple[str, ...] = ()
    """High findings of Google's CSP Evaluator checks on the result: the site is not written
    while there is one (whatever the pages and the policy contain, we never emit them)."""

    @property
    def meta_policy(self) -> Csp:
        """What a ``<meta http-equiv>`` can deliver (without :data:`META_FORBIDDEN`)."""
        return self.policy.without(*META_FORBIDDEN)

    def reasons(self, directive: str, source: str) -> tuple[Reason, ...]:
        return self.provenance.get((directive, source), ())


KNOWN_RESOURCE_DEPENDENCIES: Mapping[str, tuple[tuple[str, str, str], ...]] = {
    # A stylesheet host whose CSS pulls files from another host the HTML never names.
    "https://fonts.googleapis.com": (
        ("font-src", "https://fonts.gstatic.com", "font files of the Google Fonts stylesheet"),),
    "https://use.typekit.net": (
        ("font-src", "https://use.typekit.net", "font files of the Typekit stylesheet"),),
}


class _Builder:
    """Accumulates sources with their reasons; reasons merge by (kind, detail).

    Sources live in per-directive dicts (O(1) membership: a large site has hundreds of
    hashes and every page adds its theme's again); the :class:`Csp` is built when asked for.
    """

    def __init__(self) -> None:
        self._sources: dict[str, dict[str, None]] = {}
        self._csp: Csp | None = None
        self.reasons: dict[tuple[str, str], dict[tuple[ReasonKind, str], list[str]]] = {}

    @property
    def csp(self) -> Csp:
        if self._csp is None:
            self._csp = Csp(_ordered({d: union(s) for d, s in self._sources.items()}))
        return self._csp

    @csp.setter
    def csp(self, value: Csp) -> None:
        self._sources = {d: dict.fromkeys(v) for d, v in value.directives}
        self._csp = value

    def add(self, directive: str, source: str, kind: ReasonKind, detail: str,
            page: str | None = None) -> None:
        source = normalize_source(source)
        if kind != "base" and directive not in self._sources and directive in FETCH_FALLBACKS:
            self._inherit(directive)
        sources = self._sources.setdefault(directive, {})
        if source not in sources:
            sources[source] = None
            self._csp = None
        per = self.reasons.setdefault((directive, source), {})
        pages = per.setdefault((kind, detail), [])
        if page is not None and (not pages or pages[-1] != page):
            pages.append(page)

    def _inherit(self, directive: str) -> None:
        """Seed a fetch directive being created with the sources it inherited until now.

        Without this, the first service or resource that names e.g. ``frame-src`` would
        silently take away the ``'self'`` it had through ``default-src``, and a same-origin
        frame that worked before the rewrite would be blocked.
        """
        fallback = fallback_for(directive, self._sources)
        if fallback is not None:
            self._sources[directive] = {}
            for src in list(self._sources[fallback]):
                self.add(directive, src, "base", f"kept from {fallback}: {directive} was "
                         f"absent, so it allowed what {fallback} allows")

    def provenance(self) -> dict[tuple[str, str], tuple[Reason, ...]]:
        final = self.csp
        out = {}
        for (directive, source), per in self.reasons.items():
            sources = final.get(directive) or ()
            if source not in sources:
                continue  # e.g. 'none' dropped once other sources joined
            out[(directive, source)] = tuple(
                Reason(kind, detail, tuple(sorted(set(pages))))
                for (kind, detail), pages in per.items())
        return out


def _service_sources(builder: _Builder, csp: Mapping[str, tuple[str, ...]], label: str,
                     page: str | None = None) -> None:
    for directive, sources in csp.items():
        for source in sources:
            builder.add(directive, source, "service", label, page)


class SiteCspBuilder:
    """Builds the site policy one page scan at a time, so no scan has to be kept: the site
    pass feeds each page's facts as they arrive (memory stays flat in page count)."""

    def __init__(self, policy: Policy, *, site_origin: str | None = None,
                 runtime_scripts: Iterable[str] | None = None) -> None:
        from consent_generator import render

        self.policy = policy
        self._b = b = _Builder()
        if runtime_scripts is None:
            runtime_scripts = render.service_inline_scripts(policy)
        for ps in policy_sources(policy, runtime_scripts):  # the snippet's sources too
            b.add(ps.directive, ps.source, ps.kind, ps.detail)
        self._enabled = {s.spec.id for s in policy.services}
        self._auto_services: set[str] = set()
        self._style_attrs = False
        self._stripped: dict[tuple[str, str], tuple[str, list[str]]] = {}
        self._self_origin = (source_for(site_origin) or "") if site_origin else ""
        """As the scan reads it (``https://Example.org:443`` is ``https://example.org``)."""
        self._theme_inline_styles = False
        """A theme feature (Mermaid) styles at run time: style-src 'unsafe-inline', no hashes."""

    def add(self, scan: PageScan) -> None:
        """Add what one page needs."""
        from consent_generator.services import catalog

        b, page = self._b, scan.path
        for s in scan.inline_scripts:
            if s.executable and not s.injected:
                b.add("script-src", s.hash, "inline-script", s.first_line, page)
        for st in scan.inline_styles:
            if not st.injected:
                b.add("style-src", st.hash, "inline-style", st.first_line, page)
        for attr in scan.style_attrs:
            if not attr.injected:
                self._style_attrs = True
                b.add("style-src", attr.hash, "inline-style", f'style="{attr.value[:60]}"', page)
        for meta in scan.csp_metas:
            original = meta.original if meta.ours else meta.content
            if not original or not meta_in_head(scan, meta):
                continue
            for page_policy in Csp.parse_list(original):
                _merge_page_policy(b, page_policy, page, self._stripped)
        for t in scan.trackers:
            if t.service not in self._enabled and t.service not in self._auto_services:
                self._auto_services.add(t.service)
                spec = catalog().get(t.service)
                if spec is not None:
                    _service_sources(b, spec.csp_for({}), f"auto-gated {spec.name} found in pages",
                                     page)
        self._embeds(scan)
        for r in scan.held_resources:  # gated vendor resources: they load once granted
            b.add(r.directive, r.origin, "resource", f"{r.url} (after consent)", page)
        for r in scan.resources:
            if self._self_origin and r.origin.lower() == self._self_origin:
                continue
            source = _resource_source(r)
            if source is None:
                continue
            b.add(r.directive, source, "resource", r.url, page)
            for directive, source, why in KNOWN_RESOURCE_DEPENDENCIES.get(r.origin, ()):
                b.add(directive, source, "resource", f"{why} ({r.url})", page)

    def _embeds(self, scan: PageScan) -> None:
        """Unknown third-party embeds (:mod:`.embeds`): each URL allowed exactly, so it works
        once its category is granted and nothing else from its host loads; one a custom
        service claims is covered by that service's own sources."""
        from mkdocs_clarity.engine import embeds

        for t in scan.trackers:
            if t.service != embeds.THIRD_PARTY or t.injected:
                continue
            if embeds.claimed_by(self.policy, t.url) is not None:
                continue
            why = (f"unknown embed {t.element or t.kind} (unknown_embeds), loads after consent "
                   f"to '{self.policy.unknown_embeds.category}'")
            for directive, url in t.loads:
                self._b.add(directive, embeds.exact_source(url), "resource",
                            f"{url}: {why}", scan.path)
                origin = embeds.exact_source(url).split("/", 3)
                for dep_directive, source, dep in KNOWN_RESOURCE_DEPENDENCIES.get(
                        "/".join(origin[:3]), ()):
                    self._b.add(dep_directive, source, "resource", f"{dep} ({url}, after "
                                "consent)", scan.path)

    def add_theme_needs(self, needs: Iterable[ThemeNeed]) -> None:
        """Sources a theme's run-time features need (:mod:`mkdocs_clarity.themes` decides
        them from the pages' facts), each explained by its feature and evidence."""
        for need in needs:
            self._b.add(need.directive, need.source, "theme", need.detail)
            if need.directive == "style-src" and need.source == "'unsafe-inline'":
                self._theme_inline_styles = True

    def result(self) -> SiteCsp:
        """The policy: what the pages need plus the header-only settings."""
        b, policy, warnings = self._b, self.policy, []
        if self._style_attrs:
            b.add("style-src", "'unsafe-hashes'", "inline-style",
                  "style=\"\" attributes on the site; 'unsafe-hashes' with their hashes is far "
                  "narrower than 'unsafe-inline' (only these exact values)")
        warnings += extra_refused(policy)  # the rest of csp.extra came with policy_sources
        if policy.csp.trusted_types:
            for directive, values in TRUSTED_TYPES:
                for v in values:
                    b.add(directive, v, "extra", "csp.trusted_types: script URLs pass the "
                          "consent guard (Trusted Types default policy)")
        header_only = []
        if policy.csp.report_uri:
            b.add("report-uri", policy.csp.report_uri, "extra", "csp.report_uri")
            header_only.append("report-uri")
        if policy.csp.report_to:
            b.add("report-to", policy.csp.report_to, "extra", "csp.report_to")
            header_only.append("report-to")
        for s in policy.csp.frame_ancestors:
            b.add("frame-ancestors", s, "extra", "csp.frame_ancestors")
        if policy.csp.frame_ancestors:
            header_only.append("frame-ancestors")
        header_only += [d for d in b.csp.names() if d in META_FORBIDDEN and d not in header_only]
        if header_only and set(policy.csp.delivery) <= {"meta"}:
            warnings.append(
                f"{', '.join(header_only)} cannot be delivered in <meta> (browsers ignore them "
                "there): add a header delivery under csp.delivery (netlify, cloudflare, vercel, "
                "azure-swa, nginx, apache) to enforce them")
        weakened = []
        for (directive, value), (why, pages) in self._stripped.items():
            weakened.append(
                f"{_pages(pages)}: the page's own CSP allows {value} in {directive}; it was "
                f"merged without it ({why})")
        warnings += weakened
        if self._theme_inline_styles:
            # Browsers ignore 'unsafe-inline' next to a hash: the style hashes must go (scripts
            # are untouched: script-src stays hash-only).
            kept = [s for s in b.csp.get("style-src") or ()
                    if not s.startswith("'sha") and s != "'unsafe-hashes'"]
            b.csp = b.csp.without("style-src").with_sources("style-src", kept)
        b.csp = canonical(b.csp)
        return SiteCsp(b.csp, b.provenance(), tuple(warnings), self._style_attrs,
                       tuple(weakened), evaluator_highs(b.csp))


def evaluator_highs(csp: Csp) -> tuple[str, ...]:
    """High findings of the CSP Evaluator's checks (:mod:`.cspcheck`, the port the audit
    uses) on ``csp``, as messages saying what and where."""
    return _highs(csp.serialize())


@lru_cache(maxsize=8)
def _highs(policy: str) -> tuple[str, ...]:
    """By the policy's text (the checks read nothing else): a ``mkdocs serve`` rebuild whose
    site-wide CSP did not change does not run the ~1 ms of checks again."""
    from mkdocs_clarity.engine.cspcheck import evaluate

    return tuple(f"CSP Evaluator: {f.directive or 'policy'} {f.value or ''}: {f.description}"
                 for f in evaluate(policy) if f.severity == "high")


def build_site_csp(policy: Policy, scans: Iterable[PageScan], *,
                   site_origin: str | None = None,
                   runtime_scripts: Iterable[str] | None = None,
                   theme_needs: Iterable[ThemeNeed] = ()) -> SiteCsp:
    """The one policy for the whole site (see the module docstring for why one).

    ``runtime_scripts`` defaults to ``render.service_inline_scripts(policy)``: the gated
    snippets the runtime will execute once consent is given, hashed up front.
    ``site_origin`` (``https://example.org``) keeps the site's own absolute URLs under
    ``'self'`` instead of listing them as third-party resources.
    """
    builder = SiteCspBuilder(policy, site_origin=site_origin, runtime_scripts=runtime_scripts)
    for scan in scans:
        builder.add(scan)
    builder.add_theme_needs(theme_needs)
    return builder.result()


def _source_rank(source: str) -> tuple[int, str]:
    if source.startswith("'sha") or source.startswith("'nonce-"):
        return (3, source)
    if source.startswith("'"):
        return (0, "")  # keywords keep their order ('self' first, as written)
    if source.endswith(":"):
        return (1, source)
    return (2, source)


def canonical(csp: Csp) -> Csp:
    """Sources in a fixed order (keywords, schemes, hosts, hashes; each sorted but keywords):
    the same facts in any page order give the same bytes, so a rebuild is idempotent."""
    return Csp(tuple((name, tuple(sorted(sources, key=_source_rank)))
                     for name, sources in csp.directives))


def _resource_source(r: Resource) -> str | None:
    """The source allowing one resource. Scripts get their exact URL path, not the host:
    a whole CDN host (cdnjs, jsdelivr, unpkg) serves every library ever published, including
    ones that bypass CSP (old AngularJS, JSONP endpoints), so allowing the host would allow
    them all; the one file the page loads is all it needs.

    The path is the one the browser requests (:func:`urls.url_parts`: ``\\`` is ``/``, dot
    segments resolved, a space is ``%20``, where a raw space would end the source and start
    another). A script whose URL has no host of its own (``x.js``) is third-party only
    through an off-site ``<base href>``, which the site's ``base-uri 'self'`` makes browsers
    ignore: it loads from the site, so it needs no source (None), and never its base's whole
    host."""
    if r.directive != "script-src":
        return r.origin
    parts = url_parts(r.url)
    if not parts.host or parts.host_port != r.origin.rpartition("//")[2]:
        return None
    if parts.path == "/":
        return r.origin
    return r.origin + parts.path.replace(";", "%3B").replace(",", "%2C")


def meta_in_head(scan: PageScan, meta: CspMeta) -> bool:
    """Whether browsers enforce this CSP ``<meta>``: only one inside ``<head>`` counts (HTML
    §4.2.5.3). After ``</head>``, or after ``<body>`` when the head is implied, it is inert;
    merging it would let body content (a pasted snippet, a comment form) widen the policy."""
    if scan.head_close is not None:
        return meta.start < scan.head_close
    if scan.body_tag is not None:
        return meta.start < scan.body_tag[0]
    return True


def _page_sources(page_policy: Csp, directive: str) -> tuple[str, ...] | None:
    if directive == "object-src":
        # Plugins are a script-injection path: only an explicit object-src opens it,
        # never a page's default-src fallback.
        return page_policy.get(directive)
    if directive in FETCH_FALLBACKS:
        return page_policy.effective(directive)
    return page_policy.get(directive)


def _drop_reason(directive: str, source: str) -> str | None:
    """Why a page policy's ``source`` is not merged into ``directive`` ("" = silently: the
    keyword means nothing there), None when it is merged."""
    why = weakening(directive, source)
    if why is not None:
        return why
    low = source.lower()
    if low not in _MERGE_DROPPED:
        return None
    if low == "'unsafe-inline'" and directive.startswith("style-src"):
        return "hashes replace it"
    if low == "'strict-dynamic'" and directive in SCRIPT_DIRECTIVES:
        return "it would disable 'self' and the host list"
    if low == "'unsafe-hashes'" and directive.startswith("style-src"):
        return None
    return ""


def _merge_page_policy(b: _Builder, page_policy: Csp, page: str,
                       stripped: dict[tuple[str, str], tuple[str, list[str]]]) -> None:
    """Add a page's or theme's own policy: every source it allows stays allowed, seeded via
    its own fallbacks (see :meth:`Csp.merge`), except what would weaken the site's policy
    (:func:`_drop_reason`): each page is merged source by source with the same rule, so two
    metas on one page can never add more than either could alone."""
    for directive in dict.fromkeys((*page_policy.names(), *b.csp.names())):
        sources = _page_sources(page_policy, directive)
        for s in sources or ():
            if s.lower() == "'none'":
                continue
            why = _drop_reason(directive, s)
            if why:
                stripped.setdefault((directive, s), (why, []))[1].append(page)
            elif why is None:
                b.add(directive, s, "page-policy", f"<meta> policy: {directive}", page)


def _pages(pages: list[str], limit: int = 3) -> str:
    unique = list(dict.fromkeys(pages))
    more = f" and {len(unique) - limit} more" if len(unique) > limit else ""
    return ", ".join(unique[:limit]) + more

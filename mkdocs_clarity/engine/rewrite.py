"""One page in, one page out: gate trackers, inject the consent markup and the CSP, add masks.

Every change is a *splice* at offsets found by :mod:`mkdocs_clarity.engine.scan`: bytes that are not
touched stay identical (``<pre>`` whitespace, entities, attribute quoting), which a parse and
re-serialize could never promise. The work is split in two so the site pass can scan every
page once: :func:`plan_page` finds what to change (everything but the site-wide CSP, which is
only known after all pages were scanned) and :func:`apply_plan` writes it.

Idempotency: a previous run's HEAD/BODY marker blocks are removed first, our CSP ``<meta>``
(``data-consent-csp``) is recognised and replaced (the page's own policy it once replaced is
kept in ``data-consent-original``), gated elements are recognised as gated and masks already
present are not added again, so ``rewrite(rewrite(x)) == rewrite(x)`` byte for byte.
"""

from __future__ import annotations

import html as htmllib
from array import array
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from posixpath import dirname

from consent_generator import render
from consent_generator.errors import UserError
from consent_generator.model import Policy
from consent_generator.render import (
    BODY_END,
    BODY_START,
    FOOTER_END,
    FOOTER_START,
    GUARD_END,
    GUARD_START,
    HEAD_END,
    HEAD_START,
)
from consent_generator.services import catalog
from mkdocs_clarity.engine import embeds
from mkdocs_clarity.engine.csp import Csp, meta_in_head
from mkdocs_clarity.engine.masking import CompiledMasking, compile_masking, find_masks
from mkdocs_clarity.engine.masking_rules import MASK_TEXT, UNMASK_TEXT
from mkdocs_clarity.engine.scan import PageScan, Tag, Tracker, scan_page, script_end, tag_at

CSP_ATTR = "data-consent-csp"
ORIGINAL_ATTR = "data-consent-original"
FOOTER_LINK_TEXT = "Cookie settings"

# Placeholders in a plan for text that only apply time knows (the CSP) or that is the same on
# many pages (the injected blocks: rendered once per (lang, root), not stored per page).
_META, _HEAD, _BODY = "\x00meta\x00", "\x00head\x00", "\x00body\x00"
_BODY_NO_LINK = "\x00body-no-link\x00"
"""The body block when the page's footer carries the link (themes/footer.py)."""
_FOOTER = "\x00footer:"
_GUARD = "\x00guard\x00"


class Renderer:
    """Renders the injected blocks once per (lang, root) and caches them: rendering is the
    same for every page at the same depth, and Jinja is far slower than a dict lookup."""

    def __init__(self, policy: Policy) -> None:
        self.policy = policy
        self.themes: tuple[str, ...] = ()
        """The site's recognised themes: their parts of the runtime CSS (render.runtime_assets)."""
        self._head = lru_cache(maxsize=256)(self._render_head)
        self._body = lru_cache(maxsize=64)(self._render_body)
        self._guard: Callable[[str], str] | None = None

    def lang(self, page_lang: str | None) -> str:
        # The one language resolver (render's): unsupported languages fall back alike.
        return render.pick_language(self.policy, page_lang)

    def label(self, lang: str) -> str:
        """The translated "Cookie settings" (ui.texts overrides included)."""
        return render.texts_for(self.policy, lang).get("cookie_settings", FOOTER_LINK_TEXT)

    def head(self, lang: str, root: str) -> str:
        return self._head(lang, root)

    def use_themes(self, themes: tuple[str, ...]) -> None:
        """Heads from now on link the runtime CSS for ``themes`` (known after pass 1)."""
        if themes != self.themes:
            self.themes = themes
            self._head.cache_clear()

    def body(self, lang: str, link: bool = True) -> str:
        return self._body(lang, link)

    def guard(self, root: str) -> str:
        """The Trusted Types guard's tag (``csp.trusted_types``), cached per depth."""
        if self._guard is None:
            self._guard = lru_cache(maxsize=256)(
                lambda r: render.render_guard(self.policy, root=r))
        return self._guard(root)

    def _render_head(self, lang: str, root: str) -> str:
        return render.render_head(self.policy, lang=lang, root=root, themes=self.themes)

    def _render_body(self, lang: str, with_link: bool = True) -> str:
        from mkdocs_clarity.themes.footer import floating_button

        block = render.render_body(self.policy, lang=lang)
        # No footer to put the "Cookie settings" link in: a floating reopen button, inside
        # our block so re-runs replace it.
        link = floating_button(self.label(lang)) if with_link else ""
        if block.endswith(BODY_END):
            return block[: -len(BODY_END)] + link + BODY_END
        return BODY_START + block + link + BODY_END


@dataclass(frozen=True)
class Gated:
    """A tracker the rewrite made inert."""

    service: str
    category: str
    kind: str
    url: str
    line: int


@dataclass
class PagePlan:
    """The splices for one page (offsets into the page *after* marker stripping)."""

    path: str
    edits: list[tuple[int, int, str]] = field(default_factory=list)
    lang: str = "en"
    root: str = ""
    original_csp: str | None = None
    errors: list[str] = field(default_factory=list)
    """Vendor loads that could not be gated: :func:`plan_page` raises them together."""
    warnings: list[str] = field(default_factory=list)
    """Everything worth telling, auto-gating notes included (they name page and line)."""
    gating_notes: list[str] = field(default_factory=list)
    """The auto-gating subset of ``warnings``: the plugin logs these as info, so a site that
    relies on auto-gating still builds with ``--strict``."""
    gated: list[Gated] = field(default_factory=list)
    masked: int = 0
    mask_at: array[int] = field(default_factory=lambda: array("l"))
    """Offsets for ``data-clarity-mask="true"`` (compact: a site pass keeps every plan)."""
    unmask_at: array[int] = field(default_factory=lambda: array("l"))
    is_page: bool = True


_MARKER_PREFIX = "<!-- consent-generator:"
assert all(m.startswith(_MARKER_PREFIX) for m in (HEAD_START, BODY_START, FOOTER_START,
                                                  GUARD_START))


def strip_injected(html: str) -> str:
    """Remove a previous run's marker blocks (HEAD_START…HEAD_END, BODY_START…BODY_END)."""
    if _MARKER_PREFIX not in html:  # one search of a fresh page, not one per marker
        return html
    for start, end in ((HEAD_START, HEAD_END), (BODY_START, BODY_END),
                       (FOOTER_START, FOOTER_END), (GUARD_START, GUARD_END)):
        i = html.find(start)
        while i >= 0:
            j = html.find(end, i)
            if j < 0:
                break
            html = html[:i] + html[j + len(end):]
            i = html.find(start, i)
    return html


def root_for(path: str) -> str:
    """Relative URL prefix from the page at ``path`` to the site root."""
    d = dirname(path.strip("/"))
    return "" if not d else "../" * (d.count("/") + 1)


def _escape_attr(value: str) -> str:
    """Escape for a double-quoted attribute, leaving ``'`` readable (CSP is full of them)."""
    return htmllib.escape(value, quote=False).replace('"', "&quot;")


def _attr(name: str, value: str) -> str:
    return f' {name}="{_escape_attr(value)}"'


def _rebuild(html: str, tag: Tag, *, drop: tuple[str, ...] = (),
             rename: dict[str, tuple[str, str]] | None = None, add: str = "",
             ) -> list[tuple[int, int, str]]:
    """Splices that drop or rename some attributes of a start tag and append ``add``; the
    other attributes keep their exact bytes. Splices, not one replaced tag, so that a mask
    planned for the same tag still lands (a rewrite and its re-run agree byte for byte)."""
    rename = rename or {}
    edits: list[tuple[int, int, str]] = []
    for a in tag.attrs:
        if a.name in drop or a.name in rename:
            cut = a.start
            while cut > tag.attrs_start and html[cut - 1] in " \t\n\f\r":
                cut -= 1
            new_name, new_value = rename.get(a.name, ("", ""))
            edits.append((cut, a.end, _attr(new_name, new_value) if new_name else ""))
    insert_at = tag.insertion_offset(html)
    edits.append((insert_at, insert_at, add))
    return edits


def _service_of(policy: Policy, service_id: str) -> tuple[str, str, str]:
    """(key, category, name) for a detected catalog id: the policy's entry when enabled."""
    for svc in policy.services:
        if svc.spec.id == service_id:
            return svc.key, svc.category, svc.spec.name
    spec = catalog()[service_id]
    return spec.id, spec.default_category, spec.name


def _privacy_url(url: str, service_id: str) -> str:
    spec = catalog()[service_id]
    host = spec.embed.privacy_host if spec.embed else ""
    if host:
        for old in ("www.youtube.com", "youtube.com"):
            for scheme in ("https://", "http://", "//"):
                if url.startswith(scheme + old + "/"):
                    url = "https://" + host + url[len(scheme + old):]
    return _with_privacy_query(url, spec.embed.privacy_query if spec.embed else ())


def _with_privacy_query(url: str, params: tuple[tuple[str, str], ...]) -> str:
    """``url`` with the catalog's privacy parameters (Vimeo ``dnt=1``) added where absent;
    a value the page set itself is kept (the author may have chosen otherwise)."""
    from urllib.parse import parse_qsl, quote

    base, hash_, fragment = url.partition("#")
    query = base.partition("?")[2]
    present = {k for k, _ in parse_qsl(query, keep_blank_values=True)}
    extra = "&".join(f"{quote(k)}={quote(v)}" for k, v in params if k not in present)
    if not extra:
        return url
    sep = "&" if query else ("" if base.endswith("?") else "?")
    return base + sep + extra + hash_ + fragment


class GatingError(UserError):
    """A page loads a vendor in a form no holder can keep inert (or the check after the
    rewrite still finds a live vendor URL): the build stops rather than claim it gated it."""


_CANNOT_GATE = {
    "style-attr": "a style attribute cannot be held back without hiding the element; move the "
                  "image into a stylesheet the page loads, or self-host it",
    "refresh": "a redirect to a vendor cannot wait for consent; link to it instead",
    "svg": "SVG has no inert holder (a <template> inside <svg> is not inert); use an HTML <img> "
           "outside the <svg>, or self-host the file",
    "foreign": "SVG has no inert holder (a <template> inside <svg> is not inert); move it "
               "outside the <svg>, or self-host the file",
    "base": "it sends every relative URL of the page to the vendor, and the site's CSP "
            "(base-uri 'self') blocks it, so the page's relative links would change meaning; "
            "remove the <base> or point it at the site",
    "credentials": "the URL carries a user name or password (user:password@host): Chromium "
                   "refuses to fetch it and other browsers send the credentials to the vendor; "
                   "remove the 'user:password@' part",
}


def _who(policy: Policy, t: Tracker, path: str, plan: PagePlan) -> tuple[str, str, str] | None:
    """(key, category, name) a tracker is gated under; None (an error planned) when an unknown
    embed must stop the build (``unknown_embeds: error``, see :mod:`.embeds`)."""
    if t.service != embeds.THIRD_PARTY:
        return _service_of(policy, t.service)
    decision = embeds.resolve(policy, t.url, f"{path}:{t.line}", t.element or t.kind,
                              embeds.directive_of(t.loads))
    if decision.error:
        plan.errors.append(decision.error)
        return None
    return decision.key, decision.category, decision.name


def _gate(html: str, t: Tracker, policy: Policy, path: str, plan: PagePlan) -> None:
    who = _who(policy, t, path, plan)
    if who is None:
        return
    key, category, name = who
    tag = tag_at(html, t.start)
    if tag is None:
        plan.errors.append(f"{path}:{t.line}: {t.element or t.kind} loads {t.url} from {name} "
                           "and could not be gated: malformed tag")
        return
    gate_attrs = _attr("data-consent-category", category) + _attr("data-consent-service", key)
    what = f"{name} {t.kind}"
    if t.kind in ("hint", "noscript"):
        plan.edits.append((t.start, t.end, ""))
        why = ("a resource hint only warms up a connection" if t.kind == "hint" else
               "visitors without JavaScript cannot consent")
        plan.warnings.append(f"{path}:{t.line}: {t.element} to {name} ({t.url}) removed: {why}")
        return
    reason = _CANNOT_GATE.get(t.refuse) or _CANNOT_GATE.get(t.kind) or (
        _CANNOT_GATE["foreign"] if t.foreign and t.kind not in ("script-src", "inline",
                                                                 "iframe") else None)
    if reason:
        plan.errors.append(f"{path}:{t.line}: {t.element} loads {t.url} from {name} before "
                           f"consent and cannot be gated: {reason}")
        return
    if t.kind == "iframe":
        src = tag.get("src") or ""
        if t.service != embeds.THIRD_PARTY:
            src = _privacy_url(src, t.service)
        plan.edits.extend(_rebuild(html, tag, rename={
            "src": ("data-consent-src", src)},
            drop=_GATE_ATTRS, add=gate_attrs))
        where = "iframe"
    elif t.kind in ("script-src", "inline") and (t.in_head or t.foreign) and tag.name == "script":
        plan.edits.extend(_inert_script(tag, html, gate_attrs, t.foreign))
        where = ("SVG script (type=text/plain)" if t.foreign
                 else "<head> script (type=text/plain)")
    else:
        # Content: Material's instant navigation re-runs content scripts *without attributes*,
        # so a type="text/plain" would not hold. A <template> is never executed by anyone,
        # and nothing in it is fetched.
        plan.edits.append((t.start, t.start, f"<template{gate_attrs}>"))
        # A script left open at the end of the page would swallow the template's end tag
        # and the consent banner after it: close it (it already ran to the end of the file).
        unclosed = tag.name == "script" and t.end == len(html) and script_end(
            html, tag.end) is None
        plan.edits.append((t.end, t.end, "</script></template>" if unclosed else "</template>"))
        where = f"{t.element or 'content script'} (wrapped in <template>)"
    plan.gated.append(Gated(key, category, t.kind, t.url, t.line))
    note = _gate_note(t, policy, f"{path}:{t.line}", what, (key, category, where))
    plan.warnings.append(note)
    plan.gating_notes.append(note)


def _gate_note(t: Tracker, policy: Policy, at: str, what: str,
               done: tuple[str, str, str]) -> str:
    """What the build says about one gated element (``done``: key, category, holder)."""
    key, category, where = done
    if t.service == embeds.THIRD_PARTY and key != embeds.service_key(t.url):
        return f"{at}: {t.element} ({t.url}) gated into '{category}' as {where} " \
               f"(custom service {key})"
    if t.service == embeds.THIRD_PARTY:
        return (f"{at}: unknown third-party embed: {t.element} loads {t.url}, which no "
                "catalog service, custom service or theme profile claims; gated into "
                f"'{category}' (unknown_embeds) as {where} and allowed in the CSP by its exact "
                "URL once granted. Declare it in consent.yml (mkdocs-clarity audit prints "
                "the entry) so the banner names it")
    enabled = any(s.spec.id == t.service for s in policy.services)
    hint = "" if enabled else (f"; add '{t.service}' under services in the policy so the banner "
                               "lists it")
    return f"{at}: {what} auto-gated into '{category}' as {where}{hint}"


_GATE_ATTRS = ("data-consent-category", "data-consent-service")


def _inert_script(tag: Tag, html: str, gate_attrs: str,
                  foreign: bool) -> list[tuple[int, int, str]]:
    """The script with ``type="text/plain"``: its URL moved to ``data-consent-src`` (SVG:
    ``href``/``xlink:href``), its own type kept in ``data-consent-type`` for the runtime."""
    rename: dict[str, tuple[str, str]] = {}
    drop: tuple[str, ...] = ("type", *_GATE_ATTRS)
    for attr in (("href", "xlink:href") if foreign else ("src",)):
        if tag.get(attr) is not None:
            if rename:
                drop += (attr,)
            else:
                rename[attr] = ("data-consent-src", tag.get(attr) or "")
    add = ' type="text/plain"' + gate_attrs
    original_type = (tag.get("type") or "").strip()
    if original_type.lower() not in ("", "text/javascript", "application/javascript"):
        add += _attr("data-consent-type", original_type)  # e.g. module: restored on grant
    return _rebuild(html, tag, drop=drop, rename=rename, add=add)


def _verify(html: str, plan: PagePlan, path: str, site_url: str | None,
            index: frozenset[str] = frozenset()) -> None:
    """What the build says it did, it did: the rewritten page, scanned again with the same
    recogniser, has no live vendor load outside a holder (else a :class:`GatingError`).
    ``index``: the plan's scan's, so both scans share one compiled tokenizer (5 ms a build);
    it only fills ``tag_index``, which is not read here."""
    if plan.errors:  # refused already: the re-check would only repeat each one
        raise GatingError("\n".join(dict.fromkeys(plan.errors)))
    # The page's own policy stays readable (as data-consent-original): what it allows is the
    # author's, not an unknown embed (see engine/embeds.py).
    out = apply_plan(html, plan, Csp() if plan.original_csp else None, None)
    after = scan_page(out, path, index=index, site_url=site_url)
    for t in after.trackers:
        if not t.gated and not t.injected:
            plan.errors.append(f"{path}:{t.line}: after the rewrite, {t.element or t.kind} "
                               f"still loads {t.url} before consent")
    if plan.errors:
        raise GatingError("\n".join(dict.fromkeys(plan.errors)))


def _meta_position(html: str, scan: PageScan, removed: list[tuple[int, int]]) -> int:
    """First element of <head>, except after a leading ``<meta charset>``: the charset must
    stay in the first 1024 bytes for the encoding pre-scan, and it is not subject to CSP."""
    if scan.head_tag is not None:
        pos = scan.head_tag[1]
    elif scan.html_tag is not None:
        pos = scan.html_tag[1]
    elif scan.doctype_end is not None:
        pos = scan.doctype_end
    else:
        pos = 0
    cm = scan.charset_meta
    if cm is not None and cm[0] >= pos:
        between = html[pos:cm[0]]
        # whitespace, comments and removed metas only
        stripped = between
        for a, b in sorted(removed, reverse=True):
            if pos <= a and b <= cm[0]:
                stripped = stripped[: a - pos] + stripped[b - pos:]
        if not stripped.strip():
            return cm[1]
    return pos


def plan_page(html: str, path: str, policy: Policy, *, masking: CompiledMasking | None = None,
              renderer: Renderer | None = None, scan: PageScan | None = None,
              root: str | None = None, site_url: str | None = None,
              ) -> tuple[PagePlan, PageScan]:
    """Find every change for ``html`` (already stripped of marker blocks) and its facts.

    ``root``: URL prefix to the site root for the injected links (default: relative to
    ``path``). ``404.html`` needs an absolute one: it is served for missing URLs at any depth.
    """
    if masking is None:
        masking = compile_masking(policy.masking, policy.services)
    if scan is None:
        scan = scan_page(html, path, index=masking.type_names, site_url=site_url)
    renderer = renderer or Renderer(policy)
    plan = PagePlan(path=path, lang=renderer.lang(scan.lang),
                    root=root if root is not None else root_for(path))
    if not (scan.has_head or scan.has_body or scan.html_tag):
        plan.is_page = False  # a fragment (e.g. an HTML include copied from docs/)
        return plan, scan

    _plan_csp_meta(html, scan, policy, plan)
    for t in scan.trackers:  # auto-gating: nothing that loads from a vendor is left live
        if not t.gated and not t.injected:
            _gate(html, t, policy, path, plan)
    _plan_unheld(scan, policy, path, plan)
    _hold_loose_gated(html, scan, plan)
    if not masking.empty:
        _plan_masks(html, scan, masking, path, plan)
    _plan_injected(html, scan, plan)
    if scan.trackers or plan.errors:
        # Pages where the recogniser found no vendor load at all only get our blocks, the
        # CSP meta and masks, none of which can make a load appear: nothing to re-check.
        _verify(html, plan, path, site_url, masking.type_names)
    return plan, scan


def _plan_unheld(scan: PageScan, policy: Policy, path: str, plan: PagePlan) -> None:
    """Unknown embeds no holder can keep inert (:attr:`PageScan.unheld_embeds`): never
    silently broken. A loud warning (not a gating note: ``--strict`` fails on it) naming
    page:line, element, URL and the fix, or an error (:func:`.embeds.unheld_verdict`)."""
    for t in scan.unheld_embeds:
        verdict = embeds.unheld_verdict(policy, t.url, embeds.directive_of(t.loads), t.kind,
                                        f"{path}:{t.line}", t.element)
        if verdict is not None:
            (plan.errors if verdict[0] == "error" else plan.warnings).append(verdict[1])


def _plan_csp_meta(html: str, scan: PageScan, policy: Policy, plan: PagePlan) -> None:
    """Replace ours and the page's own CSP ``<meta>``; keep the page's policy as the original.

    A page's meta outside ``<head>`` is dropped without being kept: browsers ignore it.
    """
    removed: list[tuple[int, int]] = []
    originals: list[str] = []
    if "meta" in policy.csp.delivery:
        for meta in scan.csp_metas:
            if meta.ours:
                if meta.original:
                    originals.append(meta.original)
            elif meta.content.strip() and meta_in_head(scan, meta):
                originals.append(meta.content.strip())
            removed.append((meta.start, meta.end))
            plan.edits.append((meta.start, meta.end, ""))
        plan.original_csp = ", ".join(dict.fromkeys(originals)) or None
        at = _meta_position(html, scan, removed)
        plan.edits.append((at, at, _META))
    if policy.csp.trusted_types:  # the guard runs before every other script of the page
        at = _meta_position(html, scan, removed)
        plan.edits.append((at, at, _GUARD))


def _hold_loose_gated(html: str, scan: PageScan, plan: PagePlan) -> None:
    """Hold scripts gated by hand in the body in a ``<template>`` of the same category.

    A ``type="text/plain"`` does not survive Material's instant navigation (it re-runs
    content scripts without their attributes); a template's content never runs.
    """
    for start, end in scan.loose_gated:
        tag = tag_at(html, start)
        if tag is None:
            continue
        attrs = _attr("data-consent-category", tag.get("data-consent-category") or "")
        if tag.get("data-consent-service"):
            attrs += _attr("data-consent-service", tag.get("data-consent-service") or "")
        plan.edits.append((start, start, f"<template{attrs}>"))
        plan.edits.append((end, end, "</template>"))


def _plan_masks(html: str, scan: PageScan, masking: CompiledMasking, path: str,
                plan: PagePlan) -> None:
    """Where the masking policy puts ``data-clarity-mask`` / ``-unmask`` on this page."""
    body = tag_at(html, scan.body_tag[0]) if scan.body_tag else None
    res = find_masks(html, masking, opaque=scan.opaque, body_tag=body,
                     body_end=scan.body_close, path=path, tag_index=scan.tag_index or None)
    plan.mask_at.extend(off for off, text in res.insertions if text == MASK_TEXT)
    plan.unmask_at.extend(off for off, text in res.insertions if text == UNMASK_TEXT)
    # Other recorders' marks (Hotjar, PostHog) ride along as plain insertions.
    plan.edits.extend((off, off, text) for off, text in res.insertions
                      if text not in (MASK_TEXT, UNMASK_TEXT))
    plan.masked = res.masked
    plan.warnings.extend(res.warnings)


def _plan_injected(html: str, scan: PageScan, plan: PagePlan) -> None:
    """Our head and body blocks and the footer link.

    Planned last so that at a shared offset they follow a ``</template>`` closing a gated
    script (insertions at one offset keep their planned order).
    """
    if scan.head_close is not None:
        head_at = scan.head_close
    elif scan.body_tag is not None:
        head_at = scan.body_tag[0]
    else:
        head_at = scan.head_tag[1] if scan.head_tag else (scan.html_tag or (0, 0))[1]
    plan.edits.append((head_at, head_at, _HEAD))
    body_at = scan.body_close if scan.body_close is not None else len(html)
    from mkdocs_clarity.themes.footer import footer_at

    footer = footer_at(html)
    if footer is not None:
        plan.edits.append((footer[0], footer[0], _FOOTER + footer[1]))
    plan.edits.append((body_at, body_at, _BODY if footer is None else _BODY_NO_LINK))


def meta_tag(csp: Csp, original: str | None) -> str:
    content = _escape_attr(csp.serialize())
    orig = ""
    if original:
        orig = _attr(ORIGINAL_ATTR, original)
    return (f'<meta http-equiv="Content-Security-Policy" content="{content}" {CSP_ATTR}'
            f"{orig}>")


def apply_plan(html: str, plan: PagePlan, csp: Csp | None, renderer: Renderer | None) -> str:
    """Splice ``plan`` into ``html`` (the same stripped text it was planned on)."""
    return "".join(splice(html, plan, csp, renderer))


Edit = tuple[int, int, str]


def splice_order(plan: PagePlan) -> list[tuple[int, Edit]]:
    """The plan's edits, masks included, in the order :func:`splice` applies them."""
    # Stable order: by offset; at one offset insertions before a replacement starting there
    # (the CSP meta goes before a removed meta), then in planned order (wrappers nest).
    edits = [*plan.edits, *((o, o, MASK_TEXT) for o in plan.mask_at),
             *((o, o, UNMASK_TEXT) for o in plan.unmask_at)]
    return sorted(enumerate(edits), key=lambda e: (e[1][0], e[1][1] != e[1][0], e[0]))


def splice(html: str, plan: PagePlan, csp: Csp | None, renderer: Renderer | None,
           ordered: list[tuple[int, Edit]] | None = None) -> Iterator[str]:
    """The pieces of :func:`apply_plan`'s result, in order, made one at a time: the site pass
    compares them with the page and writes them out without ever holding the rewritten page
    as one string (a huge page: see bench/huge_page.py). ``ordered``: :func:`splice_order`'s
    result, when the caller splices the same plan twice (it sorts every edit of the page)."""
    if not plan.is_page:
        yield html
        return
    pos = 0
    for _, (start, end, text) in ordered if ordered is not None else splice_order(plan):
        if start < pos:  # overlapping edits never happen by construction; keep the first
            continue
        yield html[pos:start]
        if text == _META:
            text = meta_tag(csp, plan.original_csp) if csp is not None else ""
        elif text == _HEAD:
            text = renderer.head(plan.lang, plan.root) if renderer else HEAD_START + HEAD_END
        elif text == _GUARD:
            text = renderer.guard(plan.root) if renderer else GUARD_START + GUARD_END
        elif text == _BODY:
            text = renderer.body(plan.lang) if renderer else BODY_START + BODY_END
        elif text == _BODY_NO_LINK:
            text = renderer.body(plan.lang, link=False) if renderer else BODY_START + BODY_END
        elif text.startswith(_FOOTER):
            from mkdocs_clarity.themes.footer import footer_link

            # Without a renderer (the re-check after gating) our own link is left out.
            text = footer_link(renderer.label(plan.lang), text[len(_FOOTER):]) \
                if renderer else ""
        yield text
        pos = max(pos, end)
    yield html[pos:]

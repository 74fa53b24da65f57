"""The policy reference: every key of ``consent.yml``, its default and what it means.

This is the one place the keys are *described*; ``policy.py`` is the one place they are
*accepted*. The documentation's reference table (docs/reference/policy.md) is generated from
this module, and a test parses a policy with the real loader, records every key the loader
accepts, and fails when the two lists differ — so the reference cannot drift from the code.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class KeyDoc:
    """One key as users write it (``csp.report_uri``), its default and its meaning."""

    key: str
    default: str
    meaning: str


KEYS: tuple[KeyDoc, ...] = (
    KeyDoc("version", "`1`", "Format version; only `1` exists."),
    KeyDoc("mode", "`opt-in`",
           "`opt-in`: nothing optional runs before the visitor accepts (GDPR/ePrivacy). "
           "`opt-out`: optional services run until refused (US-state laws). `notice`: services "
           "run, the banner informs (a warning reminds you this is not consent)."),
    KeyDoc("revision", "`1`",
           "Whole number ≥ 1. Raise it when what you ask for changes: everyone is asked again."),
    KeyDoc("expiry_days", "`182`",
           "Days a choice is kept, 1 to 395. 395 days (13 months) is the maximum EU regulators "
           "(CNIL) accept."),
    KeyDoc("honor_gpc", "`true`",
           "A browser's Global Privacy Control signal refuses marketing (and sale/share in "
           "opt-out mode)."),
    KeyDoc("cookie", "", "The first-party cookie that holds the visitor's choice."),
    KeyDoc("cookie.name", "`site_consent`",
           "A valid cookie name (letters, digits, `-_.` etc.)."),
    KeyDoc("cookie.domain", "`null`",
           "A parent domain (`example.org`: no dot, scheme or path) to share one choice across "
           "subdomains."),
    KeyDoc("record_endpoint", "`null`",
           "An `https://` URL or a `/path` on the site: each choice is POSTed there as proof of "
           "consent (its origin is added to `connect-src`)."),
    KeyDoc("categories", "`necessary` (required), `functionality`, `analytics`, `marketing`",
           "Given, it replaces the list (`necessary` is always kept and always required). New "
           "ids: lower case, digits, `-`, `_`; give them a `title`."),
    KeyDoc("categories.<id>.required", "`false`",
           "A required category is always granted and shown as such; no tracking service may "
           "be in one."),
    KeyDoc("categories.<id>.title", "bundled text", "The category's name, in every language."),
    KeyDoc("categories.<id>.description", "bundled text",
           "What the category is for, in every language (`ui.texts` wins per language)."),
    KeyDoc("services", "none",
           "The services the site uses: a catalog id (see [Vendors](vendors.md)) with its "
           "parameters and `category`, or any other name for a custom service."),
    KeyDoc("services.<name>.src", "none",
           "Custom service: an `https://` script URL or `/path`, loaded on consent (its origin "
           "is added to `script-src`)."),
    KeyDoc("services.<name>.snippet", "none",
           "Custom service: inline JavaScript (without `<script>`), run on consent; allowed by "
           "its hash."),
    KeyDoc("services.<name>.category", "required",
           "Custom service: the category that must be granted before it loads."),
    KeyDoc("services.<name>.csp", "required",
           "Custom service: `{directive: [sources]}` it needs once granted (`{}` if none), so "
           "the CSP stays true."),
    KeyDoc("services.<name>.cookies", "required",
           "Custom service: `[{name, lifetime, purpose, pattern?, party?}]` (`[]` if none), so "
           "the cookie table stays true and revoke deletes them."),
    KeyDoc("services.<name>.name", "the key", "Custom service: its display name."),
    KeyDoc("services.<name>.provider", "`\"\"`", "Custom service: who runs it."),
    KeyDoc("services.<name>.description", "`\"\"`",
           "Custom service: its purpose, shown in the preferences dialog."),
    KeyDoc("services.<name>.privacy_url", "`null`", "Custom service: its privacy policy."),
    KeyDoc("masking", "", "What Microsoft Clarity must not record (`data-clarity-mask`)."),
    KeyDoc("masking.mode", "`balanced`",
           "`strict` (the whole page; only `unmask` shows), `balanced` (forms, inputs, e-mail "
           "addresses, long numbers) or `relaxed` (only `mask`)."),
    KeyDoc("masking.mask", "`[]`", "CSS selectors of elements to hide; each is checked."),
    KeyDoc("masking.unmask", "`[]`", "CSS selectors of elements to show; each is checked."),
    KeyDoc("csp", "", "The Content Security Policy and its deliveries."),
    KeyDoc("csp.delivery", "`[meta]`",
           "Where the CSP goes: `meta` and/or the header file of a host (see "
           "[Hosts](hosts.md): `netlify`, `cloudflare`, `vercel`, `azure-swa`, `nginx`, "
           "`apache`, `caddy`)."),
    KeyDoc("csp.report_only", "`false`",
           "Report violations without blocking. Needs a header delivery: `<meta>` cannot be "
           "report-only."),
    KeyDoc("csp.report_uri", "`null`",
           "Where violation reports go (an https URL or `/path`). Header deliveries only."),
    KeyDoc("csp.report_to", "`null`",
           "A Reporting-Endpoints group name for reports. Header deliveries only."),
    KeyDoc("csp.frame_ancestors", "`[]`",
           "Who may frame the site (`\"'none'\"`, `\"'self'\"`, hosts); header deliveries "
           "send `'self'` when empty."),
    KeyDoc("csp.extra", "`{}`",
           "Sources you add per directive, e.g. `{img-src: [\"https://images.example.org\"]}`. "
           "Anything that would weaken `script-src` (`'unsafe-inline'`, `*`, schemes, nonces) "
           "is refused."),
    KeyDoc("headers", "",
           "Security headers sent by the header deliveries besides the CSP (see "
           "[Security headers](../security-headers.md))."),
    KeyDoc("headers.hsts", "`auto`",
           "`Strict-Transport-Security`: `auto` sends it when the site URL is https, `on` also "
           "without a site URL (never for http), `off` when your host sends its own."),
    KeyDoc("headers.hsts_max_age", "`31536000`",
           "Seconds browsers keep using https only (one year; less than six months warns)."),
    KeyDoc("headers.hsts_include_subdomains", "`false`",
           "Binds every subdomain to https too: only when they all serve https."),
    KeyDoc("headers.hsts_preload", "`false`",
           "Asks for the browsers' preload list; needs `hsts_include_subdomains` and a year; "
           "hard to undo."),
    KeyDoc("headers.cross_origin_resource_policy", "`same-origin`",
           "`same-origin`, `same-site` or `cross-origin` (for images or fonts other sites "
           "load from yours)."),
    KeyDoc("csp.trusted_types", "`false`",
           "The run-time backstop: `require-trusted-types-for 'script'` and a guard that "
           "refuses a vendor's script URL until its category is granted, in browsers that "
           "enforce Trusted Types (see [Safety](../safety.md))."),
    KeyDoc("unknown_embeds", "`{category: marketing}`",
           "A third-party script, frame or resource that no catalog service, custom service "
           "or theme profile claims (a pasted Disqus thread, a CDN script, a badge) is gated "
           "into this category and allowed in the CSP by its exact URL; the build names it "
           "(page:line) and the audit prints a `services:` entry to paste. `error` stops the "
           "build instead. There is no `allow`: declare a third party you trust as a custom "
           "service."),
    KeyDoc("unknown_embeds.category", "`marketing`",
           "A category visitors can refuse (never a required one)."),
    KeyDoc("ui", "", "The banner's language, texts and links."),
    KeyDoc("ui.language", "`auto`",
           "`auto` (each page's `<html lang>`) or one of `en de fr es it nl pt pl`."),
    KeyDoc("ui.texts", "`{}`",
           "Your own wording per language: `{en: {banner_title: \"Cookies?\"}}`; keys of the "
           "bundled `i18n/en.json`, plus `category.<id>.title` / `.description`."),
    KeyDoc("ui.privacy_url", "`null`",
           "Your privacy page (https URL or `/path`), linked from the banner."),
)


def by_key() -> dict[str, KeyDoc]:
    return {k.key: k for k in KEYS}

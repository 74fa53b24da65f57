"""The security reviewer's audit of a built site: the policy, why each source is in it, findings,
and gating / masking coverage.

Why it re-scans instead of trusting a build log: the reviewer audits what will be deployed.
Pages are read with :func:`scan.scan_page` — the same facts the rewrite used — so the audit and
the build cannot disagree about what a page contains. The deployed policy is read back from
the pages' ``<meta>`` and from the header files (:mod:`hosts`), and every source is
explained by :func:`csp.build_site_csp`'s provenance (given the policy) or, failing that, by
matching it against the scanned facts; a source nothing explains is itself a finding.

The JSON form (:meth:`AuditReport.to_json`) is the stable interface (``schema_version`` 1,
documented in the README, "JSON report"); Markdown and HTML are rendered from it.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from consent_generator.csp_sources import service_label
from consent_generator.csp_vocabulary import META_FORBIDDEN, OWN_KEY_DIRECTIVES
from consent_generator.errors import UserError
from consent_generator.model import Policy
from consent_generator.services.model import ServiceSpec
from mkdocs_clarity import __version__, hosts
from mkdocs_clarity.audit.maskcheck import MaskGaps, mask_gaps
from mkdocs_clarity.engine import cspcheck
from mkdocs_clarity.engine.csp import Csp, Reason, build_site_csp
from mkdocs_clarity.engine.findings import Finding, Severity, fails, sort_findings
from mkdocs_clarity.engine.masking_rules import (
    CLARITY_ONLY,
    VendorMarks,
    session_recorders,
    vendor_marks,
)
from mkdocs_clarity.engine.siteurl import SiteUrl
from mkdocs_clarity.themes import ThemeNeed, decide, is_page_structure

if TYPE_CHECKING:
    from mkdocs_clarity.engine.scan import PageScan

SCHEMA_VERSION = 1
PAGE_LIMIT = 5
"""Pages listed per finding / reason in the report (the JSON keeps them all)."""
WIDE = ("*", "https:", "http:", "https://*", "http://*")


class AuditError(UserError):
    """The site cannot be audited (no such directory, no HTML, unreadable baseline)."""


@dataclass(frozen=True)
class SourceEntry:
    """One source of one directive and every reason it is there."""

    directive: str
    source: str
    reasons: tuple[Reason, ...]

    def to_json(self) -> dict[str, Any]:
        return {"source": self.source,
                "reasons": [{"kind": r.kind, "detail": r.detail, "pages": list(r.pages)}
                            for r in self.reasons]}


@dataclass(frozen=True)
class ServiceCoverage:
    """Where a tracker was found and whether it could run before consent."""

    service: str
    pages: tuple[str, ...]
    executable_pages: tuple[str, ...]


@dataclass(frozen=True)
class UnknownEmbed:
    """A third party no catalog service, custom service or theme profile claims
    (:mod:`mkdocs_clarity.engine.embeds`), with the ``services:`` entry that declares it."""

    url: str
    element: str
    pages: tuple[str, ...]
    """``page:line`` where it is loaded."""
    live_pages: tuple[str, ...]
    """``page:line`` where it loads before consent (the site was not applied)."""
    entry: str

    def to_json(self) -> dict[str, Any]:
        return {"url": self.url, "element": self.element, "pages": list(self.pages),
                "live_pages": list(self.live_pages), "entry": self.entry}


@dataclass(frozen=True)
class MaskingCoverage:
    applies: bool
    """False when no session recorder is in use (masking then protects nothing)."""
    pages_checked: int = 0
    masked_fields: int = 0
    unmasked_fields: int = 0
    masked_emails: int = 0
    unmasked_emails: int = 0
    examples: tuple[tuple[str, str], ...] = ()
    masked_numbers: int = 0
    unmasked_numbers: int = 0
    """(page, what) for the first unmasked items."""


@dataclass
class AuditReport:
    """Everything the reviewer reads; :meth:`to_json` is the stable schema."""

    site: str
    pages: int
    policy: str
    """The policy audited (the header policy where one is exported, else the pages' meta)."""
    delivery: dict[str, Any]
    directives: list[tuple[str, list[SourceEntry]]]
    findings: list[Finding]
    gating: list[ServiceCoverage]
    masking: MaskingCoverage
    baseline: dict[str, Any] | None = None
    warnings: list[str] = field(default_factory=list)
    site_url: SiteUrl | None = None
    """Where the site is served (its origin is first-party), when known."""
    unknown_embeds: list[UnknownEmbed] = field(default_factory=list)

    def fails(self, fail_on: str) -> bool:
        return fails(self.findings, fail_on)

    def counts(self) -> dict[str, int]:
        c = Counter(f.severity for f in self.findings)
        return {s: c.get(s, 0) for s in ("high", "syntax", "medium", "high-maybe",
                                         "medium-maybe", "info")}

    def to_json(self) -> dict[str, Any]:
        return {
            "schema_version": SCHEMA_VERSION,
            "generator": f"mkdocs-clarity {__version__}",
            "site": self.site,
            "site_url": ({"url": self.site_url.url, "source": self.site_url.source}
                         if self.site_url else None),
            "pages": self.pages,
            "policy": self.policy,
            "delivery": self.delivery,
            "directives": {d: [e.to_json() for e in entries] for d, entries in self.directives},
            "summary": self.counts(),
            "findings": [f.to_json() for f in self.findings],
            "gating": [{"service": g.service, "pages": list(g.pages),
                        "executable_pages": list(g.executable_pages)} for g in self.gating],
            "masking": {"applies": self.masking.applies,
                        "pages_checked": self.masking.pages_checked,
                        "masked_fields": self.masking.masked_fields,
                        "unmasked_fields": self.masking.unmasked_fields,
                        "masked_emails": self.masking.masked_emails,
                        "unmasked_emails": self.masking.unmasked_emails,
                        "masked_numbers": self.masking.masked_numbers,
                        "unmasked_numbers": self.masking.unmasked_numbers,
                        "examples": [{"page": p, "item": w} for p, w in self.masking.examples]},
            "unknown_embeds": [e.to_json() for e in self.unknown_embeds],
            "baseline": self.baseline,
            "warnings": self.warnings,
        }


# --------------------------------------------------------------------------- collecting


def html_files(site_dir: Path) -> list[Path]:
    """Every page of the site (:mod:`mkdocs_clarity.engine.pages`: ``.html`` and ``.htm``), sorted."""
    from mkdocs_clarity.engine.pages import page_files

    return [site_dir / rel for rel in page_files(site_dir) if (site_dir / rel).is_file()]


@dataclass(frozen=True)
class _PageFacts:
    scan: PageScan
    gaps: MaskGaps | None
    theme: frozenset[str] = frozenset()
    """Theme-profile facts (mkdocs_clarity.themes.page_facts): what the theme loads."""


def _scan_one(args: tuple[str, str, bool, VendorMarks, str | None]) -> _PageFacts:
    from mkdocs_clarity.engine.scan import scan_page

    path, rel, with_masking, marks, origin = args
    html = Path(path).read_text("utf-8", errors="replace")
    from mkdocs_clarity.themes import page_facts

    return _PageFacts(scan_page(html, rel, site_url=origin),
                      mask_gaps(html, marks) if with_masking else None, page_facts(html))


def _scan_site(site: Path, files: Sequence[Path], with_masking: bool, jobs: int | None,
               marks: VendorMarks = CLARITY_ONLY, origin: str | None = None,
               ) -> list[_PageFacts]:
    tasks = [(str(p), p.relative_to(site).as_posix(), with_masking, marks, origin)
             for p in files]
    workers = jobs if jobs is not None else min(os.cpu_count() or 1, 4)
    if workers <= 1 or len(tasks) < 50:
        return [_scan_one(t) for t in tasks]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(_scan_one, tasks, chunksize=16))


def _consent_services(site: Path, files: Sequence[Path]) -> list[tuple[str, str]]:
    """(service key, category) from the ``consent-config`` JSON of the first page that has it:
    what the site was built with when no policy file is given."""
    import re

    pattern = re.compile(r'<script[^>]*id="consent-config"[^>]*>(.*?)</script>', re.S)
    for p in files[:20]:
        m = pattern.search(p.read_text("utf-8", errors="replace"))
        if not m:
            continue
        try:
            data = json.loads(m.group(1))
        except ValueError:
            return []
        services = data.get("services") if isinstance(data, dict) else None
        out = []
        if isinstance(services, dict):
            services = [dict(v, key=k) if isinstance(v, dict) else {"key": k}
                        for k, v in services.items()]
        for s in services or []:
            if isinstance(s, dict):
                key = s.get("key") or s.get("id") or s.get("service")
                if key:
                    out.append((str(key), str(s.get("category", ""))))
        return out
    return []


# --------------------------------------------------------------------------- the audit


def audit_site(site_dir: str | Path, policy: Policy | None = None, *,
               baseline: dict[str, Any] | None = None, jobs: int | None = None,
               site_url: SiteUrl | None = None) -> AuditReport:
    """Audit the built site in ``site_dir`` (optionally against the policy it was built with).

    ``site_url``: where the site is served. Its origin is the site's own, so absolute URLs to
    it are neither third-party requests before consent nor sources needing a reason (the
    rewrite leaves them to ``'self'`` when it knows the origin too)."""
    site = Path(site_dir)
    if not site.is_dir():
        raise AuditError(f"{site}: not a directory; pass the built site (e.g. site/)")
    files = html_files(site)
    if not files:
        raise AuditError(f"{site}: no .html files; build the site first")

    config_services = _consent_services(site, files)
    service_ids = {s.spec.id for s in policy.services} if policy else set()
    service_ids |= {k for k, _ in config_services}
    from consent_generator.services import catalog

    origin = site_url.origin if site_url else None
    recorders = session_recorders()
    marks = vendor_marks(catalog()[k] for k in service_ids & recorders)
    facts = _scan_site(site, files, True, jobs, marks, origin)
    facts = [f for f in facts if is_page_structure(
        bool(f.scan.html_tag), f.scan.has_head, f.scan.has_body)]
    scans = [f.scan for f in facts]
    themes = decide(set().union(*(f.theme for f in facts)), site)
    recorder = bool(service_ids & recorders) or any(
        t.service in recorders for s in scans for t in s.trackers)

    deployed = _deployed(scans, site)
    findings = list(deployed.findings)
    findings += _security_header_findings(deployed.delivery["security_headers"], site_url)
    csp = Csp.parse(deployed.policy) if deployed.policy else Csp()
    if deployed.policy:
        findings += cspcheck.evaluate(deployed.policy)
        findings += _policy_findings(csp, scans, service_ids)
    findings += _third_party_findings(scans, origin)
    embeds = unknown_embeds(scans, policy, {k for k, _ in config_services})
    findings += _embed_findings(embeds)
    findings += unheld_findings(scans, csp if deployed.policy else None)
    explained = _explain(csp, scans, policy, config_services, origin, themes.needs)
    entries = _source_entries(csp, explained, findings)
    gating = _gating(scans)
    findings += _ungated_findings(gating)
    masking = _masking(facts, recorder)
    findings += _masking_findings(masking)

    report = AuditReport(
        site=str(site), pages=len(files), policy=deployed.policy, delivery=deployed.delivery,
        directives=entries, findings=sort_findings(_dedupe(findings)), gating=gating,
        masking=masking, warnings=[], site_url=site_url, unknown_embeds=embeds)
    if baseline is not None:
        report.baseline = diff_baseline(baseline, report.to_json())
    return report


@dataclass(frozen=True)
class _Deployed:
    """What the site delivers: the audited policy, how it is delivered, and what is wrong
    with the delivery itself (pages disagreeing, report-only headers, ...)."""

    policy: str
    delivery: dict[str, Any]
    findings: list[Finding]


def _deployed(scans: list[PageScan], site: Path) -> _Deployed:
    """The pages' meta policies and the header files: a header policy wins over metas."""
    meta_by_page = {s.path: _deployed_meta(s) for s in scans}
    header_files = hosts.read_site_headers(site)
    header_csp, header_ro = _header_policies(header_files)
    policies = Counter(v for v in meta_by_page.values() if v)
    meta_policy = policies.most_common(1)[0][0] if policies else ""
    delivery = {"meta": meta_policy, "headers": header_files,
                "report_only": bool(header_ro and not header_csp),
                "security_headers": hosts.security_headers(header_files, bool(meta_policy))}
    findings = _delivery_findings(meta_by_page, meta_policy, header_csp, header_ro,
                                  header_files, policies)
    return _Deployed(header_csp or meta_policy, delivery, findings)


def _source_entries(csp: Csp, explained: dict[tuple[str, str], tuple[Reason, ...]],
                    findings: list[Finding]) -> list[tuple[str, list[SourceEntry]]]:
    """Why each source is there; a source nothing explains is a finding (edited by hand?)."""
    entries = []
    for name, sources in csp.directives:
        row = []
        for src in sources:
            reasons = explained.get((name, src), ())
            row.append(SourceEntry(name, src, reasons))
            if not reasons:
                findings.append(Finding(
                    "UNEXPLAINED_SOURCE", "medium",
                    f"{src} in {name} is not explained by the policy, the pages or a theme "
                    "policy: was the site or a header file edited after mkdocs-clarity ran?",
                    name, src, "mkdocs-clarity"))
        entries.append((name, row))
    return entries


def _ungated_findings(gating: list[ServiceCoverage]) -> list[Finding]:
    """A vendor load that runs without consent on some page: the one HIGH the audit exists for."""
    return [Finding(
        "UNGATED_TRACKER", "high",
        f"{g.service} runs without consent on {len(g.executable_pages)} page(s): "
        "apply the policy (mkdocs-clarity apply) so it is gated",
        None, g.service, "mkdocs-clarity", g.executable_pages)
        for g in gating if g.executable_pages]


def _deployed_meta(scan: PageScan) -> str:
    """The policy a page's ``<meta>`` delivers (the first one: that is the site policy)."""
    for meta in scan.csp_metas:
        if meta.content:
            return " ".join(meta.content.split())
    return ""


def _header_policies(files: dict[str, dict[str, str]]) -> tuple[str, str]:
    csp = ro = ""
    for values in files.values():
        csp = csp or values.get(hosts.CSP.lower(), "")
        ro = ro or values.get(hosts.CSP_RO.lower(), "")
    return csp, ro


def _delivery_findings(meta_by_page: dict[str, str], meta_policy: str, header_csp: str,
                       header_ro: str, header_files: dict[str, dict[str, str]],
                       policies: Counter[str]) -> list[Finding]:
    out: list[Finding] = []
    bare = tuple(p for p, v in meta_by_page.items() if not v)
    if bare and not header_csp:
        out.append(Finding("NO_CSP", "high", f"{len(bare)} page(s) have no Content Security "
                           "Policy at all", None, None, "mkdocs-clarity", bare))
    if len(policies) > 1:
        odd = tuple(p for p, v in meta_by_page.items() if v and v != meta_policy)
        out.append(Finding(
            "INCONSISTENT_POLICIES", "medium",
            f"{len(policies)} different <meta> policies across pages; with instant navigation "
            "the browser keeps the first page's policy and adds the next one's, so pages "
            "break depending on where the visitor started. Apply once for the whole site.",
            None, None, "mkdocs-clarity", odd))
    if header_ro and not header_csp and not meta_policy:
        out.append(Finding("NOT_ENFORCED", "high", "the only policy is report-only: it "
                           "reports violations but blocks nothing", None, None,
                           "mkdocs-clarity"))
    if not header_files and meta_policy:
        out.append(Finding(
            "META_ONLY_DELIVERY", "medium",
            "the policy is delivered in <meta> only, which cannot carry frame-ancestors "
            "(clickjacking protection, e.g. of the consent banner) or report-uri, nor "
            "Strict-Transport-Security or any other security header: add a "
            f"header delivery ({', '.join(hosts.hosts())}) to csp.delivery", "frame-ancestors", None, "mkdocs-clarity"))
    if meta_policy:
        ignored = [d for d in Csp.parse(meta_policy).names() if d in META_FORBIDDEN]
        for d in ignored:
            out.append(Finding("META_IGNORED_DIRECTIVE", "medium", f"{d} is in the <meta> "
                               "policy, where browsers ignore it", d, None, "mkdocs-clarity"))
    return out


def _security_header_findings(rows: list[dict[str, Any]], site_url: SiteUrl | None) -> list[Finding]:
    """A header file that sends a CSP but not the rest of the set (per file, not per host:
    hosts sharing a file send the same). HSTS is only expected of an https (or unknown) site."""
    out: list[Finding] = []
    https = None if site_url is None else site_url.origin.startswith("https:")
    seen = set()
    for row in rows:
        sends_csp = any(n.startswith(hosts.CSP) for n in row["sends"])
        if row["file"] is None or row["file"] in seen or not sends_csp:
            continue
        seen.add(row["file"])
        for hname in row["missing"]:
            if hname == hosts.HSTS:
                if https is not False:
                    out.append(Finding(
                        "MISSING_HSTS", "medium" if https else "info",
                        f"{row['file']} does not send {hname}"
                        + ("" if https else " (the site URL is unknown: pass --site-url)")
                        + f"; {row['hsts']}", None, hname, "mkdocs-clarity"))
            elif not hname.startswith(hosts.CSP):
                out.append(Finding("MISSING_COMPANION_HEADER", "info",
                                   f"{row['file']} does not set {hname}", None, hname,
                                   "mkdocs-clarity"))
    return out


def _policy_findings(csp: Csp, scans: list[PageScan], service_ids: set[str]) -> list[Finding]:
    """What CSP Evaluator does not check: styles, breadth, handlers, pre-consent requests."""
    out: list[Finding] = []
    style = csp.effective("style-src") or ()
    if "'unsafe-inline'" in style and not any(cspcheck.is_hash(s) or cspcheck.is_nonce(s)
                                              for s in style):
        out.append(Finding("STYLE_UNSAFE_INLINE", "medium", "'unsafe-inline' in style-src "
                           "allows injected CSS (data exfiltration via selectors, UI "
                           "redressing); hash inline styles instead", "style-src",
                           "'unsafe-inline'", "mkdocs-clarity"))
    if "'unsafe-hashes'" in style:
        pages = tuple(dict.fromkeys(s.path for s in scans for a in s.style_attrs
                                    if not a.injected))
        out.append(Finding("STYLE_UNSAFE_HASHES", "info", "style=\"\" attributes in the theme "
                           "or pages force 'unsafe-hashes' (only the listed exact values are "
                           "allowed); move them into a stylesheet to drop it", "style-src",
                           "'unsafe-hashes'", "mkdocs-clarity", pages))
    for d in ("connect-src", "img-src", "frame-src", "font-src", "media-src", "form-action"):
        values = csp.get(d) if d == "form-action" else csp.effective(d)
        for v in values or ():
            if v in WIDE or (v.startswith(("https://*", "http://*")) and v.count(".") < 2):
                sev: Severity = "medium" if d in ("connect-src", "form-action", "frame-src") else "info"
                out.append(Finding("BROAD_SOURCE", sev, f"{v} in {d} allows any host: "
                                   + ("injected code could send page data anywhere"
                                      if d in ("connect-src", "form-action") else
                                      "list the hosts the site uses"), d, v, "mkdocs-clarity"))
    if "base-uri" not in csp:
        out.append(Finding("MISSING_BASE_URI", "medium", "no base-uri: an injected <base> "
                           "can redirect every relative script URL; set base-uri 'self'",
                           "base-uri", None, "mkdocs-clarity"))
    script = csp.effective("script-src") or ()
    if any("googletagmanager.com" in s for s in script):
        out.append(Finding("TAG_MANAGER_CODE", "medium-maybe", "Google Tag Manager runs "
                           "whatever its container is configured to (Custom HTML tags) — code "
                           "this policy cannot review; restrict container publishing rights",
                           "script-src", next(s for s in script if "googletagmanager" in s),
                           "mkdocs-clarity"))
    attr = csp.effective("script-src-attr") or ()
    inline_ok = "'unsafe-inline'" in attr and not any(
        cspcheck.is_hash(v) or cspcheck.is_nonce(v) for v in attr)
    handler_pages: dict[str, list[str]] = {}
    if not inline_ok and "'unsafe-hashes'" not in attr:
        for s in scans:
            for h in s.event_handlers:
                handler_pages.setdefault(h.attr.lower(), []).append(s.path)
    for name, handler_on in sorted(handler_pages.items()):
        out.append(Finding("INLINE_EVENT_HANDLER", "medium", f"{name}= handler(s) will be "
                           "blocked by the policy (a hash cannot allow an event handler "
                           "without 'unsafe-hashes'): whatever uses them will not work; move "
                           "them into a script file", "script-src-attr", name,
                           "mkdocs-clarity", tuple(dict.fromkeys(handler_on))))
    return out


def _third_party_findings(scans: list[PageScan], site_origin: str | None = None) -> list[Finding]:
    """Requests the pages make to other hosts before the visitor has chosen anything (the
    site's own origin, when known, is not another host)."""
    own = (site_origin or "").rstrip("/").lower()
    pre: dict[str, list[str]] = {}
    for s in scans:
        for r in s.resources:
            if own and r.origin.lower() == own:
                continue
            pre.setdefault(r.origin, []).append(s.path)
    return [Finding("THIRD_PARTY_BEFORE_CONSENT", "medium", f"pages load {origin} before any "
                    "consent: the visitor's IP address and the page URL go to that host"
                    + (FONT_HINT if origin.lower() in FONT_HOSTS else ""), None, origin,
                    "mkdocs-clarity", tuple(dict.fromkeys(pages)))
            for origin, pages in sorted(pre.items())]


FONT_HOSTS = frozenset({"https://fonts.googleapis.com", "https://fonts.gstatic.com"})
"""Google Fonts: the only hosts the font hint is about."""
FONT_HINT = (" (Google Fonts: set theme.font: false in mkdocs.yml, or self-host the fonts "
             "with Material's privacy plugin)")


def _explain(csp: Csp, scans: list[PageScan], policy: Policy | None,
             config_services: list[tuple[str, str]], site_origin: str | None = None,
             theme_needs: Sequence[ThemeNeed] = (),
             ) -> dict[tuple[str, str], tuple[Reason, ...]]:
    """Reasons per (directive, source): build_site_csp's provenance, then scanned facts."""
    from consent_generator.services import catalog

    # A <meta> policy not written by us *is* the deployed policy on an unapplied site: letting
    # it explain itself would make every source "there because it is there". Only the page or
    # theme policies our rewrite merged (kept as ``original``) count as reasons.
    own = [replace(s, csp_metas=tuple(m for m in s.csp_metas if m.ours)) for s in scans]
    site = build_site_csp(policy or Policy(), own, site_origin=site_origin,
                          theme_needs=theme_needs)
    out: dict[tuple[str, str], list[Reason]] = {k: list(v) for k, v in site.provenance.items()}
    cat = catalog()
    for key, category in config_services:
        spec = cat.get(key)
        if spec is None:
            continue
        why = Reason("service", service_label(key, spec.name, category or "?"))
        for d, sources in _service_csp(policy, key, spec).items():
            for s in sources:
                reasons = out.setdefault((d, s), [])
                if why not in reasons:  # the policy given said the same already
                    reasons.append(why)
    for scan in scans:
        for script in scan.inline_scripts:
            if script.injected and ("script-src", script.hash) not in out:
                out.setdefault(("script-src", script.hash), []).append(
                    Reason("inline-script", script.first_line, (scan.path,)))
    result: dict[tuple[str, str], tuple[Reason, ...]] = {}
    for name, sources in csp.directives:
        for src in sources:
            reasons = out.get((name, src)) or _fallback_reason(csp, name, src, out)
            result[(name, src)] = tuple(reasons)
    return result


def _service_csp(policy: Policy | None, key: str,
                 spec: ServiceSpec) -> Mapping[str, tuple[str, ...]]:
    """A service's CSP sources as the build computes them (``ServiceSpec.csp_for`` with the
    policy's params: Matomo's ``{url}`` becomes its origin); without the policy the params
    are unknown and a source made from one is left out rather than read as ``{url}``."""
    svc = next((s for s in policy.services if s.key == key), None) if policy else None
    return svc.csp if svc is not None else spec.csp_for({})


def _fallback_reason(csp: Csp, directive: str, source: str,
                     known: dict[tuple[str, str], list[Reason]]) -> list[Reason]:
    """A source the builder put under another directive (default-src seeding by a merge)."""
    if directive in OWN_KEY_DIRECTIVES:
        return [Reason("extra", f"{OWN_KEY_DIRECTIVES[directive]} (header delivery)")]
    for (d, s), reasons in known.items():
        if s == source and d != directive and reasons:
            return [Reason(r.kind, f"{r.detail} (via {d})", r.pages) for r in reasons]
    return []


def unknown_embeds(scans: list[PageScan], policy: Policy | None,
                   declared: set[str]) -> list[UnknownEmbed]:
    """Every unknown third-party embed, by URL, unless the policy (or the site's consent
    config) declares it as a custom service; each with the entry to paste."""
    from mkdocs_clarity.engine import embeds as emb

    found: dict[str, tuple[str, str, list[str], list[str]]] = {}
    for s in scans:
        for t in s.trackers:
            if t.service != emb.THIRD_PARTY or t.injected:
                continue
            if (policy is not None and emb.claimed_by(policy, t.url)) or \
                    emb.service_key(t.url) in declared:
                continue
            row = found.setdefault(t.url, (t.element or t.kind, emb.directive_of(t.loads),
                                           [], []))
            row[2].append(f"{s.path}:{t.line}")
            if not t.gated:
                row[3].append(f"{s.path}:{t.line}")
    category = policy.unknown_embeds.category if policy is not None else "marketing"
    return [UnknownEmbed(url, element, tuple(dict.fromkeys(pages)), tuple(dict.fromkeys(live)),
                         emb.suggested_entry(url, directive, category))
            for url, (element, directive, pages, live) in sorted(found.items())]


def _embed_findings(embeds: list[UnknownEmbed]) -> list[Finding]:
    """A live unknown embed is the audit's HIGH (it runs without consent); a gated one is
    listed with the entry that names it in the banner and the cookie table."""
    out = []
    for e in embeds:
        pages = tuple(p.rsplit(":", 1)[0] for p in (e.live_pages or e.pages))
        where = ", ".join(e.live_pages or e.pages)
        if e.live_pages:
            out.append(Finding(
                "UNGATED_TRACKER", "high",
                f"unknown third party: {e.element} loads {e.url} without consent ({where}); "
                "apply the policy (mkdocs-clarity apply) so it is gated, and declare it in "
                "consent.yml under services (entry under 'Unknown third-party embeds')",
                None, e.url, "mkdocs-clarity", pages))
        else:
            out.append(Finding(
                "UNKNOWN_EMBED", "info",
                f"unknown third-party embed: {e.element} loads {e.url} ({where}); it is gated "
                "(unknown_embeds) and allowed in the CSP by its exact URL once granted. "
                "Declare it in consent.yml under services so the banner names it and the "
                "cookie table lists what it stores (entry under 'Unknown third-party "
                "embeds')", None, e.url, "mkdocs-clarity", pages))
    return out


def unheld_findings(scans: list[PageScan], csp: Csp | None) -> list[Finding]:
    """Unknown embeds no holder can keep inert (``style=""`` ``url()``, SVG references):
    blocked by the deployed CSP, the feature is silently broken (MEDIUM ``BLOCKED_EMBED``);
    allowed by it (``csp.extra``), or with no CSP at all, it loads before consent (MEDIUM
    ``THIRD_PARTY_BEFORE_CONSENT``). Each names page:line, element, URL and the fix."""
    from mkdocs_clarity.engine import embeds as emb

    found: dict[tuple[str, str, str, bool], list[str]] = {}
    for s in scans:
        for t in s.unheld_embeds:
            directive = emb.directive_of(t.loads)
            sources = csp.effective(directive) if csp is not None else None
            allowed = t.kind != "svg-use" and (sources is None or any(  # None: unrestricted
                emb.source_matches(src, t.url) for src in sources))
            found.setdefault((t.url, t.element, t.kind, allowed), []).append(
                f"{s.path}:{t.line}")
    out = []
    for (url, element, kind, allowed), where in sorted(found.items()):
        pages = tuple(dict.fromkeys(w.rsplit(":", 1)[0] for w in where))
        at = ", ".join(dict.fromkeys(where))
        if allowed:
            out.append(Finding(
                "THIRD_PARTY_BEFORE_CONSENT", "medium",
                f"{element} loads {url} before any consent ({at}) and cannot be gated. "
                f"Fix: {emb.UNHELD_FIX[kind]}", None, url, "mkdocs-clarity", pages))
        else:
            out.append(Finding(
                "BLOCKED_EMBED", "medium",
                f"unknown third-party embed that cannot be gated: {element} loads {url} "
                f"({at}), which the CSP blocks: it never appears, before or after consent. "
                f"Fix: {emb.UNHELD_FIX[kind]}", None, url, "mkdocs-clarity", pages))
    return out


def _gating(scans: list[PageScan]) -> list[ServiceCoverage]:
    from mkdocs_clarity.engine.embeds import THIRD_PARTY

    found: dict[str, tuple[list[str], list[str]]] = {}
    for s in scans:
        for t in s.trackers:
            if t.service == THIRD_PARTY:
                continue  # listed by URL with its entry (unknown_embeds)
            pages, running = found.setdefault(t.service, ([], []))
            pages.append(s.path)
            if not t.gated:
                running.append(s.path)
    return [ServiceCoverage(k, tuple(dict.fromkeys(p)), tuple(dict.fromkeys(r)))
            for k, (p, r) in sorted(found.items())]


_MASKING_GAPS = (
    # (check, example kind, what is unmasked, how to fix it)
    ("UNMASKED_FORM_FIELD", "field", "form field(s) are",
     "add their selector to masking.mask (or use masking mode balanced/strict)"),
    ("UNMASKED_EMAIL", "email", "e-mail address(es) in page text are",
     "use masking mode balanced or add their container to masking.mask"),
    ("UNMASKED_NUMBER", "number",
     "long number(s) (phone, card or customer numbers) in page text are",
     "use masking mode balanced or add their container to masking.mask"),
)


def _masking_findings(masking: MaskingCoverage) -> list[Finding]:
    """One medium finding per kind of item a session recorder would see unmasked."""
    counts = {"field": masking.unmasked_fields, "email": masking.unmasked_emails,
              "number": masking.unmasked_numbers}
    return [Finding(check, "medium",
                    f"{counts[kind]} {what} not masked from session recordings; {fix}",
                    None, None, "mkdocs-clarity", _pages_of(masking.examples, kind))
            for check, kind, what, fix in _MASKING_GAPS if counts[kind]]


def _masking(facts: list[_PageFacts], applies: bool) -> MaskingCoverage:
    if not applies:
        return MaskingCoverage(False)
    totals = {"mf": 0, "uf": 0, "me": 0, "ue": 0, "mn": 0, "un": 0}
    examples: list[tuple[str, str]] = []
    for f in facts:
        g = f.gaps
        if g is None:
            continue
        for key, value in (("mf", g.masked_fields), ("uf", len(g.fields)),
                           ("me", g.masked_emails), ("ue", len(g.emails)),
                           ("mn", g.masked_numbers), ("un", len(g.numbers))):
            totals[key] += value
        for kind, items in (("field", g.fields), ("email", g.emails), ("number", g.numbers)):
            examples += [(f.scan.path, f"{kind} {item}") for item in items]
    return MaskingCoverage(True, len(facts), totals["mf"], totals["uf"], totals["me"],
                           totals["ue"], tuple(examples[:20]), totals["mn"], totals["un"])


def _pages_of(examples: Iterable[tuple[str, str]], kind: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(p for p, w in examples if w.startswith(kind)))


def _dedupe(findings: list[Finding]) -> list[Finding]:
    seen: dict[tuple[str, ...], Finding] = {}
    for f in findings:
        seen.setdefault((*f.key(), f.description), f)
    return list(seen.values())


# --------------------------------------------------------------------------- baseline


def load_baseline(path: str | Path) -> dict[str, Any]:
    """A previous ``--format json`` report."""
    try:
        data = json.loads(Path(path).read_text("utf-8"))
    except FileNotFoundError:
        raise AuditError(f"{path}: baseline report not found") from None
    except ValueError as exc:
        raise AuditError(f"{path}: not a JSON audit report ({exc})") from None
    if not isinstance(data, dict) or data.get("schema_version") != SCHEMA_VERSION:
        raise AuditError(f"{path}: not a schema_version {SCHEMA_VERSION} audit report; "
                         "write it with  mkdocs-clarity audit SITE --format json -o FILE")
    return data


def _source_set(report: dict[str, Any]) -> set[tuple[str, str]]:
    return {(d, e["source"]) for d, entries in report.get("directives", {}).items()
            for e in entries}


def _finding_set(report: dict[str, Any]) -> set[tuple[str, str, str, str]]:
    return {(f["check"], f["severity"], f.get("directive") or "", f.get("value") or "")
            for f in report.get("findings", [])}


def diff_baseline(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """What changed since ``old``: sources (hashes apart, they change with every script edit)
    and findings, added and removed."""
    a, b = _source_set(old), _source_set(new)

    def split(items: set[tuple[str, str]]) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
        hashes = sorted(i for i in items if i[1].startswith("'sha"))
        other = sorted(i for i in items if not i[1].startswith("'sha"))
        return ([{"directive": d, "source": s} for d, s in other],
                [{"directive": d, "source": s} for d, s in hashes])

    added_src, added_hash = split(b - a)
    removed_src, removed_hash = split(a - b)
    fa, fb = _finding_set(old), _finding_set(new)

    def as_json(items: set[tuple[str, str, str, str]]) -> list[dict[str, str]]:
        return [dict(zip(("check", "severity", "directive", "value"), f, strict=True))
                for f in sorted(items)]

    return {"added_sources": added_src, "removed_sources": removed_src,
            "added_hashes": added_hash, "removed_hashes": removed_hash,
            "new_findings": as_json(fb - fa), "resolved_findings": as_json(fa - fb)}

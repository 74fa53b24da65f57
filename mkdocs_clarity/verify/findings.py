"""Turn what the browser did into findings, each naming page, state, host or URL and the fix.

The rules (exit 1 on any finding): no vendor and no undeclared third party before consent, after
Reject all, after revoking, or under GPC; no service of the category GPC refuses after Accept all
with GPC on; no CSP violation (Trusted Types refusals included); every enabled service gated on a
page really loads there after Accept all. A third party whose host the policy's ``csp.extra``
declares is listed, not reported: the site owner allowed it on purpose.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from urllib.parse import urlsplit

from consent_generator.csp_vocabulary import SUBDIRECTIVE_PARENT
from consent_generator.services import catalog
from mkdocs_clarity.verify.model import (
    BEFORE_CONSENT,
    PageResult,
    Request,
    VerifyFinding,
    Violation,
)

GPC_REFUSED = "marketing"
"""The category Global Privacy Control refuses (the runtime's ``GPC_CAT``)."""

_WHEN = {"fresh": "before any consent choice", "reject": "after Reject all",
         "revoke": "after consent was revoked", "gpc": "with GPC on, before any choice"}
_CHECK = {"fresh": "before-consent", "gpc": "before-consent", "reject": "after-reject",
          "revoke": "after-revoke"}

_BASE_DIRECTIVE = SUBDIRECTIVE_PARENT

FIX_VENDOR = ("The build did not gate this loader: a same-origin script or a theme option "
              "loads it. Remove that code (or the theme's analytics option) and let the consent "
              "runtime load the service: enable it under services: in consent.yml.")
FIX_UNKNOWN = ("Gate it: declare it as a custom service in consent.yml (services: NAME: "
               "{category: ..., src: ...}) so it waits for consent. If the site needs it before "
               "consent (fonts, a theme feature), self-host it or set the theme option that does "
               "(Material: theme.font: false), or declare the host in csp.extra.")


def findings(pages: Iterable[PageResult], categories: dict[str, str]) -> list[VerifyFinding]:
    """Every finding over ``pages``, in page order. ``categories``: service key -> category."""
    out: list[VerifyFinding] = []
    for page in pages:
        out += _request_findings(page, categories)
        out += [_violation_finding(page.page, v) for v in _unique_violations(page.violations)]
        out += [VerifyFinding(
            check="vendor-not-loaded", page=page.page, state="accept",
            message=f"{key} is enabled and gated on this page but never loaded after Accept all",
            fix=("Check the CSP violations on this page, the service's parameters in "
                 "consent.yml, and that the page was built with the current policy "
                 "(run mkdocs build or mkdocs-clarity apply again)."))
            for key in page.expected if key not in page.loaded]
    return out


def _first_per_host(requests: Iterable[Request]) -> Iterator[Request]:
    seen: set[tuple[str, str]] = set()
    for r in requests:
        if (r.state, r.host) not in seen:
            seen.add((r.state, r.host))
            yield r


def _request_findings(page: PageResult, categories: dict[str, str]) -> list[VerifyFinding]:
    out = []
    for r in _first_per_host(page.requests):
        if r.state in BEFORE_CONSENT and not r.declared:
            who = f"vendor {r.vendor}" if r.vendor else "unknown third party"
            out.append(VerifyFinding(
                check=("vendor-" if r.vendor else "third-party-") + _CHECK[r.state],
                page=page.page, state=r.state, url=r.url, host=r.host,
                message=f"{who} {r.host} was requested {_WHEN[r.state]} ({r.kind})",
                fix=FIX_VENDOR if r.vendor else FIX_UNKNOWN))
        elif r.state == "gpc-accept" and r.vendor and _refused_under_gpc(r.vendor, categories):
            out.append(VerifyFinding(
                check="vendor-despite-gpc", page=page.page, state=r.state, url=r.url,
                host=r.host,
                message=f"vendor {r.vendor} ({_gpc_reason(r.vendor, categories)}) loaded "
                        "after Accept all with GPC on",
                fix="Keep honor_gpc: true in consent.yml and do not load the service outside "
                    "the consent runtime."))
    return out


def _refused_under_gpc(vendor: str, categories: dict[str, str]) -> bool:
    """Its category is the one GPC refuses, or its own client refuses GPC visitors (the
    catalog's ``gpc.not_loaded``: the runtime never downloads it then)."""
    return categories.get(vendor) == GPC_REFUSED or _client_refuses_gpc(vendor)


def _client_refuses_gpc(vendor: str) -> bool:
    spec = catalog().get(vendor)
    return spec is not None and spec.gpc.not_loaded


def _gpc_reason(vendor: str, categories: dict[str, str]) -> str:
    if _client_refuses_gpc(vendor):
        return "its client refuses GPC visitors, so it must not be downloaded"
    return GPC_REFUSED


def _unique_violations(violations: Iterable[Violation]) -> Iterator[Violation]:
    seen: set[tuple[str, str, str]] = set()
    for v in violations:
        key = (v.state, v.directive, v.blocked)
        if key not in seen:
            seen.add(key)
            yield v


def _violation_finding(page: str, v: Violation) -> VerifyFinding:
    where = f"{v.source}:{v.line}" if v.source else ""
    host = urlsplit(v.blocked).hostname or "" if v.blocked.startswith("http") else ""
    if v.backstop:
        return VerifyFinding(
            check="backstop-refused", page=page, state=v.state, url=v.blocked, host=host,
            directive=v.directive, source=where,
            message=(f"the Trusted Types backstop refused a script URL {_WHEN.get(v.state, '')}"
                     f" ({v.directive}{', ' + v.sample if v.sample else ''})"),
            fix="A script on the page loads code the build did not gate; find it at the "
                "source line and gate it (or remove it).")
    fix, suggestion = _violation_fix(v, host)
    return VerifyFinding(
        check="csp-violation", page=page, state=v.state, url=v.blocked, host=host,
        directive=v.directive, source=where, suggestion=suggestion, fix=fix,
        message=f"CSP {v.directive} blocked {v.blocked or 'a resource'}{_who(v, host)}"
                + (f" at {where}" if where else ""))


def _who(v: Violation, host: str) -> str:
    """For a blocked third party before consent: say so (an embed or tracker the build did not
    gate tried to load)."""
    if not host or v.state not in BEFORE_CONSENT:
        return ""
    return f" (a third party, {_WHEN[v.state]})"


def _violation_fix(v: Violation, host: str) -> tuple[str, str]:
    """What to do about a violation, and the ``csp.extra`` line when allowing it is a fix."""
    directive = _BASE_DIRECTIVE.get(v.directive, v.directive)
    if v.blocked in ("inline", "eval", "wasm-eval", "trusted-types-policy"):
        return (f"The page runs {v.blocked} code the policy does not allow. Rebuild (or run "
                "mkdocs-clarity apply) after the last change to the pages so inline scripts are "
                "hashed; code that needs eval or inline style attributes should be replaced, "
                "never allowed with 'unsafe-*'.", "")
    if host:
        parts = urlsplit(v.blocked)
        source = f"{parts.scheme}://{parts.netloc}"
    elif v.blocked in ("data", "blob"):
        source = f"{v.blocked}:"
    else:
        return ("Find what the page loads at the source line and allow or remove it.", "")
    return ("If this is a feature the site needs (a theme's diagrams, repository facts, "
            "fonts), allow it with the suggested csp.extra line; if it tracks visitors, gate "
            "it as a service instead.",
            f'csp: {{extra: {{{directive}: ["{source}"]}}}}')

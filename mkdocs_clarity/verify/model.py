"""What verify observed and concluded, as typed records with a stable JSON form.

The JSON is a contract for CI scripts: keys are only ever added, and ``schema_version`` changes
when a key changes meaning.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

SCHEMA_VERSION = 1

STATES: tuple[str, ...] = ("fresh", "reject", "accept", "navigate", "revoke", "gpc",
                           "gpc-accept")
"""Each page is seen in these states: a fresh visit (no choice yet), after Reject all, after
Accept all, after one in-site navigation once accepted, after revoking (Reject all in the
preferences, then a reload), a fresh visit with Global Privacy Control on, and Accept all with
GPC on (the category GPC refuses must still not load)."""

BEFORE_CONSENT: frozenset[str] = frozenset({"fresh", "reject", "revoke", "gpc"})
"""States in which no vendor and no unknown third party may be requested."""

MAX_RECORDS = 100
"""Requests, violations and errors kept per page (the rest are counted): memory stays bounded
whatever a page does."""


@dataclass(frozen=True)
class Request:
    """One third-party request the page made, answered locally."""

    state: str
    url: str
    host: str
    kind: str
    """Playwright's resource type: script, document (frames), image, fetch, xhr..."""
    vendor: str | None
    """Catalog service id whose hosts cover the URL, if any."""
    declared: bool
    """The host is in the policy's ``csp.extra``: the site owner allowed it on purpose."""

    def to_json(self) -> dict[str, Any]:
        return {"state": self.state, "url": self.url, "host": self.host, "kind": self.kind,
                "vendor": self.vendor, "declared": self.declared, "answered_locally": True}


@dataclass(frozen=True)
class Violation:
    """A ``securitypolicyviolation`` event as the browser reported it."""

    state: str
    directive: str
    blocked: str
    source: str
    line: int
    sample: str = ""

    @property
    def backstop(self) -> bool:
        """A Trusted Types refusal: the run-time backstop stopped a script URL."""
        return self.directive.startswith(("trusted-types", "require-trusted-types"))

    def to_json(self) -> dict[str, Any]:
        return {"state": self.state, "directive": self.directive, "blocked": self.blocked,
                "source": self.source, "line": self.line, "sample": self.sample,
                "backstop": self.backstop}


@dataclass
class PageResult:
    """Everything seen on one page, over all states."""

    page: str
    url: str
    banner: bool = False
    expected: list[str] = field(default_factory=list)
    """Enabled services with a gated holder on this page: each must load after Accept."""
    loaded: list[str] = field(default_factory=list)
    """Services that really loaded after Accept (script ran / frame requested)."""
    navigated_to: str | None = None
    instant: bool = False
    """The in-site navigation was Material's instant navigation (no full page load)."""
    requests: list[Request] = field(default_factory=list)
    violations: list[Violation] = field(default_factory=list)
    errors: list[tuple[str, str]] = field(default_factory=list)
    console: list[tuple[str, str]] = field(default_factory=list)
    """Console lines that mention Trusted Types (a backstop's own refusal messages)."""
    dropped: int = 0
    states: list[str] = field(default_factory=list)
    """States actually run (a page without the banner runs only fresh and gpc)."""

    def add(self, bucket: list[Any], item: Any) -> None:
        """Append within :data:`MAX_RECORDS`, else count it as dropped."""
        if len(bucket) < MAX_RECORDS:
            bucket.append(item)
        else:
            self.dropped += 1

    def to_json(self) -> dict[str, Any]:
        return {"page": self.page, "url": self.url, "banner": self.banner,
                "states": self.states, "expected_vendors": self.expected,
                "loaded_after_accept": self.loaded, "navigated_to": self.navigated_to,
                "instant_navigation": self.instant,
                "third_party": [r.to_json() for r in self.requests],
                "csp_violations": [v.to_json() for v in self.violations],
                "page_errors": [{"state": s, "message": m} for s, m in self.errors],
                "backstop_console": [{"state": s, "message": m} for s, m in self.console],
                "dropped_records": self.dropped}


@dataclass(frozen=True)
class VerifyFinding:
    """One thing that breaks the promise, with what to do about it."""

    check: str
    page: str
    state: str
    message: str
    fix: str
    url: str = ""
    host: str = ""
    directive: str = ""
    source: str = ""
    suggestion: str = ""
    """An exact ``csp.extra`` line to consider: a suggestion, never applied automatically."""

    def to_json(self) -> dict[str, Any]:
        return {"check": self.check, "page": self.page, "state": self.state,
                "url": self.url, "host": self.host, "directive": self.directive,
                "source": self.source, "message": self.message, "fix": self.fix,
                "suggestion": self.suggestion}


@dataclass
class VerifyReport:
    """The whole run: the site, how it was seen, each page and the findings."""

    site: str
    site_url: str
    site_url_source: str
    browser: str
    vendors: list[dict[str, str]]
    pages: list[PageResult]
    findings: list[VerifyFinding]
    declared_hosts: list[str] = field(default_factory=list)
    screenshot: bytes | None = None
    """PNG of the banner on the first page (the HTML report embeds it)."""

    @property
    def passed(self) -> bool:
        return not self.findings

    def loaded_vendors(self) -> list[str]:
        """Services seen loading after Accept on at least one page."""
        return sorted({v for p in self.pages for v in p.loaded})

    def to_json(self) -> dict[str, Any]:
        from mkdocs_clarity import __version__

        return {"schema_version": SCHEMA_VERSION, "tool": "mkdocs-clarity verify",
                "generator": f"mkdocs-clarity {__version__}", "site": self.site,
                "site_url": {"url": self.site_url, "source": self.site_url_source},
                "browser": self.browser, "states": list(STATES), "passed": self.passed,
                "summary": {"pages": len(self.pages), "findings": len(self.findings),
                            "third_party_requests": sum(len(p.requests) for p in self.pages),
                            "answered_locally": sum(len(p.requests) for p in self.pages),
                            "csp_violations": sum(len(p.violations) for p in self.pages),
                            "page_errors": sum(len(p.errors) for p in self.pages)},
                "vendors": [dict(v, loaded_after_accept=v["key"] in self.loaded_vendors())
                            for v in self.vendors],
                "declared_hosts": self.declared_hosts,
                "findings": [f.to_json() for f in self.findings],
                "pages": [p.to_json() for p in self.pages]}

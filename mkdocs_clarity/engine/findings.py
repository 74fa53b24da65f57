"""The finding type shared by the CSP checks and the site audit, and severity ordering.

Severities and their order are Google CSP Evaluator's (``finding.ts``: HIGH 10, SYNTAX 20,
MEDIUM 30, HIGH_MAYBE 40, STRICT_CSP 45, MEDIUM_MAYBE 50, INFO 60) so a reviewer who knows that
tool reads ours the same way, and ``--fail-on`` thresholds mean the same thing in both.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Severity = Literal["high", "syntax", "medium", "high-maybe", "strict-csp", "medium-maybe",
                   "info"]
Origin = Literal["csp-evaluator", "mkdocs-clarity"]

SEVERITY_RANK: dict[str, int] = {
    "high": 10, "syntax": 20, "medium": 30, "high-maybe": 40, "strict-csp": 45,
    "medium-maybe": 50, "info": 60,
}
FAIL_THRESHOLDS: dict[str, int] = {"high": SEVERITY_RANK["syntax"],
                                   "medium": SEVERITY_RANK["medium"], "never": 0}
"""``--fail-on X`` fails when a finding's rank is at most this. ``high`` includes syntax
errors: a policy the browser misreads is as bad as a weak one."""


@dataclass(frozen=True)
class Finding:
    """One problem, with enough context for a reviewer to act on it.

    ``check`` is CSP Evaluator's ``Type`` name for the checks that tool has (so findings can be
    compared one to one) and an upper-case name of our own for the rest; ``origin`` says which.
    """

    check: str
    severity: Severity
    description: str
    directive: str | None = None
    value: str | None = None
    origin: Origin = "csp-evaluator"
    pages: tuple[str, ...] = field(default=())
    """Site-relative pages the finding was seen on (site-level findings only)."""

    @property
    def rank(self) -> int:
        return SEVERITY_RANK[self.severity]

    def key(self) -> tuple[str, str, str, str]:
        """Identity across runs (for ``--baseline``): no description, no page list."""
        return (self.check, self.severity, self.directive or "", self.value or "")

    def to_json(self) -> dict[str, Any]:
        return {"check": self.check, "severity": self.severity, "origin": self.origin,
                "directive": self.directive, "value": self.value,
                "description": self.description, "pages": list(self.pages)}


def fails(findings: list[Finding], fail_on: str) -> bool:
    """True when ``findings`` hold one at or above the ``--fail-on`` threshold."""
    limit = FAIL_THRESHOLDS[fail_on]
    return any(f.rank <= limit for f in findings)


def sort_findings(findings: list[Finding]) -> list[Finding]:
    """Most severe first, then stable by check, directive and value."""
    return sorted(findings, key=lambda f: (f.rank, f.check, f.directive or "", f.value or ""))

"""Google's CSP Evaluator (npm ``csp_evaluator``) from Python, through Node.

``evaluate(policy)`` returns the evaluator's findings for one serialized policy, the same
checks as csp-evaluator.withgoogle.com (CSP3 + strict-CSP checks). The package is installed by
``make node-deps`` into ``tests/.node/node_modules``; a missing Node or package is an error
(the tests that judge a policy must not silently pass without the judge).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
NODE_DIR = HERE.parent / ".node"
SCRIPT = HERE / "cspeval.mjs"

HIGH = 10
SYNTAX = 20
MEDIUM = 30
HIGH_MAYBE = 40
STRICT_CSP = 45
MEDIUM_MAYBE = 50
INFO = 60


class CspEvaluatorUnavailable(RuntimeError):
    pass


@dataclass(frozen=True)
class Finding:
    type: str
    """The evaluator's finding type name, e.g. ``SCRIPT_ALLOWLIST_BYPASS``."""
    severity: str
    """``high``, ``syntax``, ``medium``, ``high-maybe``, ``strict-csp``, ``medium-maybe``,
    ``info``."""
    severity_code: int
    directive: str
    value: str | None
    description: str

    @property
    def is_high_or_syntax(self) -> bool:
        return self.severity_code in (HIGH, SYNTAX)

    def __str__(self) -> str:
        value = f" {self.value}" if self.value else ""
        return f"[{self.severity}] {self.directive}{value}: {self.description}"


def available() -> str | None:
    """Why the evaluator cannot run, or None when it can."""
    if shutil.which("node") is None:
        return "node is not installed"
    if not (NODE_DIR / "node_modules" / "csp_evaluator").is_dir():
        return "csp_evaluator is not installed: run `make node-deps`"
    return None


def evaluate_many(policies: list[str]) -> list[list[dict]]:
    """Findings for each policy as the bridge's JSON dicts (one Node process for all):
    ``type``, ``severity`` (lower-case name), ``severityCode``, ``directive``, ``value``,
    ``description``."""
    problem = available()
    if problem:
        raise CspEvaluatorUnavailable(problem)
    env = dict(os.environ, CSP_EVALUATOR_BASE=str(NODE_DIR / "node_modules") + "/")
    proc = subprocess.run(["node", str(SCRIPT)], input=json.dumps(policies), text=True,
                          capture_output=True, env=env, timeout=60, check=False)
    if proc.returncode != 0:
        raise CspEvaluatorUnavailable(f"csp_evaluator failed: {proc.stderr.strip()}")
    return json.loads(proc.stdout)


def evaluate(policy: str) -> list[Finding]:
    """Typed findings for one serialized policy."""
    return [Finding(f["type"], f["severity"], f["severityCode"], f["directive"], f["value"],
                    f["description"]) for f in evaluate_many([policy])[0]]

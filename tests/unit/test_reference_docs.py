"""The documentation's reference pages are generated from the code and cannot drift."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from consent_generator import validation
from consent_generator.policy import parse_policy
from consent_generator.policy_reference import KEYS

ROOT = Path(__file__).resolve().parents[2]

# A policy that uses every section, so the loader is asked about every key it accepts.
FULL_POLICY = """
version: 1
mode: opt-in
revision: 2
expiry_days: 182
honor_gpc: true
cookie: {name: site_consent, domain: example.org}
record_endpoint: /consent
categories:
  analytics: {required: false, title: Statistics, description: Counting visits}
services:
  clarity: {project_id: "abcde12345"}
  stats:
    name: Stats
    provider: Example
    description: Counts visits
    privacy_url: https://stats.example.org/privacy
    src: https://stats.example.org/s.js
    category: analytics
    csp: {connect-src: ["https://stats.example.org"]}
    cookies: [{name: st, lifetime: 1 day, purpose: counting}]
masking: {mode: balanced, mask: [form], unmask: [h1]}
csp: {delivery: [meta, netlify], report_only: false, report_uri: /csp, frame_ancestors: ["'self'"], extra: {}, trusted_types: false}
ui: {language: auto, texts: {}, privacy_url: /privacy/}
headers: {hsts: auto, hsts_max_age: 31536000, hsts_include_subdomains: false, hsts_preload: false, cross_origin_resource_policy: same-origin}
unknown_embeds: {category: analytics}
"""


def _accepted_keys(monkeypatch: pytest.MonkeyPatch) -> set[str]:
    """Every key path the real loader accepts, recorded while it parses FULL_POLICY."""
    accepted: set[str] = set()
    original = validation.Reporter.mapping

    def recording(self, node, path, allowed, **kwargs):  # type: ignore[no-untyped-def]
        if allowed is not None:
            generic = re.sub(r"^categories\.[^.]+", "categories.<id>", path)
            generic = re.sub(r"^services\.stats", "services.<name>", generic)
            if not generic.startswith(("services.clarity", "services.<name>.cookies")):
                accepted.update(f"{generic}.{k}" if generic else k for k in allowed)
        return original(self, node, path, allowed, **kwargs)

    monkeypatch.setattr(validation.Reporter, "mapping", recording)
    parse_policy(FULL_POLICY, "full.yml")
    return accepted


def test_every_accepted_key_is_documented_and_every_documented_key_accepted(monkeypatch):
    accepted = _accepted_keys(monkeypatch)
    documented = {k.key for k in KEYS}
    assert accepted - documented == set(), "keys the loader accepts but the reference lacks"
    assert {k for k in documented - accepted if "." in k or k in accepted} == set()
    sections = {k for k in documented if "." not in k}
    assert sections <= {k.split(".")[0] for k in accepted} | {"services"}


def test_generated_reference_pages_match_the_code():
    result = subprocess.run([sys.executable, "scripts/gen_reference.py", "--check"], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr

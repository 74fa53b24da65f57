"""`consent-generator snippet` and the site rewrite state the same CSP for the same policy.

They used to come from two builders that drifted (the snippet's frame-src lacked the 'self'
the site keeps through default-src, and it named no base policy); both now start from
``consent_generator.csp_sources.policy_sources``. The snippet's policy is read from the
INSTALL.txt a user copies, and compared with the site policy of a site with no page facts
(what a ``<meta>`` carries: the header-only settings go to the header files, which the snippet
does not write).
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest

from consent_generator import render
from consent_generator.model import Policy
from consent_generator.policy import parse_policy
from mkdocs_clarity.engine.csp import build_site_csp
from tests.harness import consent_pages as cp

CUSTOM = """
version: 1
record_endpoint: https://proof.example.org/consent
services:
  stats:
    src: https://stats.example.org/s.js
    category: analytics
    csp: {connect-src: ["https://stats.example.org"], frame-src: ["https://w.example.org"]}
    cookies: []
"""

POLICIES = {
    "standard": Policy(services=cp.standard_services()),
    "matomo": Policy(services=(cp.service("matomo", url="https://stats.example.org:8443/m/",
                                          site_id="3"),)),
    "vimeo-and-gtm": Policy(services=(cp.service("vimeo"),
                                      cp.service("google-tag-manager", container_id="GTM-AB12CD"))),
    "same-site-beacon": replace(Policy(services=cp.standard_services()),
                                record_endpoint="/consent"),
    "custom": parse_policy(CUSTOM, "consent.yml"),
    "nothing": Policy(services=()),
    "extra-and-headers": parse_policy(
        "version: 1\nservices: {youtube: {}}\ncsp:\n  delivery: [meta, netlify]\n"
        "  report_uri: https://r.example.org/csp\n  frame_ancestors: [\"'none'\"]\n"
        "  extra: {img-src: [\"https://img.example.org\"], frame-src: [\"https://f.example.org\"],"
        " media-src: [\"https://m.example.org\"]}\n", "consent.yml"),
}


def snippet_csp(policy: Policy, out: Path) -> dict[str, set[str]]:
    """The policy INSTALL.txt tells the user to send, as directive -> sources."""
    render.write_snippet(policy, out)
    text = (out / "INSTALL.txt").read_text("utf-8")
    lines = re.findall(r"^  ([a-z-]+(?: \S+)*);$", text, re.M)
    assert lines, text
    return {d: set(rest) for d, *rest in (line.split(" ") for line in lines)}


@pytest.mark.parametrize("name", sorted(POLICIES))
def test_snippet_and_site_state_the_same_policy(name, tmp_path):
    policy = POLICIES[name]
    site = build_site_csp(policy, [])
    ours = {d: set(sources) for d, sources in site.meta_policy.directives}
    assert snippet_csp(policy, tmp_path) == ours


def test_the_comparison_sees_a_vendor_host(tmp_path):
    # the sources compared are the policy's, not only the base both share
    got = snippet_csp(POLICIES["standard"], tmp_path)
    assert "https://www.youtube-nocookie.com" in got["frame-src"] and "'self'" in got["frame-src"]
    assert any(s.startswith("'sha256-") for s in got["script-src"])

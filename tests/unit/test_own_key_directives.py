"""Directives with their own ``csp.*`` key are refused wherever a policy lists sources per
directive (``csp.extra`` and a custom service's ``csp``), with the key to use instead: the
header deliveries take them from those keys only (csp_vocabulary.OWN_KEY_DIRECTIVES)."""

from __future__ import annotations

import pytest

from consent_generator.csp_vocabulary import OWN_KEY_DIRECTIVES
from consent_generator.policy import PolicyError, parse_policy

CUSTOM = """\
version: 1
services:
  stats:
    src: https://stats.example.org/s.js
    category: analytics
    csp: {{{directive}: ["'self'"]}}
    cookies: []
"""


def problems(text: str) -> list[str]:
    with pytest.raises(PolicyError) as err:
        parse_policy(text, "consent.yml")
    return [str(p) for p in err.value.problems]


@pytest.mark.parametrize("directive", sorted(OWN_KEY_DIRECTIVES))
def test_a_custom_service_cannot_set_a_header_only_directive(directive):
    (problem,) = problems(CUSTOM.format(directive=directive))
    assert f"services.stats.csp.{directive}:" in problem
    assert f"set {OWN_KEY_DIRECTIVES[directive]} instead" in problem


@pytest.mark.parametrize("directive", sorted(OWN_KEY_DIRECTIVES))
def test_csp_extra_cannot_either(directive):
    (problem,) = problems(f"version: 1\ncsp: {{extra: {{{directive}: [\"'self'\"]}}}}\n")
    assert f"csp.extra.{directive}:" in problem
    assert f"set {OWN_KEY_DIRECTIVES[directive]} instead" in problem


def test_a_custom_service_with_ordinary_directives_loads():
    policy = parse_policy(CUSTOM.format(directive="connect-src"), "consent.yml")
    (svc,) = policy.services
    assert svc.csp["connect-src"] == ("'self'",)

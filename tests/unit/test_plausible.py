"""Plausible catalog entry (issue 10): a declared cookieless vendor, its script URL's origin
as the CSP source (the event endpoint's when proxied apart), the older data-domain snippet and
the new plausible.init() one, recognised when pasted."""

from __future__ import annotations

import pytest

from consent_generator import render
from consent_generator.discover import discover
from consent_generator.model import Policy
from consent_generator.policy import PolicyError, parse_policy
from consent_generator.services import get
from tests.harness import consent_pages as cp


def _policy(**params: str) -> Policy:
    return Policy(services=(cp.service("plausible", **params),))


def test_cookieless_is_declared_with_its_reason_and_gated_under_analytics():
    spec = get("plausible")
    assert spec.cookies == () and "no cookie" in spec.cookieless.lower()
    assert "IP address" in spec.cookieless  # why it is still gated
    assert spec.default_category == "analytics" and spec.signal.kind == "load-on-grant"


@pytest.mark.parametrize("params, script, connect", [
    ({"script_url": "https://plausible.io/js/pa-Xy12.js"},
     ("https://plausible.io",), ("https://plausible.io",)),
    ({"script_url": "https://stats.example.org:8443/js/script.outbound-links.js"},
     ("https://stats.example.org:8443",), ("https://stats.example.org:8443",)),
    ({"script_url": "https://plausible.io/js/script.js",
      "endpoint": "https://docs.example.org/proxy/api/event"},
     ("https://plausible.io",), ("https://docs.example.org",)),
])
def test_csp_sources_are_the_origins_of_script_and_endpoint(params, script, connect):
    sources = render.csp_sources(_policy(**params))
    assert tuple(s for s in sources["script-src"] if s.startswith("https:")) == script
    assert tuple(s for s in sources["connect-src"] if s != "'self'") == connect


def test_loader_passes_domain_and_endpoint_as_plausible_documents():
    (old,) = render.service_inline_scripts(_policy(
        script_url="https://plausible.io/js/script.js", domain="docs.example.org"))
    assert "s.setAttribute('data-domain', \"docs.example.org\")" in old
    assert "data-api" not in old and "plausible.init();" in old
    (new,) = render.service_inline_scripts(_policy(
        script_url="https://plausible.io/js/pa-Xy12.js",
        endpoint="https://docs.example.org/p/api/event"))
    assert 'plausible.init({endpoint: "https://docs.example.org/p/api/event"});' in new
    assert "data-domain" not in new


def test_policy_refuses_a_script_url_that_is_not_https_js():
    for bad in ("http://plausible.io/js/script.js", "https://plausible.io/js/"):
        with pytest.raises(PolicyError, match="script_url"):
            parse_policy(f'services:\n  plausible: {{script_url: "{bad}"}}\n')
    parse_policy('services:\n  plausible: {script_url: "https://plausible.io/js/script.js"}\n')


def test_no_adapter_is_shipped_and_nothing_to_clear(tmp_path):
    js = render.runtime_assets(_policy(script_url="https://plausible.io/js/script.js"))[0]
    assert js.content == render.runtime_assets(Policy(services=()))[0].content
    config = render.runtime_config(_policy(script_url="https://plausible.io/js/script.js"),
                                   lang="en")
    (svc,) = config["services"]
    assert (svc["cookies"], svc["storage"], svc["signal"]) == ([], [], "load-on-grant")


def test_pasted_snippets_are_recognised_with_their_params(tmp_path):
    (tmp_path / "old.html").write_text(
        '<html><head><script defer data-domain="docs.example.org" '
        'src="https://plausible.io/js/script.hash.js"></script></head></html>')
    (tmp_path / "new.html").write_text(
        '<html><head><script async src="https://plausible.io/js/pa-Xy12.js"></script><script>'
        "window.plausible=window.plausible||function(){(plausible.q=plausible.q||[]).push("
        "arguments)};plausible.init()</script></head></html>")
    found = discover(tmp_path).services()["plausible"]
    params = {f.where.split(":")[0]: dict(f.params) for f in found}
    assert params["old.html"] == {"domain": "docs.example.org",
                                  "script_url": "https://plausible.io/js/script.hash.js"}
    assert params["new.html"] == {"script_url": "https://plausible.io/js/pa-Xy12.js"}

"""Matomo catalog entry (issue 10): URL parameter becomes the CSP origin, the loader requires
consent before tracking, the adapter ships only with Matomo, cookies are cleared on revoke."""

from __future__ import annotations

import json
import re

from consent_generator import render
from consent_generator.model import Policy
from consent_generator.policy import parse_policy
from tests.harness import consent_pages as cp


def _policy() -> Policy:
    return Policy(services=(cp.service("matomo", url="https://stats.example.org:8443/m/",
                                       site_id="3"),))


def test_csp_sources_are_the_origin_of_the_matomo_url():
    sources = render.csp_sources(_policy())
    for directive in ("script-src", "connect-src", "img-src"):
        assert "https://stats.example.org:8443" in sources[directive]
    assert not any("{" in s for v in sources.values() for s in v)


def test_loader_requires_consent_before_tracking_and_escapes_params():
    (text,) = render.service_inline_scripts(_policy())
    assert text.index("'requireConsent'") < text.index("'trackPageView'")
    assert 'var u="https://stats.example.org:8443/m/"' in text and '"3"' in text


def test_adapter_ships_only_with_matomo_and_cookies_are_declared():
    js = render.runtime_assets(_policy())[0].content.decode()
    assert '["matomo-consent",' in js and "forgetConsentGiven" in js
    assert "forgetConsentGiven" not in render.runtime_assets(Policy(services=()))[0].content.decode()
    config = json.loads(re.search(r'<script type="application/json" id="consent-config">(.*?)'
                                  r"</script>", render.render_head(_policy(), lang="en", root=""),
                                  re.S).group(1))
    (svc,) = config["services"]
    assert svc["signal"] == "matomo-consent"
    for name in ("_pk_id.3.ab12", "_pk_ses.3.ab12", "_pk_ref.3.ab12", "mtm_consent_removed"):
        assert any(re.search(p, name) for p in svc["cookies"]), name


def test_policy_refuses_a_matomo_url_that_is_not_https_or_lacks_the_slash():
    from consent_generator.validation import PolicyError

    for bad in ("http://stats.example.org/", "https://stats.example.org"):
        try:
            parse_policy(f'services:\n  matomo: {{url: "{bad}", site_id: "1"}}\n')
        except PolicyError as exc:
            assert "url" in str(exc.problems[0])
        else:
            raise AssertionError(bad)
    parse_policy('services:\n  matomo: {url: "https://x.matomo.cloud/", site_id: "1"}\n')

"""Matomo end to end in Chromium (issue 10): nothing before consent; on Accept the tracker loads
and hears setConsentGiven; on revoke it hears forgetConsentGiven, sends nothing more and its
cookies are gone. matomo.js is a local stand-in (tests/harness/stubs/matomo.js) following
Matomo's documented consent API; the Matomo server is answered by a local route."""

from __future__ import annotations

from pathlib import Path

import pytest

from consent_generator.model import Policy
from tests.harness import consent_pages as cp
from tests.harness.browser import new_session
from tests.harness.server import serve

MATOMO = "https://matomo.example.org/"
STUB = (Path(__file__).parents[1] / "harness" / "stubs" / "matomo.js").read_text()


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("matomo-site")
    cp.write_assets(root)
    pol = Policy(services=(cp.service("matomo", url=MATOMO, site_id="7"),))
    cp.write_page(root, "matomo", pol)
    with serve(root) as url:
        yield url + "matomo/"


def session(browser):
    s = new_session(browser)
    hits: list[str] = []

    def matomo(route, request):
        s.requests.append(request.url)
        if request.url.endswith("/matomo.js"):
            route.fulfill(status=200, content_type="text/javascript", body=STUB)
        else:
            hits.append(request.url)
            route.fulfill(status=204)

    s.context.route(MATOMO + "**", matomo)
    return s, hits


def pk_cookies(s) -> list[str]:
    return sorted(n for n in s.cookies() if n.startswith(("_pk_", "mtm_")))


def test_matomo_waits_for_consent_and_is_silenced_and_cleaned_on_revoke(browser, site):
    s, hits = session(browser)
    try:
        s.page.goto(site)
        s.page.wait_for_function("() => !!window.siteConsent")
        s.page.wait_for_timeout(300)
        assert s.third_party("matomo") == [] and pk_cookies(s) == []  # nothing before consent

        s.page.get_by_role("button", name="Accept all").click()
        s.page.wait_for_function("() => window.__matomo && window.__matomo.hits === 1")
        calls = s.page.evaluate("window.__matomo.calls")
        assert calls[0] == "requireConsent" and calls[-1] == "setConsentGiven"
        assert "trackPageView" in calls and calls.index("trackPageView") < calls.index("setConsentGiven")
        assert hits == [MATOMO + "matomo.php?idsite=7&action=pageview"]
        assert pk_cookies(s) == ["_pk_id.7.ab12", "_pk_ses.7.ab12"]

        s.page.evaluate("window.siteConsent.deny('analytics')")
        assert s.page.evaluate("window.__matomo.calls")[-1] == "forgetConsentGiven"
        s.page.evaluate("window._paq.push(['trackPageView'])")  # the site tracks again
        s.page.wait_for_timeout(300)
        assert len(hits) == 1  # silenced
        assert pk_cookies(s) == []  # its cookies and its withdrawal marker are cleared

        s.page.reload()
        s.page.wait_for_function("() => !!window.siteConsent")
        s.page.wait_for_timeout(300)
        assert s.page.evaluate("typeof window.__matomo") == "undefined"  # not loaded again
        assert s.csp_violations() == [] and s.page_errors == []
    finally:
        s.context.close()

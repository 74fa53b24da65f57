"""Plausible end to end in Chromium (issue 10): nothing before consent; on Accept the script
loads and counts the page view at its endpoint (the script's origin, or a proxy given apart,
both allowed by the page's CSP); it stores nothing; on revoke the page reloads (a loaded script
cannot be unloaded) and Plausible is neither loaded nor sent anything again. The script is a
local stand-in (tests/harness/stubs/plausible.js) following Plausible's documented snippet;
plausible.io and the proxy are answered by local routes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from consent_generator.model import Policy
from tests.harness import consent_pages as cp
from tests.harness.browser import new_session
from tests.harness.server import serve

SCRIPT = "https://plausible.io/js/pa-Xy12.js"
PROXY = "https://stats.example.org/proxy/api/event"
STUB = (Path(__file__).parents[1] / "harness" / "stubs" / "plausible.js").read_text()


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("plausible-site")
    cp.write_assets(root)
    cp.write_page(root, "cloud", Policy(services=(cp.service("plausible", script_url=SCRIPT),)))
    cp.write_page(root, "proxied", Policy(services=(cp.service(
        "plausible", script_url=SCRIPT, endpoint=PROXY),)))
    with serve(root) as url:
        yield url


def session(browser):
    s = new_session(browser)
    events: list[tuple[str, dict]] = []

    def answer(route, request):
        s.requests.append(request.url)
        if request.url == SCRIPT:
            route.fulfill(status=200, content_type="text/javascript", body=STUB)
        else:
            events.append((request.url, json.loads(request.post_data or "{}")))
            route.fulfill(status=202, headers={"Access-Control-Allow-Origin": "*"})

    for origin in ("https://plausible.io/**", "https://stats.example.org/**"):
        s.context.route(origin, answer)
    return s, events


def stored(s) -> list[str]:
    keys = s.page.evaluate("[...Object.keys(localStorage), ...Object.keys(sessionStorage)]")
    return sorted([*keys, *(n for n in s.cookies() if n != "site_consent")])


@pytest.mark.parametrize("page, endpoint", [("cloud", "https://plausible.io/api/event"),
                                            ("proxied", PROXY)])
def test_plausible_waits_for_consent_and_stops_on_revoke(browser, site, page, endpoint):
    s, events = session(browser)
    try:
        s.page.goto(site + page + "/")
        s.page.wait_for_function("() => !!window.siteConsent")
        s.page.wait_for_timeout(300)
        assert s.third_party("plausible|stats") == []  # nothing before consent

        s.page.get_by_role("button", name="Accept all").click()
        s.page.wait_for_function("() => window.__plausible && window.__plausible.sent.length")
        s.page.wait_for_timeout(300)
        assert [(u, e["n"]) for u, e in events] == [(endpoint, "pageview")]
        assert stored(s) == []  # cookieless: nothing in cookies or Web Storage

        with s.page.expect_navigation():  # revoke: the page reloads (no way to unload it)
            s.page.evaluate("window.siteConsent.deny('analytics')")
        s.page.wait_for_function("() => !!window.siteConsent")
        s.page.wait_for_timeout(300)
        assert s.page.evaluate("typeof window.__plausible") == "undefined"  # not loaded again
        assert len(events) == 1 and s.third_party("plausible|stats") == [SCRIPT, endpoint]
        assert s.csp_violations() == [] and s.page_errors == []
    finally:
        s.context.close()

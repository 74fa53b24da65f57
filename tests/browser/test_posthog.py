"""PostHog end to end in Chromium (issue 10), on a site the product itself applied the policy to
(gating, CSP, masking): nothing before consent; on Accept array.js loads from the assets host
PostHog Cloud implies, hears opt_in_capturing and records, without what the masking policy
marked ph-no-capture; on revoke it hears opt_out_capturing, captures nothing more and its
cookie and storage keys are gone, without a reload; a re-grant resumes it. array.js is a local
stand-in (tests/harness/stubs/posthog.js) following posthog-js's documented consent API, not
the real client; PostHog's hosts are answered by local routes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from consent_generator.model import Policy
from mkdocs_clarity.engine.site import apply_site
from tests.harness import consent_pages as cp
from tests.harness.browser import new_session
from tests.harness.server import serve

KEY = "phc_AbCdEfGhIjKlMnOpQrStUvWxYz0123"
STUB = (Path(__file__).parents[1] / "harness" / "stubs" / "posthog.js").read_text()
PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>PostHog</title>
</head><body><main><h1>Welcome to the docs</h1>
<p>Write to <a href="mailto:help@example.org">help@example.org</a> for help.</p>
<form action="/search"><input name="q"></form>
</main></body></html>"""


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("posthog-site")
    (root / "index.html").write_text(PAGE, encoding="utf-8")
    policy = Policy(services=(cp.service("posthog", project_key=KEY,
                                         api_host="https://eu.i.posthog.com"),))
    apply_site(root, policy, jobs=1)
    with serve(root) as url:
        yield url


def session(browser):
    s = new_session(browser)
    sent: list[tuple[str, dict]] = []

    def posthog(route, request):
        s.requests.append(request.url)
        cors = {"Access-Control-Allow-Origin": "*"}
        if request.url == "https://eu-assets.i.posthog.com/static/array.js":
            route.fulfill(status=200, content_type="text/javascript", body=STUB, headers=cors)
        else:
            sent.append((request.url, json.loads(request.post_data or "{}")))
            route.fulfill(status=200, content_type="application/json", body="{}", headers=cors)

    s.context.route("https://*.posthog.com/**", posthog)
    return s, sent


def ph_state(s) -> list[str]:
    keys = s.page.evaluate("[...Object.keys(localStorage), ...Object.keys(sessionStorage)]")
    return sorted([*(k for k in keys if "ph_" in k),
                   *(n for n in s.cookies() if n.startswith("ph_"))])


def events(sent) -> list[str]:
    return [e["event"] for _, e in sent]


def test_posthog_is_told_on_accept_and_silenced_and_cleaned_on_revoke(browser, site):
    s, sent = session(browser)
    try:
        s.page.goto(site)
        s.page.wait_for_function("() => !!window.siteConsent")
        s.page.wait_for_timeout(300)
        assert s.third_party("posthog") == [] and ph_state(s) == []  # nothing before consent

        s.page.get_by_role("button", name="Accept all").click()
        s.page.wait_for_function("() => window.__posthog && window.__posthog.sent.length >= 2")
        s.page.wait_for_timeout(300)
        assert s.page.evaluate("window.__posthog.calls")[:2] == ["init", "opt_in_capturing"]
        assert events(sent) == ["$pageview", "$snapshot"]
        (snapshot,) = [e for u, e in sent if u == "https://eu.i.posthog.com/s/"]
        assert "Welcome to the docs" in snapshot["text"]
        assert "help@example.org" not in snapshot["text"]  # ph-no-capture from the policy
        assert ph_state(s) == [f"__ph_opt_in_out_{KEY}", f"ph_{KEY}_posthog",
                               f"ph_{KEY}_posthog", f"ph_{KEY}_window_id"]

        s.page.evaluate("window.__samePage = true; window.siteConsent.deny('analytics')")
        assert s.page.evaluate("window.__posthog.calls.slice(-2)") == [
            "opt_out_capturing", "stopSessionRecording"]
        s.page.evaluate("window.posthog.capture('after-revoke')")  # the site captures again
        s.page.wait_for_timeout(300)
        assert events(sent) == ["$pageview", "$snapshot"]  # silenced
        assert ph_state(s) == []  # cookie, localStorage and sessionStorage keys cleared
        assert s.page.evaluate("window.__samePage") is True  # no reload was needed

        s.page.evaluate("window.siteConsent.grant('analytics')")
        s.page.evaluate("window.posthog.capture('back')")
        s.page.wait_for_timeout(300)
        assert s.page.evaluate("window.__posthog.calls").count("startSessionRecording") == 1
        assert events(sent)[2:] == ["$snapshot", "back"]
        assert s.csp_violations() == [] and s.page_errors == []
    finally:
        s.context.close()

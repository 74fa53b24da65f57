"""Hotjar end to end in Chromium (issue 10), on a site the product itself applied the policy to
(gating, CSP, masking): nothing before consent; on Accept the tracking code loads and records,
without the text the masking policy marked data-hj-suppress (the same elements that get
data-clarity-mask); on revoke its _hj cookies and Web Storage keys are gone and the page
reloads without it (Hotjar has no stop call). hotjar-<id>.js is a local stand-in
(tests/harness/stubs/hotjar.js) following Hotjar's documented tracking code; Hotjar's hosts
are answered by local routes."""

from __future__ import annotations

from pathlib import Path

import pytest

from consent_generator.model import Policy
from mkdocs_clarity.engine.site import apply_site
from tests.harness import consent_pages as cp
from tests.harness.browser import new_session
from tests.harness.server import serve

SITE_ID = "1234567"
STUB = (Path(__file__).parents[1] / "harness" / "stubs" / "hotjar.js").read_text()
PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Hotjar</title>
</head><body><main><h1>Welcome to the docs</h1>
<p>Write to <a href="mailto:help@example.org">help@example.org</a> for help.</p>
<form action="/search"><input name="q" value="secret query"></form>
</main></body></html>"""


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("hotjar-site")
    (root / "index.html").write_text(PAGE, encoding="utf-8")
    apply_site(root, Policy(services=(cp.service("hotjar", site_id=SITE_ID),)), jobs=1)
    with serve(root) as url:
        yield url


def session(browser):
    s = new_session(browser)
    sent: list[tuple[str, str]] = []

    def hotjar(route, request):
        s.requests.append(request.url)
        if request.url.startswith("https://static.hotjar.com/c/hotjar-"):
            route.fulfill(status=200, content_type="text/javascript", body=STUB)
        else:
            sent.append((request.url, request.post_data or ""))
            route.fulfill(status=204, headers={"Access-Control-Allow-Origin": "*"})

    s.context.route("https://*.hotjar.com/**", hotjar)
    return s, sent


def hj_state(s) -> list[str]:
    keys = s.page.evaluate("[...Object.keys(localStorage), ...Object.keys(sessionStorage)]")
    return sorted([*(k for k in keys if k.startswith("_hj")),
                   *(n for n in s.cookies() if n.startswith("_hj"))])


def test_hotjar_waits_records_masked_and_is_cleaned_on_revoke(browser, site):
    s, sent = session(browser)
    try:
        s.page.goto(site)
        s.page.wait_for_function("() => !!window.siteConsent")
        s.page.wait_for_timeout(300)
        assert s.third_party("hotjar") == [] and hj_state(s) == []  # nothing before consent

        s.page.get_by_role("button", name="Accept all").click()
        s.page.wait_for_function("() => window.__hotjar && window.__hotjar.sent.length")
        s.page.wait_for_timeout(300)
        ((url, recorded),) = sent
        assert url == f"https://in.hotjar.com/api/v2/client/sites/{SITE_ID}/recording"
        assert "Welcome to the docs" in recorded
        assert "help@example.org" not in recorded  # masked by the policy for Hotjar too
        assert s.page.locator("form[data-hj-suppress][data-clarity-mask]").count() == 1
        assert hj_state(s) == ["_hjRecordingEnabled", f"_hjSessionUser_{SITE_ID}",
                               f"_hjSessionUser_{SITE_ID}", f"_hjSession_{SITE_ID}"]

        with s.page.expect_navigation():  # revoke: Hotjar cannot be stopped: reload
            s.page.evaluate("window.siteConsent.deny('analytics')")
        s.page.wait_for_function("() => !!window.siteConsent")
        s.page.wait_for_timeout(300)
        assert s.page.evaluate("typeof window.__hotjar") == "undefined"  # not loaded again
        assert hj_state(s) == []  # cookies and both storages cleared
        assert len(sent) == 1
        assert s.csp_violations() == [] and s.page_errors == []
    finally:
        s.context.close()

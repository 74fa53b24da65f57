"""The default `mkdocs` theme fixture in Chromium, page by page, before and after consent."""

from __future__ import annotations

import pytest

from tests.build.sites import open_page, serve_fixture, wait_for_request, wait_until

pytestmark = pytest.mark.browser

VENDORS = r"clarity\.ms|bing\.com|google|youtube|vimeo"
PAGES = ("", "guide/", "guide/video/", "raw.html", "404.html")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    with serve_fixture("default", tmp_path_factory.mktemp("default-site")) as served:
        yield served


def _errors(session):
    # The harness answers the theme's highlight.js (cdnjs) with an empty stub, so the theme's
    # `hljs.highlightAll()` call fails; the request itself passing the CSP is what we check.
    return [e for e in session.page_errors if "hljs is not defined" not in e]


def _vendor_requests(session):
    return [u for u in session.third_party(VENDORS) if "fonts.googleapis" not in u]


@pytest.mark.parametrize("path", PAGES)
def test_page_before_consent(session, site, path):
    base, _ = site
    page = open_page(session, base + path)
    assert session.csp_violations() == []
    assert _errors(session) == []
    assert _vendor_requests(session) == []
    if path != "raw.html":  # raw.html is copied from docs/, not themed
        # the theme's CDN script (an exact-path source in script-src) was fetched
        assert any("highlight.min.js" in u for u in session.third_party("cdnjs"))
    if path not in ("raw.html", "404.html"):  # 404 extends base.html, not our main.html
        assert page.evaluate("window.__themeScript") == "ran"  # theme inline script
    assert page.get_by_role("button", name="Accept all").is_visible()
    if path == "":
        assert page.locator("#content-marker").text_content() == "content script ran"
        assert page.locator(".account").get_attribute("data-clarity-mask") == "true"
        assert page.locator(".post-title").get_attribute("data-clarity-unmask") == "true"
    if path == "raw.html":  # CRLF in the file: the hash is over the LF-normalised text
        assert page.locator("#raw-marker").text_content() == "crlf script ran"
    if path == "guide/video/":
        # the theme's own policy (connect-src https://api.example.org) was merged
        wait_until(page, "document.getElementById('api-result').textContent !== "
                               "'no fetch'")
        assert page.locator("#api-result").text_content() == "fetched"
        assert page.locator("#yt").get_attribute("src") is None


def test_pasted_clarity_loader_runs_only_after_consent(session, site):
    base, _ = site
    page = open_page(session, base + "guide/")
    page.wait_for_timeout(300)
    assert session.third_party(r"clarity\.ms") == []
    assert page.evaluate("typeof window.clarity") == "undefined"
    page.get_by_role("button", name="Accept all").click()
    wait_for_request(session, "/tag/pasted1234")  # the pasted loader, after the policy's
    tags = session.third_party(r"^www\.clarity\.ms$")
    assert any(u.endswith("/tag/pasted1234") for u in tags), tags
    page.wait_for_timeout(300)
    assert session.csp_violations() == []
    assert _errors(session) == []


def test_youtube_iframe_loads_after_consent_from_nocookie_host(session, site):
    base, _ = site
    page = open_page(session, base + "guide/video/")
    assert session.third_party("youtube") == []
    page.get_by_role("button", name="Accept all").click()
    wait_until(page, "document.getElementById('yt').getAttribute('src')")
    src = page.locator("#yt").get_attribute("src")
    assert src.startswith("https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ")
    page.wait_for_timeout(300)
    assert any("youtube-nocookie.com" in u for u in session.third_party("youtube"))
    assert session.csp_violations() == []


def test_reject_keeps_everything_off_across_pages(session, site):
    base, _ = site
    page = open_page(session, base + "guide/")
    page.get_by_role("button", name="Reject all").click()
    for path in ("guide/video/", ""):
        open_page(session, base + path)
    page.wait_for_timeout(300)
    assert _vendor_requests(session) == []
    assert session.csp_violations() == []

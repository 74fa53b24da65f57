"""The Material fixture (navigation.instant) in Chromium: page by page, then across instant
navigation, where Material swaps the content and re-runs its scripts without attributes."""

from __future__ import annotations

import re

import pytest

from tests.build.sites import open_page, serve_fixture, wait_for_request, wait_until

pytestmark = pytest.mark.browser

VENDORS = r"clarity\.ms|bing\.com|googletagmanager|google-analytics|youtube|vimeo"
PAGES = ("", "guide/", "guide/video/", "raw.html", "404.html")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    with serve_fixture("material", tmp_path_factory.mktemp("material-site")) as served:
        yield served


def _instant_click(page, name: str, url_part: str):
    """Follow a content link and prove Material did it without a full reload."""
    page.evaluate("window.__noReload = 'same document'")
    page.locator("article a", has_text=name).first.click()
    page.wait_for_url(re.compile(re.escape(url_part) + "$"))
    wait_until(page, "document.querySelector('h1') !== null")
    assert page.evaluate("window.__noReload") == "same document", "full reload happened"


@pytest.mark.parametrize("path", PAGES)
def test_page_before_consent(session, site, path):
    base, _ = site
    page = open_page(session, base + path)
    assert session.csp_violations() == []
    assert session.page_errors == []
    assert session.third_party(VENDORS) == []
    assert page.get_by_role("button", name="Accept all").is_visible()
    if path != "raw.html":
        # Material's Google Fonts stylesheet is a resource the CSP allows (and names)
        assert session.third_party(r"fonts\.googleapis\.com")
    if path not in ("raw.html", "404.html"):
        assert page.evaluate("window.__themeScript") == "ran"
    if path == "":
        assert page.locator("#content-marker").text_content() == "content script ran"
        assert page.locator(".account").get_attribute("data-clarity-mask") == "true"
    if path == "raw.html":
        assert page.locator("#raw-marker").text_content() == "crlf script ran"


def test_instant_navigation_keeps_gating_and_banner(session, site):
    base, _ = site
    page = open_page(session, base)
    _instant_click(page, "guide", "/guide/")
    wait_until(page, "window.__guideRuns === 1")  # content scripts re-run by Material
    page.wait_for_timeout(300)
    # the pasted loader sits in a <template>: Material did not run it
    assert session.third_party(r"clarity\.ms") == []
    assert page.evaluate("typeof window.clarity") == "undefined"
    assert session.csp_violations() == []

    page.get_by_role("button", name="Accept all").click()
    wait_for_request(session, "/tag/pasted1234")  # the pasted loader, after the policy's
    page.wait_for_timeout(300)
    tags = [u for u in session.third_party(r"^www\.clarity\.ms$") if "/tag/" in u]
    assert any(u.endswith("/tag/pasted1234") for u in tags), tags
    assert session.page_errors == []

    _instant_click(page, "video", "/guide/video/")
    wait_until(page, "document.getElementById('yt') && "
                           "document.getElementById('yt').getAttribute('src')")
    assert page.locator("#yt").get_attribute("src").startswith(
        "https://www.youtube-nocookie.com/embed/")
    wait_until(page, "document.getElementById('api-result').textContent === 'fetched'")
    assert session.csp_violations() == []
    assert page.evaluate("window.__noReload") == "same document"


def test_instant_navigation_without_consent_never_runs_gated_code(session, site):
    base, _ = site
    page = open_page(session, base)
    page.get_by_role("button", name="Reject all").click()
    _instant_click(page, "guide", "/guide/")
    _instant_click(page, "video", "/guide/video/")
    page.wait_for_timeout(400)
    assert page.locator("#yt").get_attribute("src") is None
    assert session.third_party(VENDORS) == []
    assert page.evaluate("typeof window.clarity") == "undefined"
    assert session.csp_violations() == []
    # the preferences stay reachable after navigation (the footer link)
    page.locator("a[data-consent-open]").first.click()
    assert page.get_by_role("button", name="Save preferences").is_visible()

"""Theme run-time features under the generated CSP, in Chromium (issue 12).

The Material fixture ``material_features`` switches on what Material fetches at run time:
``repo_url`` (repository facts from GitHub's API, stubbed), a Mermaid fence (Mermaid from
unpkg, answered with the real npm package), the blog plugin and mkdocs-redirects listed
*after* clarity. Every page must show no CSP violation before and after "Accept all".
"""

from __future__ import annotations

import pytest

from tests.build.sites import open_page, serve_fixture, wait_until

pytestmark = pytest.mark.browser

PAGES = ("", "diagram/", "blog/", "old/", "older/page/", "404.html")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    with serve_fixture("material_features", tmp_path_factory.mktemp("mf")) as served:
        yield served


def _accept(page) -> None:
    page.get_by_role("button", name="Alle akzeptieren").click()
    wait_until(page, "window.siteConsent.accepted('analytics')")


@pytest.mark.parametrize("path", PAGES)
def test_no_csp_violation_before_and_after_accept(session, site, path):
    base, _ = site
    page = open_page(session, base + path)
    page.wait_for_timeout(300)
    assert session.csp_violations() == []
    assert session.third_party(r"google|clarity") == []
    _accept(page)
    page.wait_for_timeout(300)
    assert session.csp_violations() == []


def test_mermaid_renders_and_repository_facts_appear(session, site):
    base, _ = site
    page = open_page(session, base + "diagram/")
    # Material renders the SVG into a *closed* shadow root of a new div.mermaid that
    # replaces the fence's <pre>: seen from outside as that div with the diagram's size.
    wait_until(page, "document.querySelector('pre.mermaid') === null"
                     " && document.querySelector('div.mermaid') !== null", 20)
    box = page.locator("div.mermaid").bounding_box()
    assert box and box["height"] > 30 and box["width"] > 100, box
    assert session.page_errors == []
    assert any("unpkg.com/mermaid@11" in u for u in session.third_party(r"unpkg"))
    wait_until(page, "document.querySelector('.md-source__fact--stars') !== null", 10)
    assert page.locator(".md-source__fact--stars").first.text_content().strip() == "4.3k"
    assert "v9.9.9" in page.locator(".md-source__fact--version").first.text_content()
    assert session.csp_violations() == []


def test_one_google_analytics_property_after_accept(session, site):
    base, _ = site
    page = open_page(session, base)
    _accept(page)
    wait_until(page, "Array.isArray(window.__gtagCommands) && window.__gtagCommands.length > 0")
    page.wait_for_timeout(300)
    loads = [u for u in session.third_party(r"googletagmanager") if "gtag/js" in u]
    assert len(loads) == 1 and "G-ABCDE12345" in loads[0], loads

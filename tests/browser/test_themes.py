"""Theme run-time features under the generated CSP, in Chromium (issue 12).

The Material fixture ``material_features`` switches on what Material fetches at run time:
``repo_url`` (repository facts from GitHub's API, stubbed), a Mermaid fence (Mermaid from
unpkg, answered with the real npm package), the blog plugin and mkdocs-redirects listed
*after* clarity. Every page must show no CSP violation before and after "Accept all".
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.build.sites import open_page, serve_fixture, wait_until
from tests.harness.axe import run_axe

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


# -- the consent UI inside the theme ---------------------------------------------------------

SHOTS = Path(__file__).parents[1] / ".screenshots"


@pytest.fixture(scope="module")
def mkdocs_dark(tmp_path_factory):
    with serve_fixture("mkdocs_dark", tmp_path_factory.mktemp("md")) as served:
        yield served


def _shoot(page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"))


def _contrast(page, *include: str) -> list[dict]:
    found = run_axe(page, list(include))
    return [v for v in found if v["id"] == "color-contrast"]


def _banner_and_dialog(page, name: str, manage: str) -> None:
    page.wait_for_timeout(300)  # the banner's entry animation
    assert _contrast(page, ".cc-banner", ".consent-footer-link") == []
    _shoot(page, f"{name}-banner")
    page.get_by_role("button", name=manage).click()
    page.locator("#cc-prefs summary").first.click()  # open a "Services" list
    page.wait_for_timeout(200)
    assert _contrast(page, "#cc-prefs") == []
    _shoot(page, f"{name}-dialog")


@pytest.mark.parametrize("scheme", ["default", "slate"])
def test_material_footer_link_translated_and_colours(session, site, scheme):
    base, _ = site
    page = open_page(session, base + "diagram/")
    if scheme == "slate":
        page.locator("label[title='Dunkel']").first.click()
        wait_until(page, "document.body.dataset.mdColorScheme === 'slate'")
    link = page.locator(".md-footer .md-copyright a[data-consent-open]")
    assert link.count() == 1 and link.text_content() == "Cookie-Einstellungen"
    assert page.locator("body > p.consent-reopen, .consent-footer").count() == 0
    _banner_and_dialog(page, f"material-{scheme}", "Einstellungen verwalten")
    if scheme == "slate":  # the dialog is dark with the theme
        bg = page.evaluate("getComputedStyle(document.querySelector('#cc-prefs'))"
                           ".backgroundColor")
        assert bg == "rgb(31, 32, 38)", bg


def test_material_phone_dialog_buttons_without_scrolling(browser, site):
    from tests.harness.browser import new_session

    base, _ = site
    s = new_session(browser, viewport={"width": 390, "height": 844}, is_mobile=True,
                    has_touch=True)
    try:
        page = open_page(s, base)
        page.wait_for_timeout(300)
        _shoot(page, "material-phone-banner")
        page.get_by_role("button", name="Einstellungen verwalten").click()
        page.wait_for_timeout(200)
        save = page.get_by_role("button", name="Einstellungen speichern")
        box = save.bounding_box()
        assert box and box["y"] + box["height"] <= 844, box
        dialog = page.locator("#cc-prefs").bounding_box()
        assert dialog and dialog["x"] >= 0 and dialog["x"] + dialog["width"] <= 390, dialog
        _shoot(page, "material-phone-dialog")
        assert s.csp_violations() == []
    finally:
        s.context.close()


def test_mkdocs_theme_dark_footer_and_single_analytics(session, mkdocs_dark):
    base, _ = mkdocs_dark
    page = open_page(session, base)
    assert page.evaluate("document.documentElement.dataset.bsTheme") == "dark"
    link = page.locator("footer a[data-consent-open]")
    assert link.count() == 1 and link.text_content() == "Cookie-Einstellungen"
    page.wait_for_timeout(300)
    assert session.csp_violations() == []
    _banner_and_dialog(page, "mkdocs-dark", "Einstellungen verwalten")
    page.keyboard.press("Escape")
    # axe-core itself XHR-fetches cross-origin stylesheets (highlight.js CSS) to read their
    # rules: connect-src rightly refuses; count from here on.
    seen = len(session.csp_violations())
    assert session.third_party(r"google") == []
    page.get_by_role("button", name="Alle akzeptieren").first.click()
    wait_until(page, "window.siteConsent.accepted('analytics')")
    page.wait_for_timeout(300)
    loads = [u for u in session.third_party(r"googletagmanager") if "gtag/js" in u]
    assert len(loads) == 1, loads
    assert session.csp_violations()[seen:] == []


@pytest.fixture(scope="module")
def readthedocs(tmp_path_factory):
    """The mkdocs_dark fixture on the readthedocs theme (no colour modes: light)."""
    from tests.build.sites import build, copy_fixture, set_site_url
    from tests.harness.server import free_port, serve

    root = copy_fixture("mkdocs_dark", tmp_path_factory.mktemp("rtd"))
    cfg = root / "mkdocs.yml"
    cfg.write_text(cfg.read_text().replace("name: mkdocs", "name: readthedocs"))
    port = free_port()
    set_site_url(root, f"http://127.0.0.1:{port}/")
    built = build(root)
    assert built.ok, built.proc.stderr
    with serve(built.site, port=port) as base:
        yield base


def test_readthedocs_footer_link_contrast_and_screenshots(browser, readthedocs):
    from tests.harness.browser import new_session

    for name, size in (("readthedocs-light", {"width": 1280, "height": 720}),
                       ("readthedocs-phone", {"width": 390, "height": 844})):
        s = new_session(browser, viewport=size)
        try:
            page = open_page(s, readthedocs)
            link = page.locator("footer a[data-consent-open]")
            assert link.count() == 1 and link.text_content() == "Cookie-Einstellungen"
            page.wait_for_timeout(300)
            assert s.csp_violations() == []
            _banner_and_dialog(page, name, "Einstellungen verwalten")
            save = page.get_by_role("button", name="Einstellungen speichern").bounding_box()
            assert save and save["y"] + save["height"] <= size["height"], save
        finally:
            s.context.close()

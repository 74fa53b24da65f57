"""A pasted ``<style>`` that imports a sheet and a web font from a host no service or theme
claims, applied with the default policy and opened in Chromium (the font host answered
locally with a real font): held in a ``<template>``, nothing is requested before consent;
after "Accept all" the runtime inserts the style, the sheet applies and the font loads, with
zero CSP violations (its hash and both exact URLs are in the policy)."""

from __future__ import annotations

from pathlib import Path

import mkdocs
import pytest

from consent_generator.model import Policy
from mkdocs_clarity.engine.site import apply_site
from tests.build.sites import open_page, wait_for_request, wait_until
from tests.harness.server import serve

pytestmark = pytest.mark.browser

HOST = "https://fonts.unknown.test"
SHEET = HOST + "/css/family.css"
FONT = HOST + "/files/held.woff2"
PAGE = f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Fonts</title>
<style>@import url("{SHEET}");
@font-face {{ font-family: HeldFont; src: url({FONT}) format("woff2"); }}
#text {{ font-family: HeldFont, serif; }}</style>
</head><body><main><h1>Fonts</h1><p id="text" class="imported">Some text in the font</p>
</main><footer><p>footer</p></footer></body></html>
"""
FONT_FILE = Path(mkdocs.__file__).parent / "themes/readthedocs/css/fonts/lato-normal.woff2"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("embeds-style") / "site"
    root.mkdir()
    (root / "index.html").write_text(PAGE, "utf-8")
    report = apply_site(root, Policy(), jobs=1)
    assert any("<style> @import" in n and SHEET in n for n in report.gating_notes)
    with serve(root) as base:
        yield root, base


def _route_font_host(session) -> None:
    """The font host: the imported sheet colours the paragraph, the font is a real woff2."""
    def handle(route, request):
        session.requests.append(request.url)
        if request.url.startswith(SHEET):
            route.fulfill(status=200, content_type="text/css",
                          body=".imported { color: rgb(1, 2, 3); }")
        else:
            route.fulfill(status=200, content_type="font/woff2", body=FONT_FILE.read_bytes(),
                          headers={"Access-Control-Allow-Origin": "*"})

    session.context.route(HOST + "/**", handle)


def test_held_style_loads_nothing_before_consent_and_everything_after(session, site):
    root, base = site
    assert "<template data-consent-category=\"marketing\"" in \
        (root / "index.html").read_text("utf-8")
    _route_font_host(session)
    page = open_page(session, base)
    page.wait_for_timeout(300)  # what the page would load on its own has been requested
    assert session.third_party() == []
    color = "getComputedStyle(document.getElementById('text')).color"
    assert page.evaluate(color) != "rgb(1, 2, 3)"
    assert session.csp_violations() == []

    page.get_by_role("button", name="Accept all").click()
    wait_until(page, f"{color} === 'rgb(1, 2, 3)'")
    wait_for_request(session, FONT)
    wait_until(page, "[...document.fonts].some(f => f.family.replace(/\"/g, '') === "
                     "'HeldFont' && f.status === 'loaded')")
    page.wait_for_timeout(300)  # a violation report would have arrived
    assert session.csp_violations() == []
    assert session.page_errors == []
    assert set(session.third_party()) == {FONT, SHEET}

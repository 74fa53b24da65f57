"""An off-site ``<base href>`` that is no vendor's, in Chromium: the build warns about it (see
tests/unit/test_base_href.py) and says the site's CSP makes browsers ignore it. Proven here:
raw, the base sends the page's relative image to the third party; applied, ``base-uri 'self'``
keeps the document's base at the page (a violation is reported), and nothing reaches the
third party before or after "Accept all"."""

from __future__ import annotations

import pytest

from consent_generator.model import Policy
from mkdocs_clarity.engine.site import apply_site
from tests.build.sites import open_page, wait_until
from tests.harness.server import serve

pytestmark = pytest.mark.browser

EVIL = "https://evil.example/"
PAGE = f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Base</title>
<base href="{EVIL}">
</head><body><main><h1>Base</h1><img id="pic" src="pic.png" alt="pic" width="4" height="4">
</main></body></html>
"""
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c63f8cfc0f01f0005000201a5f6e0"
                    "e80000000049454e44ae426082")


def _site(root, *, applied: bool):
    root.mkdir()
    (root / "index.html").write_text(PAGE, "utf-8")
    (root / "pic.png").write_bytes(PNG)
    if applied:
        report = apply_site(root, Policy(), jobs=1)
        assert any(w.startswith(f"index.html:2: off-site <base href> {EVIL}")
                   for w in report.warnings), report.warnings
        assert report.csp.policy.get("base-uri") == ("'self'",)


def test_raw_the_base_retargets_the_relative_image(session, tmp_path):
    _site(tmp_path / "raw", applied=False)
    with serve(tmp_path / "raw") as base:
        page = session.page  # no consent runtime on the raw page
        page.goto(base, wait_until="load")
        page.wait_for_timeout(300)
        assert page.evaluate("document.baseURI") == EVIL
        assert session.third_party() == [EVIL + "pic.png"]


def test_applied_the_csp_makes_chromium_ignore_it(session, tmp_path):
    _site(tmp_path / "applied", applied=True)
    with serve(tmp_path / "applied") as base:
        page = open_page(session, base)
        page.wait_for_timeout(300)
        assert page.evaluate("document.baseURI").startswith(base)
        assert session.third_party() == []
        assert any("base-uri" in v for v in session.csp_violations()), session.console
        page.get_by_role("button", name="Accept all").click()
        wait_until(page, "document.getElementById('pic') && "
                         "document.getElementById('pic').complete")
        page.wait_for_timeout(300)
        assert session.third_party() == []
        assert page.evaluate("document.getElementById('pic').src") == base.rstrip("/") + \
            "/pic.png"
        assert page.evaluate("document.getElementById('pic').naturalWidth") == 1

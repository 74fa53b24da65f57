"""A pasted Disqus thread (and a third-party image and frame) that no service or theme
claims, applied with the default policy and opened in Chromium, every third party answered
locally: nothing is requested before consent; after "Accept all" each loads with zero CSP
violations (the CSP allows each exact URL); the audit lists each with its custom entry."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from consent_generator.model import Policy
from mkdocs_clarity.cli import main
from mkdocs_clarity.engine.site import apply_site
from tests.build.sites import open_page, wait_for_request, wait_until
from tests.harness.server import serve

pytestmark = pytest.mark.browser

EMBED = "https://example.disqus.com/embed.js"
PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Post</title>
</head><body><main><h1>Post</h1>
<img id="badge" alt="badge" src="https://badges.example.net/build.png">
<iframe id="form" title="form" src="https://forms.example.com/f?id=1"></iframe>
<div id="disqus_thread"></div>
<script>
var disqus_config = function () { this.page.identifier = "post"; };
(function() { var d = document, s = d.createElement('script');
s.src = '""" + EMBED + """';
s.setAttribute('data-timestamp', +new Date());
(d.head || d.body).appendChild(s); })();
</script>
</main><footer><p>footer</p></footer></body></html>
"""
# What the stand-in for Disqus' embed.js does: show that it ran, with the page's config.
EMBED_JS = """(function () {
  var p = document.createElement('p');
  p.id = 'comments';
  p.textContent = typeof window.disqus_config === 'function' ? 'comments loaded' : 'no config';
  document.getElementById('disqus_thread').appendChild(p);
})();"""


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("embeds") / "site"
    (root / "post").mkdir(parents=True)
    (root / "post" / "index.html").write_text(PAGE, "utf-8")
    apply_site(root, Policy(), jobs=1)
    with serve(root) as base:
        yield root, base


def _route_embed(session) -> None:
    """Answer the Disqus host with the stand-in script (and record it like every stub)."""
    def handle(route, request):
        session.requests.append(request.url)
        route.fulfill(status=200, content_type="application/javascript", body=EMBED_JS)

    session.context.route("https://example.disqus.com/**", handle)


def test_nothing_before_consent_everything_after_accept_all(session, site):
    _, base = site
    _route_embed(session)
    page = open_page(session, base + "post/")
    page.wait_for_timeout(300)  # what the page would load on its own has been requested
    assert session.third_party() == []
    assert page.locator("#comments").count() == 0
    assert session.csp_violations() == []

    page.get_by_role("button", name="Accept all").click()
    wait_until(page, "document.getElementById('comments') !== null")
    assert page.locator("#comments").text_content() == "comments loaded"
    wait_until(page, "document.getElementById('form').getAttribute('src') !== null")
    for url in (EMBED, "https://badges.example.net/build.png",
                "https://forms.example.com/f?id=1"):
        wait_for_request(session, url)
    page.wait_for_timeout(300)  # a violation report would have arrived
    assert session.csp_violations() == []
    assert session.page_errors == []


def test_audit_lists_each_embed_with_the_entry_to_paste(site, tmp_path):
    root, _ = site
    out = tmp_path / "audit.json"
    result = CliRunner().invoke(main, ["audit", str(root), "--format", "json", "-o", str(out)])
    assert result.exit_code == 0, result.output
    report = json.loads(out.read_text("utf-8"))
    embeds = {e["url"]: e for e in report["unknown_embeds"]}
    assert set(embeds) == {EMBED, "https://badges.example.net/build.png",
                           "https://forms.example.com/f?id=1"}
    assert 'csp: {script-src: ["https://example.disqus.com"]}' in embeds[EMBED]["entry"]
    assert 'csp: {frame-src: ["https://forms.example.com"]}' in \
        embeds["https://forms.example.com/f?id=1"]["entry"]
    assert all(e["live_pages"] == [] for e in embeds.values())

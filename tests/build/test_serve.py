"""``mkdocs serve`` with the plugin: a real server subprocess, real file edits.

What only serve shows: the policy file lives next to mkdocs.yml, not under docs/, so MkDocs
rebuilds on a ``consent.yml`` edit only because the plugin's ``on_serve`` watches it; a broken
edit must say file:line and leave the server running; and MkDocs injects its live-reload script
into served pages *after* our rewrite, which the plugin lets past the CSP in served responses
only (the browser side of that is tests/browser/test_serve_live_reload.py).
"""

from __future__ import annotations

import json
import logging
import re
import urllib.error
from pathlib import Path
from types import SimpleNamespace

import pytest
from mkdocs.livereload import LiveReloadServer

from mkdocs_clarity.engine.csp import Csp, sha256_source
from mkdocs_clarity.engine.scan import scan_page
from mkdocs_clarity.plugin import _allow_live_reload, allow_injected_script
from tests.build.sites import copy_fixture
from tests.harness.mkdocs_serve import mkdocs_serve

_CONFIG = re.compile(r'<script type="application/json" id="consent-config">(.*?)</script>',
                     re.S)
_YOUTUBE = "  youtube: {category: marketing}\n"
_WITH_VIMEO = _YOUTUBE + "  vimeo: {category: marketing}\n"


def _services(page: str) -> list[str]:
    """The service keys of the page's consent-config block (what the runtime will offer)."""
    m = _CONFIG.search(page)
    assert m, "no consent-config block in the served page"
    return [s["key"] for s in json.loads(m.group(1))["services"]]


def _csp(page: str) -> Csp:
    """The policy of our CSP <meta> in ``page``."""
    metas = [m for m in scan_page(page, "index.html").csp_metas if m.ours]
    assert len(metas) == 1, f"expected one consent CSP meta, found {len(metas)}"
    return Csp.parse(metas[0].content)


def _add_vimeo(policy: Path) -> None:
    text = policy.read_text(encoding="utf-8")
    assert _YOUTUBE in text, "fixture changed: the test edits the youtube line"
    policy.write_text(text.replace(_YOUTUBE, _WITH_VIMEO), encoding="utf-8")


def _with_vimeo(srv) -> str | None:
    page = srv.get()
    return page if "vimeo" in _services(page) else None


# -- a real `mkdocs serve` -----------------------------------------------------------------

def test_serve_rebuilds_when_consent_yml_changes(tmp_path: Path) -> None:
    root = copy_fixture("default", tmp_path)
    with mkdocs_serve(root) as srv:
        before = srv.get()
        assert "vimeo" not in _services(before)
        assert "https://player.vimeo.com" not in (_csp(before).get("frame-src") or ())

        _add_vimeo(root / "consent.yml")
        after = srv.poll(lambda: _with_vimeo(srv), "the page to list the vimeo service")

        # The whole pipeline re-ran, not just the JSON block: the site CSP has Vimeo's host.
        assert "https://player.vimeo.com" in (_csp(after).get("frame-src") or ())
        assert "Detected file changes" in srv.log()
        assert srv.alive()


def test_bad_consent_yml_edit_while_serving_reports_file_line_and_keeps_running(
        tmp_path: Path) -> None:
    root = copy_fixture("default", tmp_path)
    policy = root / "consent.yml"
    good = policy.read_text(encoding="utf-8")
    bad = good.replace('project_id: "abcde12345"', 'projet_id: "abcde12345"')
    assert bad != good, "fixture changed: the test misspells clarity's project_id"
    line = 1 + next(i for i, text in enumerate(bad.splitlines()) if "projet_id" in text)

    with mkdocs_serve(root) as srv:
        srv.get()
        policy.write_text(bad, encoding="utf-8")
        log = srv.poll(lambda: (lambda t: t if "Aborted with a BuildError" in t else None)(
            srv.log()), "the failed rebuild to be reported")

        # The policy's own message, with file:line, and no traceback.
        assert re.search(rf"consent\.yml:{line}:\d+: services\.clarity\.projet_id: unknown key "
                         r"'projet_id'; did you mean 'project_id'\?", log), log
        assert "Traceback" not in log
        # MkDocs 1.6 keeps the process up but holds page requests until a build succeeds
        # (it says so in its log); this documents that behaviour.
        assert "The server will appear stuck until build errors are resolved" in log
        assert srv.alive()
        with pytest.raises((TimeoutError, urllib.error.URLError)):
            srv.get(timeout=3)

        # Fixing the file (here: the good policy plus Vimeo) resumes serving the new site.
        policy.write_text(good, encoding="utf-8")
        _add_vimeo(policy)
        after = srv.poll(lambda: _with_vimeo(srv), "the fixed policy to be served")
        assert "https://player.vimeo.com" in (_csp(after).get("frame-src") or ())
        assert srv.alive()


def test_served_pages_allow_exactly_the_injected_live_reload_script(tmp_path: Path) -> None:
    root = copy_fixture("default", tmp_path)
    with mkdocs_serve(root) as srv:
        page = srv.get()
        injected = re.findall(r"<script>((?:(?!</?script).)*)</script>\s*</body>", page, re.S)
        assert len(injected) == 1 and "livereload(" in injected[0], "no live-reload script?"
        script_src = _csp(page).get("script-src") or ()
        assert sha256_source(injected[0]) in script_src
        assert "'unsafe-inline'" not in script_src
        # Another response carries another request id, hence another hash: the allowance is
        # per response, not a fixed one that would outlive it.
        again = srv.poll(lambda: (lambda p: p if injected[0] not in p else None)(srv.get()),
                         "a response with a new request id", timeout=5)
        assert sha256_source(injected[0]) not in (_csp(again).get("script-src") or ())

    # The build output never carries it: a plain build's policy is the served one minus it.
    from tests.build.sites import build

    built = build(root)
    assert built.ok, built.proc.stderr
    assert "livereload" not in built.page("index.html")
    served = set(script_src) - {sha256_source(injected[0])}
    assert set(_csp(built.page("index.html")).get("script-src") or ()) == served


# -- the wrapper against MkDocs' own server object (no socket bound) -------------------------

_PAGE = ('<!doctype html><html><head><meta charset="utf-8">'
         '<meta http-equiv="Content-Security-Policy" content="default-src \'self\'; '
         'script-src \'self\' \'sha256-AAAA\'; object-src \'none\'" data-consent-csp>'
         "<title>t</title></head><body><p>hi</p></body></html>")


@pytest.fixture
def server(tmp_path: Path):
    srv = LiveReloadServer(builder=lambda: None, host="127.0.0.1", port=0, root=str(tmp_path))
    yield srv
    srv.server_close()


def _meta_script_src(html: bytes) -> tuple[str, ...]:
    return _csp(html.decode("utf-8")).get("script-src") or ()


def test_wrapped_injection_hashes_mkdocs_script_into_our_meta(server) -> None:
    assert _allow_live_reload(server) is True
    out = server._inject_js_into_html(_PAGE.encode(), 42)
    script = re.search(rb"<script>(.*?)</script></body>", out, re.S)
    assert script and b"livereload(42, " in script.group(1)
    sources = _meta_script_src(out)
    assert sources[:2] == ("'self'", "'sha256-AAAA'")  # the site's policy is kept
    assert sha256_source(script.group(1).decode()) in sources
    assert "'unsafe-inline'" not in sources
    # Wrapping twice does not hash twice.
    assert _allow_live_reload(server) is True
    assert len(_meta_script_src(server._inject_js_into_html(_PAGE.encode(), 42))) == 3


def test_unwrapped_injection_is_blocked_by_our_meta(server) -> None:
    """The problem the wrapper fixes: MkDocs' script is not in the policy."""
    out = server._inject_js_into_html(_PAGE.encode(), 42)
    script = re.search(rb"<script>(.*?)</script></body>", out, re.S)
    assert script
    assert sha256_source(script.group(1).decode()) not in _meta_script_src(out)


def test_other_injection_shape_is_hashed_too() -> None:
    """A ``<script src>`` + inline call (the shape other MkDocs releases used): only the inline
    part needs a hash, ``'self'`` covers the file."""
    before = _PAGE.encode()
    at = before.rindex(b"</body>")
    block = b'<script src="/livereload.js"></script><script>livereload(1, 2);</script>'
    out = allow_injected_script(before, before[:at] + block + before[at:])
    assert _meta_script_src(out) == ("'self'", "'sha256-AAAA'",
                                     sha256_source("livereload(1, 2);"))


@pytest.mark.parametrize("label, make", [
    ("not a script", lambda b, at: b[:at] + b"<p>x</p>" + b[at:]),
    ("page changed elsewhere", lambda b, at: b.replace(b"hi", b"ho")[:at]
     + b"<script>x()</script>" + b[at:]),
    ("no change", lambda b, at: b),
])
def test_anything_else_passes_through_unchanged(label: str, make) -> None:
    before = _PAGE.encode()
    after = make(before, before.rindex(b"</body>"))
    assert allow_injected_script(before, after) == after, label


def test_page_without_our_meta_passes_through(server) -> None:
    page = _PAGE.replace(" data-consent-csp", "").encode()  # the page's own policy: not ours
    _allow_live_reload(server)
    out = server._inject_js_into_html(page, 7)
    assert re.sub(rb"<script>.*?</script>", b"", out, flags=re.S) == page


def test_missing_private_hook_is_skipped_with_a_debug_log(caplog) -> None:
    caplog.set_level(logging.DEBUG)
    other = SimpleNamespace(watch=lambda path: None)
    assert _allow_live_reload(other) is False
    assert not hasattr(other, "_inject_js_into_html")
    assert "live reload stays blocked by the CSP" in caplog.text

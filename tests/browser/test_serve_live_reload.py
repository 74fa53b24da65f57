"""Live reload under ``mkdocs serve`` in Chromium, with the site's strict CSP in force.

MkDocs 1.6 appends its live-reload script (one inline ``<script>``: the poller and the call
``livereload(EPOCH, REQUEST_ID)``) to every served page after our rewrite; without the plugin's
serve adaptation Chromium refuses it and the page never reloads. Here: no CSP violation, the
script ran (it logs "Enabled live reload" and long-polls ``/livereload/<epoch>/<id>``), and an
edit to a Markdown page really reloads the open page.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from tests.build.sites import copy_fixture
from tests.harness.mkdocs_serve import mkdocs_serve

_POLL = re.compile(r"/livereload/\d+/\d+$")
MARKER = "Edited while serving"


def _errors(session) -> list[str]:
    """Page errors, less the default theme's: its highlight.js comes from cdnjs, which the
    harness answers with an empty stub, so its ``hljs.highlightAll()`` call fails."""
    return [e for e in session.page_errors if "hljs is not defined" not in e]


def _wait(check, what: str, page, timeout: float = 30.0):
    """Poll ``check`` (from outside the page: CSP forbids eval-based waiting inside it);
    a reload in progress makes page calls fail, which just means "not yet"."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            value = check()
        except Exception:  # the reload destroyed the execution context: not yet
            value = None
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        page.wait_for_timeout(100)


@pytest.mark.parametrize("fixture", ["default", "material"])
def test_live_reload_runs_under_the_csp_and_reloads(session, tmp_path: Path,
                                                     fixture: str) -> None:
    root = copy_fixture(fixture, tmp_path)
    page = session.page
    local: list[str] = []
    page.on("request", lambda r: local.append(r.url))

    with mkdocs_serve(root) as srv:
        page.goto(srv.base)
        _wait(lambda: "log: Enabled live reload" in session.console,
              "the live-reload script to run", page, timeout=15)
        _wait(lambda: any(_POLL.search(u) for u in local),
              "the live-reload poll request", page, timeout=15)
        assert session.csp_violations() == []
        assert _errors(session) == []

        index = root / "docs" / "index.md"
        index.write_text(index.read_text(encoding="utf-8") + f"\n\n{MARKER}\n",
                         encoding="utf-8")
        _wait(lambda: page.evaluate(f"document.body.innerText.includes({MARKER!r})"),
              "the open page to reload with the edit", page)
        # The reloaded page's own live-reload script ran too (its hash is a new one).
        _wait(lambda: session.console.count("log: Enabled live reload") >= 2,
              "the reloaded page's live-reload script to run", page, timeout=10)
        assert session.csp_violations() == []
        assert _errors(session) == []

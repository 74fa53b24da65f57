"""Fixtures shared by every test layer.

Browser tests use Debian's Chromium through Playwright's ``executable_path`` (``playwright
install`` cannot download browsers here); ``make test`` installs it when missing. A missing
browser is an error, not a skip, so CI can never pass without running them.
"""

from __future__ import annotations

import os
import tempfile

import pytest

from tests.harness.browser import CHROMIUM_ARGS, chromium_path, new_session

# The runtime's disk cache (consent_generator/disk_cache.py) goes to a folder of this run,
# never the user's ~/.cache; builds in subprocesses inherit it. A test of the cache itself
# sets its own location.
os.environ.setdefault("MKDOCS_CLARITY_CACHE", tempfile.mkdtemp(prefix="mkc-test-cache-"))


@pytest.fixture(scope="session")
def browser():
    path = chromium_path()
    if path is None:
        pytest.fail("Chromium not found: install Debian's chromium (make test does) or set "
                    "$CHROMIUM")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=path, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def session(browser):
    """A fresh context (empty profile) with third-party stubs; closed after the test."""
    s = new_session(browser)
    yield s
    s.context.close()

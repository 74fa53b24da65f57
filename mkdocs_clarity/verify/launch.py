"""Find Playwright and an installed Chromium; never download a browser.

Both are optional on a machine that only builds sites, so their absence is a usage error with a
one-line fix (exit 2), not a traceback.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from consent_generator.errors import UserError

BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome")
"""Looked up on PATH, in this order, after ``/usr/bin/chromium``."""

CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--disable-features=Translate,MediaRouter,OptimizationHints",
)
"""Quiet, container-friendly flags: no background traffic of the browser's own (updates, sync,
translation), so every request seen is one the site made. A run adds
``--host-resolver-rules`` mapping every host name to its loopback server
(:meth:`~mkdocs_clarity.verify.loopback.LoopbackServer.chromium_args`), so nothing (a
``preconnect``, a DNS prefetch, a WebSocket) can reach the network."""


class UsageError(UserError):
    """Verify cannot run here (no site, no browser, no Playwright): exit status 2."""


def find_browser(given: str | Path | None = None) -> str:
    """The browser executable: ``--browser`` when given, else ``/usr/bin/chromium``, else the
    first of :data:`BROWSER_NAMES` on PATH."""
    if given is not None:
        path = Path(given)
        if not (path.is_file() and os.access(path, os.X_OK)):
            raise UsageError(f"--browser {given}: not an executable file; pass the path of "
                             "Chromium or Chrome (Debian: apt-get install chromium)")
        return str(path)
    if os.access("/usr/bin/chromium", os.X_OK):
        return "/usr/bin/chromium"
    for name in BROWSER_NAMES:
        found = shutil.which(name)
        if found:
            return found
    raise UsageError("no browser found: install Chromium (Debian: apt-get install chromium) or "
                     "pass --browser PATH to Chromium or Chrome")


def require_playwright() -> None:
    """Raise :class:`UsageError` when an optional dependency of verify (Playwright, and
    cryptography for the loopback server's https) is missing."""
    try:
        import playwright.async_api  # noqa: F401
    except ImportError:
        raise UsageError("verify needs Playwright: pip install 'mkdocs-clarity[verify]' "
                         "(it drives your installed Chromium; no browser is downloaded)") from None
    try:
        import cryptography.x509  # noqa: F401
    except ImportError:
        raise UsageError("verify needs cryptography (for the certificate of its local https "
                         "server): pip install 'mkdocs-clarity[verify]'") from None

"""Screenshots of the banner and the preferences dialog for the docs (``make screenshots``).

Builds the documentation site (Material, with the plugin on itself) into a temporary folder,
serves it on a free loopback port at its own ``site_url``, and photographs it in Debian's
Chromium through Playwright: the banner and the dialog in light and dark, and the banner on a
390x844 phone. Every non-loopback request is refused, so nothing leaves the machine. The PNGs
go to docs/assets/screenshots/ and are committed (small: a 1024x640 window).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "assets" / "screenshots"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def _build(site: Path, url: str) -> None:
    env = {**os.environ, "SITE_URL": url}
    subprocess.run([sys.executable, "-m", "mkdocs", "build", "--quiet", "-d", str(site)],
                   cwd=ROOT, env=env, check=True)


def _shoot(page: Page, url: str, name: str, *, dialog: bool) -> None:
    page.goto(url + "getting-started/")
    page.get_by_role("button", name="Reject all").first.wait_for()
    if dialog:
        page.get_by_role("button", name="Manage preferences").click()
        page.locator("dialog[open]").wait_for()
    page.wait_for_timeout(400)  # the banner's slide-in
    page.screenshot(path=str(OUT / f"{name}.png"))
    print(f"wrote {(OUT / f'{name}.png').relative_to(ROOT)}")


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp) / "site"
        server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Quiet, directory=str(site)))
        url = f"http://127.0.0.1:{server.server_address[1]}/"
        _build(site, url)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
                shots = [("banner-light", "light", {"width": 1024, "height": 640}, False),
                         ("dialog-light", "light", {"width": 1024, "height": 640}, True),
                         ("dialog-dark", "dark", {"width": 1024, "height": 640}, True),
                         ("banner-phone", "light", {"width": 390, "height": 844}, False)]
                for name, scheme, viewport, dialog in shots:
                    context = browser.new_context(viewport=viewport, color_scheme=scheme)
                    context.route(lambda u: not u.startswith(url), lambda r: r.abort())
                    _shoot(context.new_page(), url, name, dialog=dialog)
                    context.close()
                browser.close()
        finally:
            server.shutdown()
    shutil.rmtree(ROOT / "site", ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

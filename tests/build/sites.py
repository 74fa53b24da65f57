"""Build the fixture sites (tests/fixtures/sites/) with the venv's ``mkdocs build --strict``.

Shared by the build tests and the browser tests. A fixture is copied to a temporary
directory first, so a test can change its ``site_url`` (Material's instant navigation only
engages at ``site_url``'s origin, so browser tests set it to their server) or its policy.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "sites"
MKDOCS = Path(sys.executable).parent / "mkdocs"
SITES = ("default", "material")


@dataclass
class Built:
    root: Path
    """The copied project (mkdocs.yml, consent.yml, docs/)."""
    site: Path
    """The built site."""
    proc: subprocess.CompletedProcess

    @property
    def ok(self) -> bool:
        return self.proc.returncode == 0

    def page(self, rel: str) -> str:
        return (self.site / rel).read_text(encoding="utf-8")


def copy_fixture(name: str, dest: Path) -> Path:
    root = dest / name
    shutil.copytree(FIXTURES / name, root)
    return root


def set_site_url(root: Path, url: str) -> None:
    cfg = root / "mkdocs.yml"
    cfg.write_text(re.sub(r"(?m)^site_url:.*$", f"site_url: {url}", cfg.read_text()))


def build(root: Path, *, strict: bool = True) -> Built:
    site = root / "site"
    cmd = [str(MKDOCS), "build", "-d", str(site)]
    if strict:
        cmd.insert(2, "--strict")
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    proc = subprocess.run(cmd, cwd=root, capture_output=True, text=True, env=env, timeout=180,
                          check=False)
    return Built(root, site, proc)


def build_fixture(name: str, dest: Path, *, site_url: str | None = None) -> Built:
    root = copy_fixture(name, dest)
    if site_url:
        set_site_url(root, site_url)
    built = build(root)
    if not built.ok:
        raise AssertionError(f"mkdocs build --strict failed for {name}:\n{built.proc.stderr}")
    return built


def serve_fixture(name: str, dest: Path):
    """Build fixture ``name`` for a fixed free port and serve it there; a context manager
    yielding ``(base_url, Built)``. ``site_url`` is set *before* the build so Material's
    instant navigation engages (it only does at site_url's origin)."""
    from contextlib import contextmanager

    from tests.harness.server import free_port, serve

    @contextmanager
    def run():
        port = free_port()
        built = build_fixture(name, dest, site_url=f"http://127.0.0.1:{port}/")
        with serve(built.site, port=port) as base:
            yield base, built

    return run()


def wait_until(page, expression: str, timeout: float = 10.0) -> object:
    """Poll ``expression`` from outside the page until it is truthy.

    Playwright's ``wait_for_function`` polls with ``eval`` inside the page, which the strict
    CSP under test rightly refuses ('unsafe-eval'); ``page.evaluate`` goes through the
    DevTools protocol, which CSP does not govern.
    """
    import time

    deadline = time.monotonic() + timeout
    while True:
        value = page.evaluate(expression)
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {expression}")
        page.wait_for_timeout(50)


def wait_for_request(session, suffix: str, timeout: float = 10.0) -> str:
    """The first third-party URL ending with ``suffix``, waiting for it to be requested."""
    import time

    deadline = time.monotonic() + timeout
    while True:
        for url in session.third_party():
            if url.endswith(suffix):
                return url
        if time.monotonic() > deadline:
            raise AssertionError(f"no request ending with {suffix}: {session.third_party()}")
        session.page.wait_for_timeout(50)


def open_page(session, url: str):
    """Load ``url`` and wait until the consent runtime has started on it."""
    session.page.goto(url, wait_until="load")
    wait_until(session.page, "window.siteConsent !== undefined")
    return session.page

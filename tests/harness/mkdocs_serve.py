"""A real ``mkdocs serve`` subprocess for tests, always torn down.

The plugin's serve behaviour (watching ``consent.yml``, letting the live-reload script past the
CSP) lives in MkDocs' own dev server and build loop, so only the real command shows it. The
server runs in its own process group (``start_new_session``) so the whole group is signalled
on teardown, even if the test fails half-way; its output goes to a file (a pipe nobody reads
would fill and stall the server).
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from tests.build.sites import MKDOCS
from tests.harness.server import free_port

T = TypeVar("T")


@dataclass
class Served:
    """A running ``mkdocs serve`` of the project at ``root``."""

    root: Path
    base: str
    """``http://127.0.0.1:PORT/``"""
    proc: subprocess.Popen
    log_path: Path

    def log(self) -> str:
        """Everything the server printed so far (stdout and stderr, interleaved)."""
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def alive(self) -> bool:
        return self.proc.poll() is None

    def get(self, path: str = "", timeout: float = 10.0) -> str:
        """One GET; raises on HTTP errors and on ``timeout`` (the server holds page requests
        while a rebuild is pending)."""
        with urllib.request.urlopen(self.base + path.lstrip("/"), timeout=timeout) as r:
            return r.read().decode("utf-8")

    def poll(self, check: Callable[[], T | None], what: str, timeout: float = 30.0) -> T:
        """Call ``check`` until it returns something truthy; fail after ``timeout`` seconds
        with the server log (or as soon as the server died)."""
        deadline = time.monotonic() + timeout
        while True:
            if not self.alive():
                raise AssertionError(f"mkdocs serve exited ({self.proc.returncode}) while "
                                     f"waiting for {what}:\n{self.log()}")
            try:
                value = check()
            except (urllib.error.URLError, TimeoutError, ConnectionError):
                value = None
            if value:
                return value
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out after {timeout} s waiting for {what}; "
                                     f"server log:\n{self.log()}")
            time.sleep(0.2)


@contextmanager
def mkdocs_serve(root: Path, *, startup_timeout: float = 60.0) -> Iterator[Served]:
    """Run ``mkdocs serve`` for the project at ``root`` on a free loopback port; yield once it
    answers ``/`` with 200. The process group is terminated (then killed) on exit."""
    port = free_port()
    log_path = root / "serve.log"
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1", PYTHONUNBUFFERED="1")
    with open(log_path, "wb") as out:
        proc = subprocess.Popen(
            [str(MKDOCS), "serve", "--dev-addr", f"127.0.0.1:{port}"], cwd=root, env=env,
            stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True)
    served = Served(root, f"http://127.0.0.1:{port}/", proc, log_path)
    try:
        served.poll(lambda: served.get(timeout=5), "the first page", timeout=startup_timeout)
        yield served
    finally:
        _stop(proc)


def _stop(proc: subprocess.Popen) -> None:
    """SIGINT the group (what Ctrl-C sends: mkdocs serve stops its observer and removes its
    temporary site directory; SIGTERM would leave that behind), SIGKILL if it does not go
    within a few seconds."""
    if proc.poll() is None:
        with suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGINT)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            with suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)

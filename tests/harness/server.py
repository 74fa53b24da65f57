"""A static file server on 127.0.0.1 for browser tests.

A real HTTP origin matters: cookies, ``<meta>`` CSP and Material's instant navigation (which
only engages at ``site_url``'s origin) behave differently on ``file://``.
"""

from __future__ import annotations

import functools
import http.server
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass

    def end_headers(self) -> None:
        # Never let the browser reuse a stale copy between two builds of a fixture site.
        # (no-store also keeps pages out of the back/forward cache: a test of that turns it off)
        if getattr(self.server, "no_store", True):
            self.send_header("Cache-Control", "no-store")
        extra = getattr(self.server, "extra_headers", {})
        for name, value in extra.items():
            self.send_header(name, value)
        super().end_headers()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serve(root: Path, port: int | None = None,
          headers: dict[str, str] | None = None, *, no_store: bool = True) -> Iterator[str]:
    """Serve ``root`` and yield its base URL (``http://127.0.0.1:PORT/``)."""
    handler = functools.partial(_QuietHandler, directory=str(root))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", port or 0), handler)
    httpd.extra_headers = headers or {}  # type: ignore[attr-defined]
    httpd.no_store = no_store  # type: ignore[attr-defined]
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()
        httpd.server_close()

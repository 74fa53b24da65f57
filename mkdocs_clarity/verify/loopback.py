"""A loopback web server that answers every host the browser asks for.

Why not Playwright's request routing: any route turns Chromium's HTTP cache off (the theme's
bundle was fetched, parsed and compiled again on every load) and every body crossed the
DevTools protocol, the driver and Python. Instead Chromium resolves every host name to this
server (``--host-resolver-rules=MAP * 127.0.0.1:PORT``: nothing can reach the network), which
answers the site's own origin from disk (:class:`~.serve.SiteFiles`) and anything else with the
local third-party answer. The browser itself reports what it asked for (Playwright's
``request`` event), so what is recorded does not depend on this server.

https origins need TLS: a throwaway key is made at run time, each host name the browser asks
for (SNI) gets a certificate signed by it, and Chromium trusts exactly that key
(``--ignore-certificate-errors-spki-list``). No certificate error is left, so pages stay secure
contexts (``Secure`` cookies work) and the HTTP cache works as for a real visitor. One port
speaks both http and https: a TLS connection opens with a handshake record (byte 0x16).
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import socket
import ssl
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from mkdocs_clarity.verify.serve import Answer, SiteFiles, ThirdParties, third_party_answer

_DEST_KIND = {"script": "script", "style": "stylesheet", "image": "image", "font": "font",
              "iframe": "document", "frame": "document", "document": "document"}
"""``Sec-Fetch-Dest`` -> the resource kind the third-party answer is shaped for."""


class TlsIdentity:
    """The run's throwaway key, and one certificate per host name, made on demand."""

    def __init__(self) -> None:
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import ec

        self._key = ec.generate_private_key(ec.SECP256R1())
        spki = self._key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
        self.spki_hash = base64.b64encode(hashlib.sha256(spki).digest()).decode()
        """What ``--ignore-certificate-errors-spki-list`` trusts: this key and nothing else."""
        self._contexts: dict[str, ssl.SSLContext] = {}
        self._lock = threading.Lock()
        self._dir = tempfile.TemporaryDirectory(prefix="mkc-verify-tls-")
        self.default = self.context_for("localhost")
        self.default.sni_callback = self._sni

    def context_for(self, host: str) -> ssl.SSLContext:
        with self._lock:
            if host not in self._contexts:
                self._contexts[host] = self._make(host)
            return self._contexts[host]

    def _make(self, host: str) -> ssl.SSLContext:
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.x509.oid import NameOID

        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host[:64])])
        now = datetime.datetime.now(datetime.UTC)
        cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
                .public_key(self._key.public_key()).serial_number(x509.random_serial_number())
                .not_valid_before(now - datetime.timedelta(days=1))
                .not_valid_after(now + datetime.timedelta(days=7))
                .add_extension(x509.SubjectAlternativeName([x509.DNSName(host)]), critical=False)
                .sign(self._key, hashes.SHA256()))
        stem = Path(self._dir.name) / hashlib.sha256(host.encode()).hexdigest()[:16]
        stem.with_suffix(".crt").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        stem.with_suffix(".key").write_bytes(self._key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption()))
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(stem.with_suffix(".crt"), stem.with_suffix(".key"))
        ctx.set_alpn_protocols(["http/1.1"])
        return ctx

    def _sni(self, sock: ssl.SSLObject, host: str | None, _ctx: ssl.SSLContext) -> None:
        """Give the connection the certificate of the host it names."""
        if host:
            sock.context = self.context_for(host)

    def close(self) -> None:
        self._dir.cleanup()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: LoopbackServer

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: what the browser asked for is recorded by the browser, not here."""

    def _answer(self, with_body: bool = True) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)  # a beacon's payload: read, never kept
        tls = isinstance(self.connection, ssl.SSLSocket)
        url = f"{'https' if tls else 'http'}://{self.headers.get('Host', '')}{self.path}"
        answer = self.server.answer(url, self.headers.get("Sec-Fetch-Dest", ""))
        self.send_response(answer.status)
        self.send_header("Content-Type", answer.content_type)
        self.send_header("Content-Length", str(len(answer.body)))
        for key, value in answer.headers.items():
            self.send_header(key, value)
        self.end_headers()
        if with_body:
            self.wfile.write(answer.body)

    def do_GET(self) -> None:
        self._answer()

    def do_POST(self) -> None:
        self._answer()

    def do_HEAD(self) -> None:
        self._answer(with_body=False)

    def do_OPTIONS(self) -> None:
        """A CORS preflight: allowed, so the real request follows (and is recorded) as it
        would against the vendor."""
        self.send_response(204)
        for key in ("Origin", "Methods", "Headers"):
            self.send_header(f"Access-Control-Allow-{key}", "*")
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_PUT = do_POST


class LoopbackServer(ThreadingHTTPServer):
    """Serves the site's origin from disk and answers every other host locally, over http
    and https on one loopback port. Use as a context manager."""

    daemon_threads = True

    def __init__(self, site: SiteFiles, parties: ThirdParties) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.site = site
        self.parties = parties
        self.tls = TlsIdentity()
        self._thread = threading.Thread(target=self.serve_forever, daemon=True,
                                        name="mkc-verify-loopback")

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    def chromium_args(self) -> list[str]:
        """Every host name resolves to this server; only this run's key is trusted."""
        return [f"--host-resolver-rules=MAP * 127.0.0.1:{self.port}",
                f"--ignore-certificate-errors-spki-list={self.tls.spki_hash}"]

    def answer(self, url: str, dest: str) -> Answer:
        """The site's file when ``url`` is on the site's origin, else the third-party answer
        (never a site file: another host asking for ``/index.html`` gets the stub)."""
        if self.site.owns(url):
            return self.site.answer(url)
        return third_party_answer(url, _DEST_KIND.get(dest, "fetch"), self.parties.vendor_of(url))

    def finish_request(self, request: Any, client_address: Any) -> None:
        """Speak TLS when the client opens with a handshake record, plain HTTP otherwise."""
        sock: socket.socket = request
        try:
            if sock.recv(1, socket.MSG_PEEK) == b"\x16":
                request = self.tls.default.wrap_socket(sock, server_side=True)
            super().finish_request(request, client_address)
        except (OSError, ssl.SSLError):
            pass  # the browser closed a speculative connection; nothing to answer

    def __enter__(self) -> LoopbackServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()
        self.server_close()
        self.tls.close()

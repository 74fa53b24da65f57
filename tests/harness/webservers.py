"""Debian's nginx and Apache httpd as judges of the exported snippets.

Each gets a minimal config in a temp dir that includes the generated file the way the docs say
to (nginx: ``include`` in the ``server`` block; Apache: the ``.htaccess`` lines in the site's
``<Directory>``, with mod_headers loaded), then is asked ``-t`` (syntax) or run in the
foreground on a free 127.0.0.1 port to show the headers it really sends. Installed by
``make web-servers``; a missing server is an error, never a skip.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.harness.server import free_port

SBIN = "/usr/sbin:/usr/bin"
SERVERS = {"nginx": "nginx", "apache": "apache2", "caddy": "caddy"}
"""Delivery -> the real server judging its file (the other hosts have no local copy)."""
APACHE_MODULES = Path("/usr/lib/apache2/modules")


def binary(name: str) -> str:
    """The server's path; AssertionError (a test failure) when it is not installed."""
    found = shutil.which(name) or shutil.which(name, path=SBIN)
    assert found, f"{name} is not installed: run `make web-servers` (Debian's {name})"
    return found


def nginx_config(snippet: Path, root: Path, work: Path, port: int) -> Path:
    conf = work / "nginx.conf"
    conf.write_text(f"""user root;
worker_processes 1;
pid {work}/nginx.pid;
error_log {work}/nginx-error.log;
events {{}}
http {{
  access_log off;
  client_body_temp_path {work};
  proxy_temp_path {work};
  fastcgi_temp_path {work};
  uwsgi_temp_path {work};
  scgi_temp_path {work};
  server {{
    listen 127.0.0.1:{port};
    root {root};
    include {snippet};
  }}
}}
""")
    return conf


def apache_config(htaccess: Path, root: Path, work: Path, port: int) -> Path:
    conf = work / "httpd.conf"
    conf.write_text(f"""ServerRoot /etc/apache2
ServerName localhost
Listen 127.0.0.1:{port}
User nobody
Group nogroup
PidFile {work}/httpd.pid
ErrorLog {work}/httpd-error.log
LoadModule mpm_event_module {APACHE_MODULES}/mod_mpm_event.so
LoadModule authz_core_module {APACHE_MODULES}/mod_authz_core.so
LoadModule headers_module {APACHE_MODULES}/mod_headers.so
DocumentRoot {root}
<Directory {root}>
  Require all granted
  Include {htaccess}
</Directory>
""")
    return conf


def caddy_config(snippet: Path, root: Path, work: Path, port: int) -> Path:
    conf = work / "Caddyfile"
    conf.write_text(f"""{{
\tadmin off
\tauto_https off
}}
http://127.0.0.1:{port} {{
\troot * {root}
\tfile_server
\timport {snippet}
}}
""")
    return conf


CONFIGS = {"nginx": nginx_config, "apache2": apache_config, "caddy": caddy_config}
CHECK = {"nginx": ["-t", "-c"], "apache2": ["-t", "-f"],
         "caddy": ["validate", "--adapter", "caddyfile", "--config"]}
RUN = {"nginx": lambda conf: ["-c", str(conf), "-g", "daemon off;"],
       "apache2": lambda conf: ["-f", str(conf), "-DFOREGROUND"],
       "caddy": lambda conf: ["run", "--adapter", "caddyfile", "--config", str(conf)]}


def _env(work: Path) -> dict[str, str]:
    """Keeps a server's state (Caddy's storage) in the temp dir, out of the home directory."""
    return dict(os.environ, XDG_DATA_HOME=str(work), XDG_CONFIG_HOME=str(work))


def check(server: str, conf: Path) -> subprocess.CompletedProcess[str]:
    """The server's own syntax check (``nginx -t -c conf``, ``apache2 -t -f conf``,
    ``caddy validate``)."""
    return subprocess.run([binary(server), *CHECK[server], str(conf)], capture_output=True,
                          text=True, timeout=60, check=False, env=_env(conf.parent))


def _wait(url: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    for _ in range(200):
        if proc.poll() is not None:
            raise AssertionError(f"server exited: {log.read_text(errors='replace')[-2000:]}")
        try:
            urllib.request.urlopen(url, timeout=1).close()
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.05)
    raise AssertionError(f"server did not answer on {url}")


@contextmanager
def serve(server: str, generated: Path, body: str, work: Path) -> Iterator[str]:
    """Run ``server`` with ``generated`` included, serving ``body`` as its index page; yield
    its base URL. The document root is world-readable (Apache's workers run as nobody)."""
    port = free_port()
    make = CONFIGS[server]
    with tempfile.TemporaryDirectory(prefix="mkc-www-") as tmp:
        root = Path(tmp)
        root.chmod(0o755)
        (root / "index.html").write_text(body, "utf-8")
        (root / "index.html").chmod(0o644)
        conf = make(generated, root, work, port)
        with _running(server, conf, port) as url:
            yield url


@contextmanager
def _running(server: str, conf: Path, port: int) -> Iterator[str]:
    log = conf.parent / f"{server}.log"
    with log.open("wb") as out:
        proc = subprocess.Popen([binary(server), *RUN[server](conf)], stdout=out, stderr=out,
                                env=_env(conf.parent))
        url = f"http://127.0.0.1:{port}/"
        try:
            _wait(url, proc, log)
            yield url
        finally:
            proc.terminate()
            proc.wait(timeout=30)


def response_headers(url: str) -> dict[str, str]:
    """The headers of GET ``url`` (lower-cased names; repeated ones joined with ', ')."""
    try:
        resp = urllib.request.urlopen(url, timeout=10)
    except urllib.error.HTTPError as exc:
        resp = exc
    with resp:
        out: dict[str, str] = {}
        for name, value in resp.headers.items():
            key = name.lower()
            out[key] = f"{out[key]}, {value}" if key in out else value
        return out


def syntax(server: str, generated: Path, work: Path) -> subprocess.CompletedProcess[str]:
    """The server's own syntax check of a minimal config that includes ``generated``."""
    return check(server, CONFIGS[server](generated, work, work, free_port()))

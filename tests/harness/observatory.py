"""Mozilla's MDN HTTP Observatory (npm ``@mdn/mdn-http-observatory``) from Python, offline.

``grade(sites, body)`` serves ``body`` with each site's headers at a local https origin and
runs the package's own scanner and scoring on it (see ``observatory.mjs``). The package is
installed by ``make node-deps``; a missing Node, package or openssl is an error, never a skip.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
NODE_MODULES = HERE.parent / ".node" / "node_modules"
SCRIPT = HERE / "observatory.mjs"
PACKAGE = NODE_MODULES / "@mdn" / "mdn-http-observatory"


class ObservatoryUnavailable(RuntimeError):
    pass


@dataclass(frozen=True)
class Result:
    name: str
    grade: str
    score: int
    tests: dict[str, dict]
    """Per test (``strict-transport-security``, ...): ``result``, ``pass``, ``scoreModifier``."""

    @property
    def penalties(self) -> dict[str, int]:
        """Tests that cost points (a negative modifier; any one below 90 cancels bonuses)."""
        return {n: t["scoreModifier"] for n, t in self.tests.items() if t["scoreModifier"] < 0}

    @property
    def bonuses(self) -> dict[str, int]:
        return {n: t["scoreModifier"] for n, t in self.tests.items() if t["scoreModifier"] > 0}


def available() -> str | None:
    """Why the Observatory cannot run, or None when it can."""
    if shutil.which("node") is None:
        return "node is not installed"
    if shutil.which("openssl") is None:
        return "openssl is not installed"
    if not (PACKAGE / "src" / "scanner" / "index.js").is_file():
        return "@mdn/mdn-http-observatory is not installed: run `make node-deps`"
    if not (PACKAGE / "conf" / "hsts-preload.json").is_file():
        return "its HSTS preload list is missing: run `make node-deps`"
    return None


def _certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for ``localhost`` (trusted by the scanner's Node only)."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost",
                    "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True, timeout=60)
    return cert, key


def grade(sites: dict[str, dict[str, str]], body: str) -> dict[str, Result]:
    """The Observatory's grade of ``body`` served with each site's headers (name -> headers)."""
    problem = available()
    if problem:
        raise ObservatoryUnavailable(problem)
    with tempfile.TemporaryDirectory() as tmp:
        cert, key = _certificate(Path(tmp))
        env = dict(os.environ, OBSERVATORY_BASE=str(NODE_MODULES) + "/",
                   OBSERVATORY_CERT=str(cert), OBSERVATORY_KEY=str(key),
                   NODE_EXTRA_CA_CERTS=str(cert))
        payload = {"sites": [{"name": n, "headers": h, "body": body} for n, h in sites.items()]}
        proc = subprocess.run(["node", str(SCRIPT)], input=json.dumps(payload), text=True,
                              capture_output=True, env=env, timeout=300, check=False)
    if proc.returncode != 0:
        raise ObservatoryUnavailable(f"the Observatory failed: {proc.stderr.strip()[-2000:]}")
    return {r["name"]: Result(r["name"], r["grade"], r["score"], r["tests"])
            for r in json.loads(proc.stdout)}

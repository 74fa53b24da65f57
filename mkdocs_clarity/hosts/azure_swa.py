"""Azure Static Web Apps: ``staticwebapp.config.json``, our header names in ``globalHeaders``.

Format (learn.microsoft.com/azure/static-web-apps/configuration#global-headers): an object of
``name: value``; JSON escaping is all the escaping there is. JSON has no comments to mark our
part, so the header names we write are ours: a previous value of one of them (ours or
hand-written) is replaced, and one we no longer send (report-only switched off, HSTS turned
off) is removed.

Limit: the file may be at most 20 KB (the deploy action's check; its message is the source of
truth per Azure/static-web-apps#661). We use 20,000 bytes.
"""

from __future__ import annotations

from pathlib import Path

from mkdocs_clarity.hosts.base import (
    HeaderExportError,
    Headers,
    Host,
    dump_json,
    load_json,
    read_json,
)
from mkdocs_clarity.hosts.headerset import OWNED_NAMES

FILE = "staticwebapp.config.json"
MAX_BYTES = 20_000


def render(existing: str, headers: Headers, path: Path) -> str:
    """``existing`` with our names in ``globalHeaders`` set, in their old place if any."""
    data = load_json(existing, path)
    glob = data.get("globalHeaders", {})
    if not isinstance(glob, dict):
        raise HeaderExportError(f"{path}: 'globalHeaders' must be an object")
    wanted = {n.lower(): (n, v) for n, v in headers}
    new: dict[str, str] = {}
    for key, value in glob.items():
        low = key.lower()
        if low in wanted:
            name, val = wanted.pop(low)
            new[name] = val
        elif low not in OWNED_NAMES:
            new[key] = value
    for name, val in wanted.values():
        new[name] = val
    data["globalHeaders"] = new
    return dump_json(data)


def check(text: str, path: Path) -> None:
    size = len(text.encode())
    if size > MAX_BYTES:
        raise HeaderExportError(
            f"{path}: would be {size} bytes; Azure Static Web Apps rejects a "
            f"staticwebapp.config.json over 20 KB. Shorten the policy or the file's routes")


def read(text: str) -> dict[str, str]:
    glob = read_json(text).get("globalHeaders", {})
    if not isinstance(glob, dict):
        return {}
    return {str(k).lower(): str(v) for k, v in glob.items()}


HOST = Host(
    delivery="azure-swa", file=FILE, render=render, read=read, check=check,
    docs="https://learn.microsoft.com/azure/static-web-apps/configuration#global-headers",
    hsts="Azure Static Web Apps does not document sending HSTS for you: keep hsts: auto")

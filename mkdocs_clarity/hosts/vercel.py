"""Vercel: ``vercel.json``, our ``{"source": "/(.*)", "headers": [...]}`` entry kept in place.

Format (vercel.com/docs/project-configuration#headers): ``headers`` is a list of
``{source, headers: [{key, value}]}``; JSON escaping is all the escaping there is. JSON has no
comments, so our entry is the one with our ``source`` that carries a CSP header; any other
entry with a CSP is a conflict (two policies would both be enforced).
"""

from __future__ import annotations

from pathlib import Path

from .base import HeaderExportError, Headers, Host, dump_json, load_json, read_json
from .headerset import CSP, CSP_RO

FILE = "vercel.json"
SOURCE = "/(.*)"


def _is_csp_key(key: object) -> bool:
    return isinstance(key, str) and key.lower() in (CSP.lower(), CSP_RO.lower())


def _our_index(entries: list[object], path: Path) -> int | None:
    """Index of our entry, or None; a CSP in any other entry is refused."""
    index = None
    for i, entry in enumerate(entries):
        has_csp = isinstance(entry, dict) and any(
            isinstance(h, dict) and _is_csp_key(h.get("key")) for h in entry.get("headers", []))
        if not has_csp:
            continue
        assert isinstance(entry, dict)
        if entry.get("source") == SOURCE and index is None:
            index = i
        else:
            raise HeaderExportError(
                f"{path}: headers[{i}] (source {entry.get('source')!r}) already sets a "
                "Content-Security-Policy; both would be enforced. Remove it and add its "
                "sources under csp.extra in consent.yml")
    return index


def render(existing: str, headers: Headers, path: Path) -> str:
    """``existing`` with our entry replaced (or appended); other keys and entries kept."""
    data = load_json(existing, path)
    entries = data.get("headers", [])
    if not isinstance(entries, list):
        raise HeaderExportError(f"{path}: 'headers' must be a list")
    ours = {"source": SOURCE, "headers": [{"key": n, "value": v} for n, v in headers]}
    index = _our_index(entries, path)
    entries = list(entries)
    if index is None:
        entries.append(ours)
    else:
        entries[index] = ours
    data["headers"] = entries
    return dump_json(data)


def read(text: str) -> dict[str, str]:
    """The headers of the entries whose source matches every URL (ours)."""
    got: dict[str, str] = {}
    entries = read_json(text).get("headers", [])
    for entry in entries if isinstance(entries, list) else []:
        if isinstance(entry, dict) and entry.get("source") == SOURCE:
            for h in entry.get("headers", []):
                if isinstance(h, dict) and isinstance(h.get("key"), str):
                    got[h["key"].lower()] = str(h.get("value", ""))
    return got


HOST = Host(
    delivery="vercel", file=FILE, render=render, read=read,
    docs="https://vercel.com/docs/project-configuration#headers",
    hsts="*.vercel.app deployment URLs are on the browsers' HSTS preload list "
         "(https://vercel.com/docs/security/encryption, 'Support for HSTS'); on your own "
         "domain the header is yours to send (hsts: auto)")

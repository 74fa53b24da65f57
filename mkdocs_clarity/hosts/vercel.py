"""Vercel: ``vercel.json``, our ``{"source": "/(.*)", "headers": [...]}`` entry kept in place.

Format (vercel.com/docs/project-configuration#headers): ``headers`` is a list of
``{source, headers: [{key, value}]}``; JSON escaping is all the escaping there is. JSON has no
comments, so our entry is the one with our ``source`` that carries a CSP header; any other
entry with a CSP is a conflict (two policies would both be enforced).
"""

from __future__ import annotations

import re
from pathlib import Path

from mkdocs_clarity.hosts.base import (
    HeaderExportError,
    Headers,
    Host,
    dump_json,
    load_json,
    read_json,
)
from mkdocs_clarity.hosts.headerset import CSP, CSP_RO, conflicts

FILE = "vercel.json"
SOURCE = "/(.*)"


def _is_csp_key(key: object) -> bool:
    return isinstance(key, str) and key.lower() in (CSP.lower(), CSP_RO.lower())


def _keys(entry: object) -> list[str]:
    if not isinstance(entry, dict) or not isinstance(entry.get("headers"), list):
        return []
    return [h["key"] for h in entry["headers"] if isinstance(h, dict)
            and isinstance(h.get("key"), str)]


def _our_index(entries: list[object], headers: Headers, path: Path) -> int | None:
    """Index of our entry (our source, carrying a CSP), or None; any other entry setting a
    header that must not be doubled (:func:`.headerset.conflicts`) is refused."""
    index = None
    refused = conflicts(headers)
    for i, entry in enumerate(entries):
        keys = _keys(entry)
        if index is None and any(_is_csp_key(k) for k in keys) \
                and isinstance(entry, dict) and entry.get("source") == SOURCE:
            index = i
            continue
        for regex, (what, why) in refused.items():
            if any(re.fullmatch(regex, k, re.I) for k in keys):
                assert isinstance(entry, dict)
                raise HeaderExportError(
                    f"{path}: headers[{i}] (source {entry.get('source')!r}) already sets "
                    f"{what}; {why}")
    return index


def render(existing: str, headers: Headers, path: Path) -> str:
    """``existing`` with our entry replaced (or appended); other keys and entries kept."""
    data = load_json(existing, path)
    entries = data.get("headers", [])
    if not isinstance(entries, list):
        raise HeaderExportError(f"{path}: 'headers' must be a list")
    ours = {"source": SOURCE, "headers": [{"key": n, "value": v} for n, v in headers]}
    index = _our_index(entries, headers, path)
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

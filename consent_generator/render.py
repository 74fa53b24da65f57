"""What a page needs to ask for consent, rendered as strings (interface; see docs/internals.md).

PLACEHOLDER implementation so other modules can integrate; the runtime work replaces the
bodies while keeping these signatures.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from html import escape
from pathlib import Path

from .model import Policy

HEAD_START = "<!-- consent-generator:head -->"
HEAD_END = "<!-- /consent-generator:head -->"
BODY_START = "<!-- consent-generator:body -->"
BODY_END = "<!-- /consent-generator:body -->"

RUNTIME_DIR = Path(__file__).parent / "runtime"


@dataclass(frozen=True)
class Asset:
    """A file the site must serve: ``path`` relative to the site root, ``/`` separators."""

    path: str
    content: bytes


def runtime_assets() -> list[Asset]:
    out = []
    for name in ("consent.js", "consent.css"):
        src = RUNTIME_DIR / name
        data = src.read_bytes() if src.exists() else b""
        digest = hashlib.sha256(data).hexdigest()[:8]
        stem, ext = name.rsplit(".", 1)
        out.append(Asset(f"assets/consent/{stem}.{digest}.{ext}", data))
    return out


def _service_tags(policy: Policy) -> list[str]:
    from jinja2 import Template

    tags = []
    for svc in policy.services:
        cat = escape(svc.category)
        key = escape(svc.key)
        if svc.spec.script_src:
            src = Template(svc.spec.script_src).render(**svc.params)
            tags.append(f'<script type="text/plain" data-consent-category="{cat}" '
                        f'data-consent-service="{key}" data-consent-src="{escape(src)}"></script>')
        if svc.spec.snippet:
            tags.append(f'<script type="text/plain" data-consent-category="{cat}" '
                        f'data-consent-service="{key}">{_snippet(svc)}</script>')
    return tags


def _snippet(svc) -> str:
    from jinja2 import Template

    return Template(svc.spec.snippet).render(**svc.params)


def service_inline_scripts(policy: Policy) -> list[str]:
    return [_snippet(s) for s in policy.services if s.spec.snippet]


def render_head(policy: Policy, *, lang: str, root: str) -> str:
    js, css = runtime_assets()
    config = json.dumps({"revision": policy.revision, "cookie": policy.cookie.name},
                        separators=(",", ":")).replace("<", "\\u003c")
    parts = [
        HEAD_START,
        f'<link rel="stylesheet" href="{root}{css.path}">',
        f'<script src="{root}{js.path}" defer></script>',
        f'<script type="application/json" id="consent-config">{config}</script>',
        *_service_tags(policy),
        HEAD_END,
    ]
    return "".join(parts)


def render_body(policy: Policy, *, lang: str) -> str:
    return (f'{BODY_START}<div class="cc-banner" role="region" aria-label="Cookie consent" '
            f'hidden></div>{BODY_END}')


def write_snippet(policy: Policy, out_dir: Path, *, lang: str = "en") -> list[Path]:
    raise NotImplementedError

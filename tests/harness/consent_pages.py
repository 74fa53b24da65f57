"""Test pages for the consent runtime: render_head/render_body under a strict ``<meta>`` CSP.

The CSP is computed here, independently of the product's CSP code: ``'self'``, the sha256 of
every inline script that may execute (hashed from its UTF-8 text) and the services' sources.
A runtime that needed ``'unsafe-inline'``, an inline style or an unlisted host would show up
as a violation in ``Session.csp_violations()``.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable
from pathlib import Path

from consent_generator import render, services
from consent_generator.model import Policy, ServiceConfig, frozen_map

# Same-origin scripts the gating tests activate; each records its run in window.__order and
# counts runs in window.__count so "never twice" can be asserted.
TEST_SCRIPTS = ("one", "two", "three", "func", "mkt")


def _script_body(name: str) -> str:
    extra = "window.__one = true;\n" if name == "one" else ""
    return (f"{extra}(window.__order = window.__order || []).push('{name}');\n"
            f"window.__count = window.__count || {{}};\n"
            f"window.__count['{name}'] = (window.__count['{name}'] || 0) + 1;\n")


def service(key: str, category: str | None = None, **params: str) -> ServiceConfig:
    spec = services.get(key)
    return ServiceConfig(key=key, spec=spec, category=category or spec.default_category,
                         params=frozen_map(params))


def standard_services() -> tuple[ServiceConfig, ...]:
    return (service("clarity", project_id="abcde12345"),
            service("google-analytics", measurement_id="G-TEST123"),
            service("youtube"))


def sha256_source(text: str) -> str:
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode() + "'"


def csp_for(policy: Policy, inline_scripts: Iterable[str] = ()) -> str:
    directives: dict[str, list[str]] = {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "frame-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
    }
    for text in [*render.service_inline_scripts(policy), *inline_scripts]:
        directives["script-src"].append(sha256_source(text))
    for svc in policy.services:
        for directive, sources in svc.csp.items():
            directives.setdefault(directive, ["'self'"]).extend(sources)
    return "; ".join(f"{d} {' '.join(dict.fromkeys(s))}" for d, s in directives.items())


def page_html(policy: Policy, *, lang: str = "en", html_lang: str | None = None,
              root: str = "../", body_extra: str = "", inline_scripts: Iterable[str] = (),
              body_attrs: str = "", themes: Iterable[str] = ()) -> str:
    """``themes``: the theme the page stands for (its CSS parts, as a recognised theme gets)."""
    csp = csp_for(policy, inline_scripts)
    head = render.render_head(policy, lang=lang, root=root, themes=themes)
    body = render.render_body(policy, lang=lang)
    return (
        f'<!doctype html>\n<html lang="{html_lang or lang}">\n<head>\n'
        f'<meta http-equiv="Content-Security-Policy" content="{csp}">\n'
        f'<meta charset="utf-8">\n<title>Consent test</title>\n{head}\n</head>\n'
        f"<body{body_attrs}>\n{body}\n"
        '<main><h1>Test page</h1>\n'
        '<p><a href="#consent-preferences" id="hash-link">Cookie settings</a>\n'
        '<button type="button" id="open-btn" data-consent-open>Privacy settings</button></p>\n'
        f"{body_extra}\n</main>\n</body>\n</html>\n"
    )


def write_assets(root: Path) -> None:
    for asset in render.runtime_assets():
        target = root / asset.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(asset.content)
    js = root / "js"
    js.mkdir(exist_ok=True)
    for name in TEST_SCRIPTS:
        (js / f"{name}.js").write_text(_script_body(name))


def write_page(root: Path, name: str, policy: Policy, **kwargs) -> None:
    # The runtime carries the adapters of the page's vendors only: serve that one too.
    for asset in render.runtime_assets(policy, themes=kwargs.get("themes", ())):
        (root / asset.path).parent.mkdir(parents=True, exist_ok=True)
        (root / asset.path).write_bytes(asset.content)
    (root / name).mkdir(parents=True, exist_ok=True)
    (root / name / "index.html").write_text(page_html(policy, **kwargs), encoding="utf-8")


def _to36(n: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        n, r = divmod(n, 36)
        out = digits[r] + out
        if not n:
            return out


def _fnv(text: str) -> str:
    """FNV-1a 32-bit in base 36: the record checksum (ASCII bodies only)."""
    h = 0x811C9DC5
    for ch in text:
        h = ((h ^ ord(ch)) * 0x01000193) & 0xFFFFFFFF
    return _to36(h)


def encode_record(granted: Iterable[str], *, revision: int = 1, given: int, updated: int,
                  consent_id: str = "0123456789abcdef0123456789abcdef") -> str:
    """The cookie value consent.js writes, built independently (format: README, "The consent record")."""
    body = ".".join(["1", consent_id, _to36(given), _to36(updated), str(revision),
                     "~".join(granted)])
    return f"{body}.{_fnv(body)}"

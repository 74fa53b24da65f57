"""What a page needs to ask for consent, rendered as strings (contract: docs/internals.md).

``render_head`` gives the runtime's ``<link>``/``<script defer>``, the JSON configuration the
runtime reads and each enabled service's gated tags; ``render_body`` gives the banner and the
preferences dialog. Both are wrapped in marker comments so a later run can strip and re-inject
them (idempotency). Everything user-supplied goes through Jinja2 autoescape or JSON escaping;
snippet parameters are additionally escaped for a JavaScript string literal, because a
malformed id must never become code.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import jinja2
from jinja2 import (
    Environment,
    FileSystemBytecodeCache,
    FileSystemLoader,
    FunctionLoader,
    StrictUndefined,
    Template,
)

from . import disk_cache
from .atomic import write_atomic
from .csp_sources import policy_csp
from .errors import UserError
from .model import Policy, ServiceConfig
from .services import ServiceSpec, catalog
from .urls import url_parts

HEAD_START = "<!-- consent-generator:head -->"
HEAD_END = "<!-- /consent-generator:head -->"
BODY_START = "<!-- consent-generator:body -->"
BODY_END = "<!-- /consent-generator:body -->"
FOOTER_START = "<!-- consent-generator:footer -->"
FOOTER_END = "<!-- /consent-generator:footer -->"
"""Around the "Cookie settings" link the rewrite puts inside a theme's footer."""
GUARD_START = "<!-- consent-generator:guard -->"
GUARD_END = "<!-- /consent-generator:guard -->"

PACKAGE_DIR = Path(__file__).parent
RUNTIME_DIR = PACKAGE_DIR / "runtime"
I18N_DIR = PACKAGE_DIR / "i18n"
TEMPLATES_DIR = PACKAGE_DIR / "templates"

DEFAULT_LANGUAGE = "en"
CONFIG_ID = "consent-config"

# Texts the runtime itself needs (placeholders it builds with DOM APIs); everything else is in
# the build-time markup, so the JSON stays small.
RUNTIME_TEXT_KEYS = ("embed_text", "embed_load", "embed_load_video", "embed_load_map",
                     "embed_always")


class RenderError(UserError):
    """A policy value that cannot be put on a page safely (e.g. a snippet containing </script>)."""


@dataclass(frozen=True)
class Asset:
    """A file the site must serve: ``path`` relative to the site root, ``/`` separators."""

    path: str
    content: bytes


# --- runtime files ---------------------------------------------------------------------------

ADAPTERS_DIR = RUNTIME_DIR / "adapters"
ADAPTERS_MARK = "    /* @adapters */\n"
"""The line of consent.js that :func:`runtime_source` replaces with the site's adapters."""

Adapters = tuple[tuple[int, str, str], ...]
"""(order, signal kind, adapter file) of each consent adapter a runtime carries, sorted."""


def site_adapters(specs: Iterable[ServiceSpec]) -> Adapters:
    """The consent adapters a site with these vendors needs (each once: GA and GTM share
    Google's), in the catalog's signal order."""
    return tuple(sorted({(s.signal.order, s.signal.kind, s.signal.adapter)
                         for s in specs if s.signal.adapter}))


def runtime_source(adapters: Adapters) -> str:
    """consent.js with the given adapters put in its adapter list, as ``[signal, factory]``
    entries: the core stays vendor-neutral and a site ships only its vendors' code."""
    core = (RUNTIME_DIR / "consent.js").read_text(encoding="utf-8")
    if ADAPTERS_MARK not in core:
        raise RuntimeError("consent.js lost its adapter mark " + ADAPTERS_MARK.strip())
    entries = "".join(f"[{json.dumps(kind)},\n"
                      f"{(ADAPTERS_DIR / name).read_text(encoding='utf-8').rstrip()}],\n"
                      for _, kind, name in adapters)
    return core.replace(ADAPTERS_MARK, entries)


def _guard_source() -> str:
    """consent-guard.js with the ``<shared>`` and ``<state>`` parts of consent.js built in:
    the guard decides from the cookie with the runtime's own code, never a copy of it."""
    runtime = (RUNTIME_DIR / "consent.js").read_text(encoding="utf-8")
    guard = (RUNTIME_DIR / "consent-guard.js").read_text(encoding="utf-8")
    for part in ("shared", "state"):
        m = re.search(rf"^[ \t]*// <{part}>.*?$(.*?)^[ \t]*// </{part}>", runtime, re.S | re.M)
        if m is None:
            raise RuntimeError(f"consent.js has no // <{part}> … // </{part}> part")
        guard = guard.replace(f"/*@{part}@*/", m.group(1).strip("\n"))
    return guard


def runtime_assets(policy: Policy | None = None, *, guard: bool = False,
                   themes: Iterable[str] = ()) -> list[Asset]:
    """The runtime JS and CSS under content-hashed names, so they can be cached forever.

    The JS is the core plus the consent adapters of the policy's enabled vendors (every
    adapter without a policy), so a site never ships code for vendors it does not use; the
    CSS carries the ``@theme`` parts of the recognised ``themes`` only (theme names as in
    ``mkdocs_clarity.themes``: ``material``, ``mkdocs``...), so a site never ships another
    theme's rules. Served minified (see :mod:`consent_generator.minify`) to meet the 6 KB
    gzip budget while the sources keep their comments and names. The hash is over the exact
    bytes served, so the same sources, vendors and themes always give the same names.
    """
    specs = catalog().values() if policy is None else [s.spec for s in policy.services]
    return list(adapter_assets(site_adapters(specs), guard=guard, themes=themes))


def adapter_assets(adapters: Adapters, *, guard: bool = False,
                   themes: Iterable[str] = ()) -> tuple[Asset, ...]:
    """The runtime JS (core + ``adapters``), CSS (with the parts of ``themes``) and, with
    ``guard``, the Trusted Types guard, as served. Called for every build, every head rendered
    and every `mkdocs serve` rebuild: minified once per version of the sources (their size
    and mtime) in a process, and once per content of the sources, the producing code and the
    package version across processes (:mod:`.disk_cache`: a build would otherwise pay the
    minifier, ~15 ms, every time)."""
    names = ("consent.js", "consent.css", "consent-guard.js",
             *(f"adapters/{name}" for _, _, name in adapters))
    wanted = tuple(sorted(set(themes)))
    key = (adapters, guard, wanted, *((st.st_size, st.st_mtime_ns) for st in
                                      ((RUNTIME_DIR / name).stat() for name in names)))
    hit = _ASSETS_CACHE.get(key)
    if hit is None:
        disk_key = disk_cache.cache_key("runtime", (
            repr((adapters, guard, wanted)).encode(),
            *(path.read_bytes() for path in (*_PRODUCERS, *(RUNTIME_DIR / n for n in names)))))
        hit = _assets_from_disk(disk_key)
        if hit is None:
            hit = _make_assets(adapters, guard, wanted)
            disk_cache.write("runtime", disk_key, json.dumps(
                [[a.path, a.content.decode("utf-8")] for a in hit]).encode("utf-8"))
        _ASSETS_CACHE[key] = hit
    return hit


_PRODUCERS = (PACKAGE_DIR / "render.py", PACKAGE_DIR / "minify.py")
"""The code that turns the runtime sources into the served files: part of the disk cache's key,
so an edited minifier (in a checkout, without a version change) never serves a stale entry."""


def _make_assets(adapters: Adapters, guard: bool, wanted: tuple[str, ...]) -> tuple[Asset, ...]:
    """Minify and hash the runtime files (the slow part: ~15 ms, mostly :func:`mangle_js`).
    The minifier is imported here: with the disk cache warm, a build never needs it."""
    from .minify import compact_css, compact_js

    out: list[Asset] = []
    files: list[tuple[str, Callable[[str], str]]] = [
        ("consent.js", _js), ("consent.css", lambda css: compact_css(css, wanted))]
    if guard:  # only with csp.trusted_types: nothing else calls the default policy
        files.append(("consent-guard.js", compact_js))
    for name, compact in files:
        source = (_guard_source() if name == "consent-guard.js" else
                  runtime_source(adapters) if name == "consent.js" else
                  (RUNTIME_DIR / name).read_text(encoding="utf-8"))
        data = compact(source).encode("utf-8")
        digest = hashlib.sha256(data).hexdigest()[:8]
        stem, ext = name.rsplit(".", 1)
        out.append(Asset(f"assets/consent/{stem}.{digest}.{ext}", data))
    return tuple(out)


def _assets_from_disk(key: str) -> tuple[Asset, ...] | None:
    """The cached assets, or None if there are none or the entry is not whole: every file's
    name must carry the hash of its content, as :func:`_make_assets` names them."""
    raw = disk_cache.read("runtime", key)
    if raw is None:
        return None
    try:
        entries = json.loads(raw)
        assets = tuple(Asset(str(path), str(text).encode("utf-8")) for path, text in entries)
    except (ValueError, TypeError):
        return None
    for asset in assets:
        stem, _, _ext = asset.path.rpartition(".")
        if not stem.endswith("." + hashlib.sha256(asset.content).hexdigest()[:8]):
            return None
    return assets or None


_ASSETS_CACHE: dict[tuple[Any, ...], tuple[Asset, ...]] = {}


def _js(source: str) -> str:
    from .minify import compact_js, mangle_js

    return mangle_js(compact_js(source))


# --- languages and texts ---------------------------------------------------------------------

@cache
def bundled_languages() -> tuple[str, ...]:
    """Language codes with a bundled ``i18n/<code>.json``."""
    return tuple(sorted(p.stem for p in I18N_DIR.glob("*.json")))


@cache
def _bundled_texts(code: str) -> Mapping[str, str]:
    texts: dict[str, str] = json.loads((I18N_DIR / f"{code}.json").read_text(encoding="utf-8"))
    return texts


def normalise_language(lang: str | None) -> str:
    """``de-AT`` / ``de_at`` -> ``de``; anything not bundled -> ``en``."""
    primary = re.split(r"[-_]", (lang or "").strip().lower(), maxsplit=1)[0]
    return primary if primary in bundled_languages() else DEFAULT_LANGUAGE


def pick_language(policy: Policy, lang: str | None) -> str:
    """``ui.language`` wins unless it is ``auto``; then the page's ``<html lang>``."""
    wanted = policy.ui.language if policy.ui.language not in ("", "auto") else lang
    return normalise_language(wanted)


def texts_for(policy: Policy, lang: str | None) -> dict[str, str]:
    """All texts for a page: English base < bundled language < category fields < ui.texts.

    English is the base so a key missing from a translation (or a custom category) never
    renders as an empty control.
    """
    code = pick_language(policy, lang)
    texts = dict(_bundled_texts(DEFAULT_LANGUAGE))
    texts.update(_bundled_texts(code))
    for cat in policy.categories:
        if cat.title:
            texts[f"category.{cat.id}.title"] = cat.title
        if cat.description:
            texts[f"category.{cat.id}.description"] = cat.description
    for key, overrides in policy.ui.texts.items():
        if re.split(r"[-_]", key.strip().lower(), maxsplit=1)[0] == code:
            texts.update({k: str(v) for k, v in overrides.items()})
    return texts


def _category_text(texts: Mapping[str, str], cat_id: str, field: str) -> str:
    fallback = cat_id.replace("_", " ").replace("-", " ").capitalize() if field == "title" else ""
    return texts.get(f"category.{cat_id}.{field}", fallback)


# --- services --------------------------------------------------------------------------------

def _js_string_param(value: object) -> str:
    """A parameter value made safe inside a quoted JS string (and inside a script element)."""
    text = json.dumps(str(value), ensure_ascii=True)[1:-1]
    return text.replace("'", "\\u0027").replace("<", "\\u003c").replace(">", "\\u003e")


def _url_param(value: object) -> str:
    return quote(str(value), safe="")


_SOURCES: dict[str, str] = {}
"""Service templates by the SHA-256 of their text: the name the environments load them by."""


def _by_name(name: str) -> tuple[str, None, Callable[[], bool]] | None:
    source = _SOURCES.get(name)
    return None if source is None else (source, None, lambda: True)


@cache
def _service_env(kind: str) -> Environment:
    """The environment of the catalog's snippet (``js``) or script URL (``url``) templates,
    built once; its templates are loaded by name through the disk's bytecode cache (compiling
    them is ~1 ms of every build, loading ~0.1 ms) and rendered exactly as ``from_string``
    templates would."""
    finalize = _js_string_param if kind == "js" else _url_param
    return Environment(autoescape=False, finalize=finalize, keep_trailing_newline=kind == "js",
                       loader=FunctionLoader(_by_name), bytecode_cache=_bytecode_cache())


def _service_template(kind: str, source: str) -> Template:
    name = hashlib.sha256(source.encode("utf-8")).hexdigest()
    _SOURCES[name] = source
    return _service_env(kind).get_template(name)


def _service_name(svc: ServiceConfig) -> str:
    # A custom service is named by its key unless the loader gave it a real name.
    if svc.spec.id == "custom" and svc.spec.name in ("", "Custom service"):
        return svc.key
    return svc.spec.name


@cache
def _snippet_template(source: str) -> Template:
    """Compiled once per process: compiling a template costs ~1 ms, rendering it ~10 us."""
    return _service_template("js", source)


@cache
def _url_template(source: str) -> Template:
    return _service_template("url", source)


def _snippet_text(svc: ServiceConfig) -> str:
    """The executable text of a service's inline loader, exactly as it lands in the page."""
    text = _snippet_template(svc.spec.snippet).render(**dict(svc.params))
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if re.search(r"</script|<!--", text, re.IGNORECASE):
        raise RenderError(f"services.{svc.key}: the snippet contains '</script' or '<!--', which "
                          "would end or corrupt the script element; load it from a file with "
                          "'src' instead")
    return text


def _script_src(svc: ServiceConfig) -> str:
    return _url_template(svc.spec.script_src).render(**dict(svc.params))


def service_inline_scripts(policy: Policy) -> list[str]:
    """The exact text of every inline script render_head emits that will execute once granted
    (for CSP hashes); the JSON configuration block never executes and is not listed."""
    return [_snippet_text(s) for s in policy.services if s.spec.snippet]


def _safe_url(url: str | None) -> str | None:
    """http(s), protocol-relative or site-relative URLs only: never ``javascript:``. The
    scheme is the one the browser follows (:func:`.urls.url_parts`: leading C0 controls and
    tabs/newlines inside removed), not ``urlsplit``'s, which kept ``\\x01javascript:`` as a
    relative URL before Python 3.11.4."""
    url = (url or "").strip()  # what is written to the page is what is read
    return url if url and url_parts(url).scheme in ("", "http", "https") else None


# --- head ------------------------------------------------------------------------------------

def _first_party_cookie_regexes(svc: ServiceConfig) -> list[str]:
    return [c.regex for c in svc.cookies if c.party == "first" and c.store == "cookie"]


def _storage_regexes(svc: ServiceConfig) -> list[str]:
    """Web Storage keys the runtime clears on revoke (from localStorage and sessionStorage:
    the runtime does not tell them apart, a declared name is specific enough)."""
    return [c.regex for c in svc.cookies if c.party == "first" and c.store != "cookie"]


def runtime_config(policy: Policy, *, lang: str) -> dict[str, Any]:
    """The JSON the runtime reads from ``#consent-config``: only what it needs to decide."""
    texts = texts_for(policy, lang)
    core = {
        "mode": policy.mode,
        "revision": policy.revision,
        "expiry_days": policy.expiry_days,
        "honor_gpc": policy.honor_gpc,
        "cookie": {"name": policy.cookie.name, "domain": policy.cookie.domain},
        "record_endpoint": policy.record_endpoint,
        "categories": [{"id": c.id, "required": c.required,
                        "title": _category_text(texts, c.id, "title")}
                       for c in policy.categories],
        "services": [{"key": s.key, "name": _service_name(s), "category": s.category,
                      "signal": s.spec.signal.kind,
                      "cookies": _first_party_cookie_regexes(s),
                      "storage": _storage_regexes(s),
                      "gpc": s.spec.gpc.not_loaded,
                      "embed": s.spec.embed.kind if s.spec.embed else None}
                     for s in policy.services],
    }
    # The hash identifies the policy a visitor consented to (sent with the proof record); it
    # leaves texts out so translations do not change it.
    canonical = json.dumps({k: v for k, v in core.items() if k != "categories"}
                           | {"categories": [(c.id, c.required) for c in policy.categories]},
                           sort_keys=True, separators=(",", ":"))
    core["texts"] = {k: texts[k] for k in RUNTIME_TEXT_KEYS}
    core["policy_hash"] = hashlib.sha256(canonical.encode()).hexdigest()[:16]
    return core


def _json_for_html(data: object) -> str:
    """JSON that cannot end its ``<script>`` element or open a comment in it."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def _attr(value: str) -> str:
    return (value.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
            .replace(">", "&gt;"))


def _service_tags(policy: Policy) -> list[str]:
    """Each enabled service's loader, inert (``type="text/plain"``) until its category is
    granted. The external script (gtag.js) comes first; the runtime waits for it to load
    before running the inline part."""
    tags = []
    for svc in policy.services:
        gate = (f'type="text/plain" data-consent-category="{_attr(svc.category)}" '
                f'data-consent-service="{_attr(svc.key)}"')
        if svc.spec.script_src:
            tags.append(f'<script {gate} data-consent-src="{_attr(_script_src(svc))}"></script>')
        if svc.spec.snippet:
            tags.append(f"<script {gate}>{_snippet_text(svc)}</script>")
    return tags


def render_head(policy: Policy, *, lang: str, root: str, themes: Iterable[str] = ()) -> str:
    """Markup for ``<head>``: runtime assets (the CSS with the parts of the site's recognised
    ``themes``: see :func:`runtime_assets`), configuration and gated service tags."""
    js, css = runtime_assets(policy, themes=themes)
    config = _json_for_html(runtime_config(policy, lang=lang))
    parts = [
        HEAD_START,
        f'<link rel="stylesheet" href="{_attr(root + css.path)}">',
        f'<script type="application/json" id="{CONFIG_ID}">{config}</script>',
        f'<script src="{_attr(root + js.path)}" defer></script>',
        *_service_tags(policy),
        HEAD_END,
    ]
    return "\n".join(parts)


def guard_config(policy: Policy) -> dict[str, Any]:
    """What the guard needs before the runtime exists: the record rules' inputs (the same
    keys as :func:`runtime_config`) and each catalog vendor's script hosts with the
    categories that must be granted (the site's category for its services, the catalog's
    default for a vendor the site does not configure)."""
    from .services import catalog

    categories: dict[str, str] = {spec.id: spec.default_category
                                  for spec in catalog().values()}
    categories.update({s.spec.id: s.category for s in policy.services})
    vendors: dict[str, list[str]] = {}
    specs = {**catalog(), **{s.spec.id: s.spec for s in policy.services}}
    for sid, spec in specs.items():
        for source in spec.csp.get("script-src", ()):
            # A CSP source, not a URL: the WHATWG parser refuses its ``:*`` port, and within
            # the validated host-source grammar (ASCII, no ``user@``, no ``%``) urlsplit's
            # lower-cased hostname is the host CSP matches.
            host = urlsplit(source if "://" in source else "https://" + source).hostname
            if host and categories.get(sid):
                vendors.setdefault(host, [])
                if categories[sid] not in vendors[host]:
                    vendors[host].append(categories[sid])
    return {"mode": policy.mode, "revision": policy.revision,
            "expiry_days": policy.expiry_days, "honor_gpc": policy.honor_gpc,
            "cookie": {"name": policy.cookie.name, "domain": policy.cookie.domain},
            "categories": [{"id": c.id, "required": c.required} for c in policy.categories],
            "vendors": sorted([host, cats] for host, cats in vendors.items())}


def render_guard(policy: Policy, *, root: str) -> str:
    """The guard's ``<script>`` (synchronous: it must run before any parser-blocking
    script), placed right after the CSP ``<meta>``; empty unless ``csp.trusted_types``."""
    if not policy.csp.trusted_types:
        return ""
    guard = runtime_assets(guard=True)[2]
    data = _attr(json.dumps(guard_config(policy), separators=(",", ":"), sort_keys=True))
    return (f'{GUARD_START}<script src="{_attr(root + guard.path)}" '
            f'data-consent-guard="{data}"></script>{GUARD_END}')


# --- body ------------------------------------------------------------------------------------

@cache
def _env() -> Environment:
    return Environment(loader=FileSystemLoader(str(TEMPLATES_DIR)), autoescape=True,
                       trim_blocks=True, lstrip_blocks=True, undefined=StrictUndefined,
                       bytecode_cache=_bytecode_cache())


def _bytecode_cache() -> FileSystemBytecodeCache | None:
    """Jinja's compiled banner template on disk: compiling it is ~10 ms of every build, loading
    it well under 1 ms. Jinja checks each entry against the template's source; the directory is
    keyed by this file (the environment's options) and Jinja's version, which Jinja's own
    check does not cover."""
    where = disk_cache.cache_dir()
    if where is None:
        return None
    key = disk_cache.cache_key("jinja", (jinja2.__version__.encode(),
                                         (PACKAGE_DIR / "render.py").read_bytes()))
    directory = where / "jinja" / key[:16]
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return FileSystemBytecodeCache(str(directory))


def _category_view(policy: Policy, texts: Mapping[str, str]) -> list[dict[str, Any]]:
    view = []
    for cat in policy.categories:
        services = [{
            "name": _service_name(s),
            "provider": s.spec.provider,
            "description": s.spec.description,
            "privacy_url": _safe_url(s.spec.privacy_url),
            "cookies": s.cookies,
            "gpc_off": s.spec.gpc.not_loaded,
        } for s in policy.services if s.category == cat.id]
        view.append({"id": cat.id, "required": cat.required, "services": services,
                     "title": _category_text(texts, cat.id, "title"),
                     "description": _category_text(texts, cat.id, "description")})
    return view


def render_body(policy: Policy, *, lang: str) -> str:
    """The banner and the preferences dialog, hidden until the runtime decides.

    Best placed right after ``<body>`` so keyboard users reach it first; it overlays the page
    (position: fixed), so its place in the markup never moves content.
    """
    texts = texts_for(policy, lang)
    banner_text = {"opt-out": texts["optout_text"], "notice": texts["notice_text"]}.get(
        policy.mode, texts["banner_text"])
    html = _env().get_template("banner.html.j2").render(
        t=texts, mode=policy.mode, banner_text=banner_text,
        privacy_url=_safe_url(policy.ui.privacy_url),
        categories=_category_view(policy, texts),
    )
    return f"{BODY_START}\n{html.strip()}\n{BODY_END}"


# --- snippet for any site --------------------------------------------------------------------

def csp_sources(policy: Policy) -> dict[str, list[str]]:
    """What the runtime and the enabled services need, per CSP directive (ordered, unique):
    :func:`.csp_sources.policy_sources`, the same function the site-wide CSP starts from."""
    found = policy_csp(policy, service_inline_scripts(policy))
    return {directive: list(sources) for directive, sources in found.items()}


def _install_text(policy: Policy, assets: list[Asset]) -> str:
    csp = csp_sources(policy)
    lines = [
        "Consent runtime for any static site (generated by consent-generator snippet)",
        "",
        "1. Upload the folder 'assets/consent/' to your site root, so these URLs work:",
        *[f"     /{a.path}" for a in assets],
        "2. Paste head.html into every page's <head> (after any <meta charset> and CSP <meta>).",
        "   It loads the runtime from '/assets/...': adjust the prefix if your site is not",
        "   served from the domain root.",
        "3. Paste body.html right after every page's <body> tag (the banner overlays the page;",
        "   placing it first puts it first in the keyboard order).",
        "4. Add a link anywhere to reopen the choices:",
        '     <a href="#consent-preferences" data-consent-open>Cookie settings</a>',
        "5. Gate your own scripts and embeds (they stay inert until their category is granted):",
        '     <script type="text/plain" data-consent-category="analytics" src="/stats.js"></script>',
        '     <iframe data-consent-category="marketing" data-consent-service="youtube"',
        '             data-consent-src="https://www.youtube-nocookie.com/embed/ID"'
        ' title="..."></iframe>',
        "",
        "Content Security Policy these files need (the same one mkdocs-clarity builds from the",
        "policy; use it, or merge its sources into yours; every inline script you add to gated",
        "tags needs its own hash):",
    ]
    lines += [f"  {d} {' '.join(s)};" for d, s in csp.items()]
    lines += [""]
    return "\n".join(lines)


def write_snippet(policy: Policy, out_dir: Path, *, lang: str = "en") -> list[Path]:
    """Write the hashed runtime files, ``head.html``, ``body.html`` and ``INSTALL.txt``.

    Writes are atomic and the bytes depend only on the policy and the runtime, so running it
    twice gives the same files. Returns the paths written, in a stable order.
    """
    out_dir = Path(out_dir)
    assets = runtime_assets(policy)
    files: list[tuple[Path, bytes]] = [(out_dir / a.path, a.content) for a in assets]
    files.append((out_dir / "head.html",
                  (render_head(policy, lang=lang, root="/") + "\n").encode("utf-8")))
    files.append((out_dir / "body.html", (render_body(policy, lang=lang) + "\n").encode("utf-8")))
    files.append((out_dir / "INSTALL.txt", _install_text(policy, assets).encode("utf-8")))
    for path, data in files:
        write_atomic(path, data)
    return [path for path, _ in files]

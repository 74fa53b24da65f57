"""What a site already loads, so ``consent-generator init`` can propose a policy for it.

``init`` is run on sites that already have trackers: a Clarity loader pasted from Microsoft's
setup page, a theme's Google Analytics setting, YouTube embeds, a Disqus thread. Asking the
maintainer to remember all of them (and their ids) invites a policy that misses one, so
``init`` reads the site first and asks only what it could not find.

Two kinds of site are read:

- an **MkDocs project** (a directory with ``mkdocs.yml``): the theme's analytics settings in
  ``mkdocs.yml``, and the sources the build copies or renders — ``docs_dir`` and the theme's
  ``custom_dir`` (Markdown, HTML overrides, JavaScript);
- a **built site** of any generator (a directory of ``.html`` files).

Recognition uses the catalog's own ``detect`` patterns (``Detect.script_src``, ``inline``,
``iframe_src``) and reads ids with ``Detect.ids``, so a vendor taught to the catalog is found
here without any change to this module. This is a best-effort text scan of *sources*, not the
engine's browser-grade recogniser of built pages: it proposes, the maintainer confirms.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml

from .services import CUSTOM_ID, catalog

MKDOCS_CONFIG = "mkdocs.yml"
SOURCE_SUFFIXES = (".md", ".markdown", ".html", ".htm", ".js")
"""Files whose text can carry a pasted loader or embed."""
BUILT_SUFFIXES = (".html", ".htm")
SKIPPED_DIRS = frozenset({".git", "node_modules", ".venv", "venv", "__pycache__", ".cache"})
MAX_FILE_BYTES = 5 * 1024 * 1024
"""Larger files are not read: sources with pasted snippets are small; this keeps init fast."""

_SRC_RE = re.compile(r"""<(script|iframe)\b[^>]*?\bsrc\s*=\s*["']?([^"'\s>]+)""", re.I)


@dataclass(frozen=True)
class Finding:
    """One thing the site loads, and where it was seen first."""

    where: str
    """``file:line`` relative to the site directory."""
    what: str
    """What was seen, for the maintainer: ``pasted loader``, ``theme setting extra.analytics``…"""
    service: str | None = None
    """Catalog id; None for a third party the catalog does not know."""
    params: tuple[tuple[str, str], ...] = ()
    """Ids read from the code (``(("project_id", "abcde12345"),)``)."""
    url: str = ""
    """For an unknown third party: the URL it loads."""
    config_key: str = ""
    """For a theme setting: the mkdocs.yml key to remove once consent.yml loads the service."""


@dataclass(frozen=True)
class Discovery:
    """Everything found in one site directory."""

    root: Path
    kind: str
    """``mkdocs`` (a project with mkdocs.yml) or ``built`` (HTML files)."""
    findings: tuple[Finding, ...] = ()
    plugins: tuple[str, ...] | None = None
    """MkDocs only: the names already under ``plugins:`` (None when the key is absent)."""
    plugins_line: int | None = None
    theme: str = ""
    notes: tuple[str, ...] = field(default=())
    """Things worth saying that are not findings (an unreadable mkdocs.yml, say)."""

    def services(self) -> dict[str, list[Finding]]:
        """Catalog findings grouped by service id, in the order first seen."""
        grouped: dict[str, list[Finding]] = {}
        for f in self.findings:
            if f.service is not None:
                grouped.setdefault(f.service, []).append(f)
        return grouped

    def unknown(self) -> list[Finding]:
        return [f for f in self.findings if f.service is None]


def discover(root: Path) -> Discovery:
    """Read the site at ``root``: an MkDocs project if it has mkdocs.yml, else built HTML."""
    config = root / MKDOCS_CONFIG
    if config.is_file():
        return _discover_mkdocs(root, config)
    files = _walk(root, BUILT_SUFFIXES)
    return Discovery(root=root, kind="built", findings=tuple(_dedupe(_scan_files(root, files))))


# -- MkDocs projects ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Config:
    """The parts of mkdocs.yml that discovery reads, with the line of each value."""

    docs_dir: str = "docs"
    theme: str = ""
    custom_dir: str | None = None
    plugins: tuple[str, ...] | None = None
    plugins_line: int | None = None
    analytics: tuple[Finding, ...] = ()


def _discover_mkdocs(root: Path, config_path: Path) -> Discovery:
    notes: list[str] = []
    try:
        config = _read_config(config_path)
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        notes.append(f"{MKDOCS_CONFIG} could not be read ({_first_line(exc)}); "
                     "only the docs directory was scanned")
        config = _Config()
    dirs = [root / config.docs_dir]
    if config.custom_dir:
        dirs.append(root / config.custom_dir)
    files = [f for d in dirs if d.is_dir() for f in _walk(d, SOURCE_SUFFIXES)]
    findings = [*config.analytics, *_scan_files(root, files)]
    return Discovery(root=root, kind="mkdocs", findings=tuple(_dedupe(findings)),
                     plugins=config.plugins, plugins_line=config.plugins_line,
                     theme=config.theme, notes=tuple(notes))


def _read_config(path: Path) -> _Config:
    """mkdocs.yml through ``yaml.compose``: nodes only, so ``!ENV`` and ``!!python/name`` tags
    need no constructor and nothing in the file is executed."""
    node = yaml.compose(path.read_text(encoding="utf-8"))
    if not isinstance(node, yaml.MappingNode):
        return _Config()
    top = _mapping(node)
    theme = top.get("theme")
    theme_map = _mapping(theme) if isinstance(theme, yaml.MappingNode) else {}
    theme_name = _scalar(theme_map.get("name")) if theme_map else _scalar(theme)
    plugins = top.get("plugins")
    plugins_key = next((k for k, _ in node.value if getattr(k, "value", None) == "plugins"), None)
    return _Config(
        docs_dir=_scalar(top.get("docs_dir")) or "docs",
        theme=theme_name or "mkdocs",
        custom_dir=_scalar(theme_map.get("custom_dir")) or None,
        plugins=_plugin_names(plugins) if plugins is not None else None,
        plugins_line=plugins_key.start_mark.line + 1 if plugins_key is not None else None,
        analytics=tuple(_theme_analytics(top, theme_map, path.name)),
    )


def _theme_analytics(top: dict[str, yaml.Node], theme: dict[str, yaml.Node],
                     filename: str) -> Iterator[Finding]:
    """Google Analytics configured through the theme rather than pasted.

    Material and Zensical read ``extra.analytics`` (``provider: google``, ``property``); the
    built-in mkdocs and readthedocs themes read ``theme.analytics.gtag``.
    """
    extra = top.get("extra")
    analytics = _mapping(extra).get("analytics") if isinstance(extra, yaml.MappingNode) else None
    if isinstance(analytics, yaml.MappingNode):
        values = _mapping(analytics)
        prop = values.get("property")
        if _scalar(values.get("provider")) == "google" and _scalar(prop):
            yield _analytics_finding(filename, prop, "extra.analytics")  # type: ignore[arg-type]
    gtag_holder = theme.get("analytics")
    if isinstance(gtag_holder, yaml.MappingNode):
        gtag = _mapping(gtag_holder).get("gtag")
        if _scalar(gtag):
            yield _analytics_finding(filename, gtag, "theme.analytics.gtag")  # type: ignore[arg-type]


def _analytics_finding(filename: str, node: yaml.Node, key: str) -> Finding:
    return Finding(where=f"{filename}:{node.start_mark.line + 1}",
                   what=f"theme setting {key}", service="google-analytics",
                   params=(("measurement_id", _scalar(node)),), config_key=key)


def _mapping(node: yaml.Node | None) -> dict[str, yaml.Node]:
    if not isinstance(node, yaml.MappingNode):
        return {}
    return {k.value: v for k, v in node.value if isinstance(k, yaml.ScalarNode)}


def _scalar(node: yaml.Node | None) -> str:
    return str(node.value).strip() if isinstance(node, yaml.ScalarNode) else ""


def _plugin_names(node: yaml.Node) -> tuple[str, ...]:
    """``plugins:`` as a list (``- search``, ``- blog: {...}``) or a mapping."""
    if isinstance(node, yaml.MappingNode):
        return tuple(_mapping(node))
    if not isinstance(node, yaml.SequenceNode):
        return ()
    names = []
    for item in node.value:
        if isinstance(item, yaml.ScalarNode):
            names.append(str(item.value))
        elif isinstance(item, yaml.MappingNode):
            names.extend(_mapping(item))
    return tuple(names)


# -- scanning files ----------------------------------------------------------------------------


def _walk(root: Path, suffixes: tuple[str, ...]) -> list[Path]:
    """Files under ``root`` with one of ``suffixes``, sorted, skipping tool directories."""
    found: list[Path] = []
    for current, dirs, names in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in SKIPPED_DIRS and not d.startswith("."))
        found.extend(Path(current, n) for n in sorted(names) if n.lower().endswith(suffixes))
    return found


def _scan_files(root: Path, files: Iterable[Path]) -> Iterator[Finding]:
    for path in files:
        try:
            if path.stat().st_size > MAX_FILE_BYTES:
                continue
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        yield from scan_text(text, path.relative_to(root).as_posix())


def scan_text(text: str, name: str) -> list[Finding]:
    """Catalog services and unknown third parties in one file's text, in text order."""
    found: list[tuple[int, Finding]] = []
    for service, pattern in _inline_patterns():
        for match in pattern.finditer(text):
            start = _script_start(text, match.start())
            found.append((start, _service_finding(text, name, start, service, "pasted loader")))
    for match in _SRC_RE.finditer(text):
        element, url = match.group(1).lower(), str(match.group(2))
        url_service = _service_for_url(element, url)
        if url_service is not None:
            kind = "embedded frame" if element == "iframe" else "script"
            found.append((match.start(), _service_finding(
                text, name, match.start(), url_service, f"{kind} {url}")))
        elif re.match(r"(?i)(https?:)?//", url):
            found.append((match.start(), Finding(
                where=f"{name}:{_line(text, match.start())}",
                what=f"third-party {element} {url}", url=url)))
    return [f for _, f in sorted(found, key=lambda item: item[0])]


def _service_finding(text: str, name: str, offset: int, service: str, what: str) -> Finding:
    """A finding at ``offset``, with the ids the catalog can read near it (same file)."""
    return Finding(where=f"{name}:{_line(text, offset)}", what=what, service=service,
                   params=_ids(service, text))


def _ids(service: str, text: str) -> tuple[tuple[str, str], ...]:
    for pattern in _id_patterns().get(service, ()):
        match = pattern.search(text)
        if match:
            return tuple((k, v) for k, v in match.groupdict().items() if v)
    return ()


def _service_for_url(element: str, url: str) -> str | None:
    kinds = ("iframe_src",) if element == "iframe" else ("script_src",)
    for service, spec in catalog().items():
        for kind in kinds:
            if any(re.search(p, url, re.I) for p in getattr(spec.detect, kind)):
                return service
    return None


@cache
def _inline_patterns() -> tuple[tuple[str, re.Pattern[str]], ...]:
    return tuple((sid, re.compile(p, re.I)) for sid, spec in catalog().items()
                 if sid != CUSTOM_ID for p in spec.detect.inline)


@cache
def _id_patterns() -> dict[str, tuple[re.Pattern[str], ...]]:
    return {sid: tuple(re.compile(p) for p in spec.detect.ids)
            for sid, spec in catalog().items() if spec.detect.ids}


def _script_start(text: str, offset: int) -> int:
    """Where the ``<script>`` holding ``offset`` starts (a maintainer looks for the element,
    not for the middle of the loader); ``offset`` itself outside any script."""
    start = text.lower().rfind("<script", 0, offset)
    if start < 0 or "</script" in text[start:offset].lower():
        return offset
    return start


def _line(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def _dedupe(findings: Iterable[Finding]) -> Iterator[Finding]:
    """One finding per (service, ids) or unknown URL host: the first place it was seen."""
    seen: set[tuple[object, ...]] = set()
    for f in findings:
        key = (f.service, f.params) if f.service else (None, _host(f.url))
        if key not in seen:
            seen.add(key)
            yield f


def _host(url: str) -> str:
    match = re.match(r"(?i)(?:https?:)?//([^/?#]+)", url)
    return match.group(1).lower() if match else url


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__

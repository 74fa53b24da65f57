"""A theme's own analytics: one rule for every theme and both front ends.

Themes can load Google Analytics themselves: Material's (and Zensical's) ``extra.analytics``
(``provider: google, property: G-…``), the ``mkdocs``/``readthedocs`` themes'
``theme.analytics.gtag``. Left alone, that tag loads outside the consent banner, or, gated,
loads a *second* property next to the one in ``consent.yml``. The rule:

- the theme's analytics are recognised in the MkDocs config (plugin) and in built HTML
  (``apply``, the plugin's output too);
- the consent runtime is the only thing that loads Google Analytics, after consent;
- one measurement id: the theme's id and ``consent.yml``'s must be the same one, declared
  in ``consent.yml``. The plugin then drops the theme's copy from the config (so it is never
  rendered); anything else is an error naming the theme setting, the id to keep and the
  ``consent.yml`` line to use.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, MutableMapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from consent_generator.lazy import lazy_pattern
from consent_generator.model import Policy

_gtag_src = lazy_pattern(r"googletagmanager\.com/gtag/js\?id=((?:G|UA|AW)-[A-Z0-9-]+)", re.I)
"""Compiled on first need: only a page of the mkdocs/readthedocs themes asks (issue 15)."""


_MATERIAL_TAG = '<script id="__analytics">'
_MATERIAL = re.compile(re.escape(_MATERIAL_TAG) + r'[^<]*?\("config","((?:G|UA)-[A-Z0-9-]+)"')

SERVICE = "google-analytics"


@dataclass(frozen=True)
class ThemeAnalytics:
    """One theme analytics setting: where it is set and the measurement id it loads."""

    setting: str
    """e.g. ``extra.analytics.property in mkdocs.yml``."""
    measurement_id: str


def from_config(config: MutableMapping[str, Any]) -> list[ThemeAnalytics]:
    """Theme analytics in MkDocs' config (Material/Zensical ``extra.analytics``; the
    mkdocs/readthedocs themes' ``theme.analytics.gtag``)."""
    out = []
    extra = config.get("extra") or {}
    ana = extra.get("analytics") if isinstance(extra, dict) or hasattr(extra, "get") else None
    if isinstance(ana, dict) and ana.get("provider") == "google" and ana.get("property"):
        out.append(ThemeAnalytics("extra.analytics.property in mkdocs.yml",
                                  str(ana["property"])))
    theme = config.get("theme")
    tana = theme.get("analytics") if theme is not None and hasattr(theme, "get") else None
    if isinstance(tana, dict) and tana.get("gtag"):
        out.append(ThemeAnalytics("theme.analytics.gtag in mkdocs.yml", str(tana["gtag"])))
    return out


def from_page(text: str, theme: str) -> set[str]:
    """Measurement ids the *theme* of a built page (stripped of our marker blocks) loads:
    Material's/Zensical's ``<script id="__analytics">``; for the mkdocs/readthedocs themes a
    ``gtag/js?id=`` loader in ``<head>``, where their analytics block renders it (a snippet
    pasted into page content lands in ``<body>`` and is auto-gated like any tracker)."""
    if theme in ("material", "zensical"):
        return _material_ids(text)
    if theme in ("mkdocs", "readthedocs"):
        head = text[:text.find("</head>")] if "</head>" in text else ""
        return {m.group(1) for m in _gtag_src().finditer(head)}
    return set()


def _material_ids(text: str) -> set[str]:
    """``{m.group(1) for m in _MATERIAL.finditer(text)}``, found from the tag's literal with
    ``str.find`` (a skipping search: 11 µs on a 58 KB page, where the regex's own search for
    its prefix took 20 µs on every page of every Material site). Exact: every match starts
    with the literal, and a match holds no ``<`` after its first character, so none starts
    inside another: each search resumes where :func:`re.finditer` would."""
    out = set()
    i = text.find(_MATERIAL_TAG)
    while i >= 0:
        m = _MATERIAL.match(text, i)
        if m is not None:
            out.add(m.group(1))
            i = text.find(_MATERIAL_TAG, m.end())
        else:
            i = text.find(_MATERIAL_TAG, i + 1)
    return out


def from_facts(facts: Iterable[str]) -> list[ThemeAnalytics]:
    """The ``ga:<id>`` page facts as settings, for :func:`check` on a built site."""
    theme = next((f[6:] for f in sorted(facts) if f.startswith("theme:")), "the theme")
    setting = {"material": "extra.analytics (Material)", "zensical": "extra.analytics "
               "(Zensical)", "mkdocs": "theme.analytics.gtag (mkdocs theme)",
               "readthedocs": "theme.analytics.gtag (readthedocs theme)"}.get(theme, theme)
    return [ThemeAnalytics(f"{setting} in the built pages", f[3:])
            for f in sorted(facts) if f.startswith("ga:")]


def policy_id(policy: Policy) -> str | None:
    for svc in policy.services:
        if svc.spec.id == SERVICE:
            return str(svc.params.get("measurement_id") or "") or None
    return None


def policy_line(policy: Policy) -> str:
    """``consent.yml:12`` for the measurement id (or the services key), for messages."""
    src = policy.source
    name = src.name if src else "consent.yml"
    if src is None or not Path(src).is_file():
        return name
    lines = Path(src).read_text("utf-8", "replace").splitlines()
    for key in ("measurement_id", SERVICE, "services:"):
        for n, line in enumerate(lines, 1):
            if key in line:
                return f"{name}:{n}"
    return name


def _entry(mid: str) -> str:
    return f'services:\n    {SERVICE}: {{category: analytics, measurement_id: "{mid}"}}'


def check(policy: Policy, found: list[ThemeAnalytics], *, built: bool) -> list[str]:
    """Problems with the theme's analytics under ``policy`` (empty: fine).

    ``built``: the ids were found in built pages (``apply``), where the theme's copy cannot
    be dropped any more, so even the same id is a problem (it would load twice).
    """
    if not found:
        return []
    ours = policy_id(policy)
    where = policy_line(policy)
    problems = []
    for item in found:
        if ours is None:
            problems.append(
                f"{item.setting}: the theme loads Google Analytics ({item.measurement_id}) "
                "itself, before any consent. Remove that setting and declare the property in "
                f"{where} instead, where the consent banner gates it:\n  "
                + _entry(item.measurement_id))
        elif item.measurement_id != ours:
            problems.append(
                f"two Google Analytics properties: {item.measurement_id} ({item.setting}) and "
                f"{ours} ({where} services.{SERVICE}.measurement_id). Keep one: remove "
                f"{item.setting.split(' in ')[0]} and keep {ours} in {where}, or set "
                f'measurement_id: "{item.measurement_id}" there if that is the right one.')
        elif built:
            problems.append(
                f"{item.setting}: {item.measurement_id} is also declared in {where}; the theme "
                "and the consent runtime would both load it (every visit counted twice). "
                "Remove the theme's analytics setting and rebuild the site.")
    return list(dict.fromkeys(problems))


def drop_from_config(config: MutableMapping[str, Any]) -> None:
    """Remove the theme's analytics from the config (plugin, same id as ``consent.yml``)."""
    extra = config.get("extra")
    if extra is not None and hasattr(extra, "pop"):
        extra.pop("analytics", None)
    theme = config.get("theme")
    tana = theme.get("analytics") if theme is not None and hasattr(theme, "get") else None
    if isinstance(tana, dict):
        tana.pop("gtag", None)

"""Theme profiles: what a theme's JavaScript loads at run time that no page source names.

A theme's script fetches things the HTML never mentions (Material asks GitHub's API for
repository facts and loads Mermaid from unpkg), so a CSP built from the pages alone silently
breaks those features. Each module here knows one theme (or one extension family):

- how to recognise it in built HTML (:func:`page_facts`, per page, cheap: a few substring
  tests and regexes while the page is already in memory for pass 1), and
- which exact sources its configured features need (:class:`ThemeNeed`, each with the
  feature and the reason the audit shows), from those facts plus the site's own files
  (e.g. the Mermaid URL inside the theme's bundle, so a theme upgrade moves with it).

The plugin and ``mkdocs-clarity apply`` both run on the built HTML, so both front ends get
the same answer from the same facts; the plugin adds what only the config says
(:func:`config_facts`). Nothing is allowed that the pages do not show a feature for.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

Facts = frozenset[str]
"""What one page shows, as short tokens: ``theme:material``, ``repo:<href>``, ``mermaid``,
``script:<url>``, ``ga:<measurement id>`` (the theme's own analytics). Strings, so a worker process returns them cheaply (pickling)."""

_GENERATOR = re.compile(r'<meta\s+name="generator"\s+content="([^"]*)"', re.I)


@dataclass(frozen=True)
class ThemeNeed:
    """One source a theme feature needs at run time, and why (shown in the audit)."""

    directive: str
    source: str
    feature: str
    """The feature by name, e.g. ``Material repository facts``."""
    why: str
    """The evidence, e.g. ``repo_url github.com/encode/httpx``."""

    @property
    def detail(self) -> str:
        return f"{self.feature}: {self.why}"


@dataclass
class ThemeReport:
    """Everything the profiles decided for one site."""

    themes: list[str] = field(default_factory=list)
    needs: list[ThemeNeed] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def generator(text: str) -> str:
    """The page's ``<meta name="generator">`` content ('' when absent), lower-cased."""
    head = text[:20000]
    m = _GENERATOR.search(head)
    return m.group(1).lower() if m else ""


class _Profile(Protocol):
    """What a theme profile module offers to recognise a page (``themes/<theme>.py``)."""

    @property
    def NAME(self) -> str: ...

    @property
    def CLAIMS(self) -> tuple[Claim, ...]: ...

    def recognise(self, text: str, generator: str) -> bool: ...

    def page_facts(self, text: str) -> set[str]: ...


def _theme_profiles() -> Iterator[_Profile]:
    """The theme profiles in the order they are asked to recognise a page (the first wins),
    each imported when it is first asked: on a Material page the loop stops at ``material``,
    so a Material site never imports the mkdocs and readthedocs profiles (~0.5 ms of every
    build's first page, issue 15)."""
    from mkdocs_clarity.themes import zensical

    yield zensical
    from mkdocs_clarity.themes import material

    yield material
    from mkdocs_clarity.themes import mkdocs

    yield mkdocs
    from mkdocs_clarity.themes import readthedocs

    yield readthedocs


def page_facts(text: str) -> Facts:
    """Every profile's facts about one built page (see :data:`Facts`)."""
    from mkdocs_clarity.themes import analytics, math

    out: set[str] = set()
    gen = generator(text)
    for profile in _theme_profiles():
        if profile.recognise(text, gen):
            out.add("theme:" + profile.NAME)
            out |= profile.page_facts(text)
            out |= {"ga:" + mid for mid in analytics.from_page(text, profile.NAME)}
            break
    out |= math.page_facts(text)
    return frozenset(out)


Claim = tuple["re.Pattern[str]", str]
"""A URL a theme itself loads from a third party, by pattern, and the feature it serves."""


@dataclass(frozen=True)
class Claims:
    """The third-party loads one page's theme and extensions account for: they are the
    theme's, not unknown embeds (:mod:`mkdocs_clarity.engine.embeds`), and stay as the theme
    wrote them. Exact patterns (a CDN path prefix, never a whole CDN host)."""

    claims: tuple[Claim, ...] = ()

    def feature(self, url: str) -> str | None:
        """The theme feature that loads ``url`` (absolute, as the browser resolved it)."""
        for rx, feature in self.claims:
            if rx.match(url):
                return feature
        return None


NO_CLAIMS = Claims()


def page_claims(text: str) -> Claims:
    """What the theme recognised on this page (and the math profile, any theme) load from
    third parties by themselves; everything else third-party on the page is an unknown embed."""
    from mkdocs_clarity.themes import math

    out: list[Claim] = []
    gen = generator(text)
    for profile in _theme_profiles():
        if profile.recognise(text, gen):
            out += profile.CLAIMS
            break
    out += math.CLAIMS
    return Claims(tuple(out)) if out else NO_CLAIMS


def config_facts(config: Mapping[str, object]) -> Facts:
    """What MkDocs' config says (the plugin's front end): the same tokens as
    :func:`page_facts`, so one decision serves both front ends."""
    from mkdocs_clarity.themes import material

    theme = config.get("theme")
    name = getattr(theme, "name", None) or (theme.get("name") if isinstance(theme, dict)
                                            else None)
    out: set[str] = set()
    if name in ("material", "mkdocs", "readthedocs"):
        out.add(f"theme:{name}")
    if name == "material":
        out |= material.config_facts(config)
    return frozenset(out)


def theme_names(facts: Iterable[str]) -> tuple[str, ...]:
    """The recognised themes' names (``theme:<name>`` facts), sorted: what the runtime CSS
    carries theme parts for (``consent_generator.render.runtime_assets``)."""
    return tuple(sorted(f[6:] for f in facts if f.startswith("theme:")))


def decide(facts: Iterable[str], site_dir: Path | str | None) -> ThemeReport:
    """The needs of every recognised theme and extension, from the site's facts."""
    from mkdocs_clarity.themes import material, math, zensical

    all_facts = frozenset(facts)
    report = ThemeReport(themes=list(theme_names(all_facts)))
    site = Path(site_dir) if site_dir is not None else None
    for profile in (material, zensical):
        if "theme:" + profile.NAME in all_facts:
            needs, warnings = profile.needs(all_facts, site)
            report.needs += needs
            report.warnings += warnings
    needs, warnings = math.needs(all_facts)
    report.needs += needs
    report.warnings += warnings
    report.needs = list(dict.fromkeys(report.needs))
    return report


def unmet(policy_allows: Callable[[str, str], bool], needs: Iterable[ThemeNeed]) -> list[str]:
    """A warning per theme feature whose source the final site policy does not allow
    (``policy_allows(directive, source)``): the feature would break without a word, so the
    build names it, what it needs and where to allow it."""
    out = []
    for need in needs:
        if not policy_allows(need.directive, need.source):
            out.append(f"{need.feature} needs {need.source} in {need.directive} ({need.why}), "
                       "which the site's policy does not allow: the feature will not work. "
                       f"Allow it with csp.extra: {{{need.directive}: [\"{need.source}\"]}} in "
                       "consent.yml, or switch the feature off in mkdocs.yml")
    return out


def is_page_structure(has_html: bool, has_head: bool, has_body: bool) -> bool:
    """Whether an ``.html`` file is a page (rewritten, given a policy, audited) or a template
    fragment a theme's ``custom_dir`` or Sphinx's ``_static/`` copied into the site
    (``overrides/partials/footer.html``, ``{% extends "base.html" %}`` files): a fragment has
    no ``<html>``, ``<head>`` or ``<body>`` tag of its own. The one definition the rewrite and
    the audit share (a fragment must never get a policy, nor be a NO_CSP finding)."""
    return has_html or has_head or has_body

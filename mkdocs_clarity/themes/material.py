"""Material for MkDocs: what its bundle fetches at run time.

Read from Material's own bundle (``src/templates/assets/javascripts``; 9.x):

- Repository facts: with ``repo_url`` set, the header's ``a.md-source`` link is matched with
  ``/^.+github\\.com\\/([^/]+)\\/?([^/]+)?/i`` and Material fetches
  ``https://api.github.com/repos/OWNER/REPO`` and ``…/releases/latest`` (only a user:
  ``https://api.github.com/users/OWNER``); else ``/^.+?([^/]*gitlab[^/]+)\\/(.+?)\\/?$/i``
  fetches ``https://HOST/api/v4/projects/ID`` and ``…/releases/permalink/latest``.
- Mermaid: a page with a ``.mermaid`` element makes it load
  ``https://unpkg.com/mermaid@11/dist/mermaid.min.js`` (the URL is read from the site's own
  bundle, so another Material version gets its own URL).
- Search runs in a same-origin worker (``'self'`` allows it); the ResizeObserver polyfill is
  only loaded by browsers without ResizeObserver (none the CSP matters for): not allowed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import quote

from consent_generator.lazy import lazy_pattern
from mkdocs_clarity.themes import Facts, ThemeNeed

NAME = "material"
FEATURE = "Material"
MERMAID_DEFAULT = "https://unpkg.com/mermaid@11/dist/mermaid.min.js"

_SOURCE_LINK = re.compile(
    r'<a\s[^>]*?href="([^"]+)"[^>]*class="md-source"|'
    r'<a\s[^>]*?class="md-source"[^>]*href="([^"]+)"', re.I)
_MERMAID = re.compile(r'<(?:pre|div)\b[^>]*class="[^"]*\bmermaid\b', re.I)


_github = lazy_pattern(r"^.+github\.com/([^/]+)/?([^/]+)?", re.I)
"""This, ``_gitlab`` and ``_mermaid_url`` are compiled on first need: only a site with a
repository link or Mermaid diagrams asks (issue 15)."""


_gitlab = lazy_pattern(r"^.+?([^/]*gitlab[^/]+)/(.+?)/?$", re.I)


CLAIMS = (
    (re.compile(r"https://fonts\.googleapis\.com/css2?\?"), "Material fonts (theme.font)"),
    (re.compile(r"https://fonts\.gstatic\.com/?$"), "Material fonts (theme.font)"),
)
"""Google Fonts, which Material links in ``<head>`` while ``theme.font`` is on (its default):
the stylesheet and the preconnect to the font files' host. They load before consent (the
audit says so, with the fix: ``theme.font: false`` or the privacy plugin)."""


_mermaid_url = lazy_pattern(r"https://unpkg\.com/mermaid@[^\"'`\s)]+?\.js")


def recognise(text: str, generator: str) -> bool:
    """Material's generator meta, or its bundle in the page (a generator meta removed)."""
    if "mkdocs-material" in generator:
        return True
    return "assets/javascripts/bundle." in text and 'data-md-component="' in text


def page_facts(text: str) -> set[str]:
    out = set()
    m = _SOURCE_LINK.search(text, _tag_floor(text, "md-source"))
    if m:
        out.add("repo:" + (m.group(1) or m.group(2)))
    if _MERMAID.search(text, _tag_floor(text, "mermaid")):
        out.add("mermaid")
    return out


def _tag_floor(text: str, word: str) -> int:
    """Where a tag whose attributes hold ``word`` can start at the earliest: past the last
    ``>`` before its first occurrence (neither regex crosses a ``>``); past the end of
    ``text`` when it has none (Material's scripts select ``.md-source``/``.mermaid``, names
    that are case-sensitive). Why: both regexes tried every ``<a``/``<div`` of a page, 1-3 ms
    on a 300 KB page of navigation, for a word most pages do not contain."""
    i = text.find(word)
    return len(text) + 1 if i < 0 else text.rfind(">", 0, i) + 1


def config_facts(config: Mapping[str, object]) -> set[str]:
    repo = config.get("repo_url")
    return {f"repo:{repo}"} if isinstance(repo, str) and repo else set()


def repo_needs(href: str, feature: str) -> list[ThemeNeed]:
    """The exact API URLs Material fetches for the repository link ``href``."""
    why = "repo_url " + re.sub(r"^[a-z]+://", "", href, flags=re.I)
    m = _github().match(href)
    if m:
        owner, repo = m.group(1), m.group(2)
        if repo:
            base = f"https://api.github.com/repos/{owner}/{repo}"
            urls = [base, base + "/releases/latest"]
        else:
            urls = [f"https://api.github.com/users/{owner}"]
        return [ThemeNeed("connect-src", u, feature, why) for u in urls]
    m = _gitlab().match(href)
    if m:
        # Material sends the project path percent-encoded (group%2Fproject); CSP matches
        # paths percent-decoded, so no exact source can name it: the instance's project API
        # prefix is the narrowest source that works (read-only API, connect-src only).
        return [ThemeNeed("connect-src", f"https://{m.group(1)}/api/v4/projects/", feature,
                          why + f" (project {quote(m.group(2), safe='')})")]
    return []


def mermaid_url(site: Path | None) -> str:
    """The Mermaid URL in the site's copy of the theme bundle (the version the site runs)."""
    if site is not None:
        for bundle in sorted((site / "assets" / "javascripts").glob("bundle.*.js")):
            m = _mermaid_url().search(bundle.read_text("utf-8", "replace"))
            if m:
                return m.group(0)
    return MERMAID_DEFAULT


def needs(facts: Facts, site: Path | None, feature: str = FEATURE
          ) -> tuple[list[ThemeNeed], list[str]]:
    out: list[ThemeNeed] = []
    for fact in sorted(facts):
        if fact.startswith("repo:"):
            out += repo_needs(fact[5:], f"{feature} repository facts")
    if "mermaid" in facts:
        out.append(ThemeNeed("script-src", mermaid_url(site), f"{feature} Mermaid diagrams",
                             "a page has a Mermaid fence; the theme loads Mermaid from "
                             "unpkg (exact URL: unpkg serves every npm package)"))
        out.append(ThemeNeed("style-src", "'unsafe-inline'", f"{feature} Mermaid diagrams",
                             "Mermaid styles every diagram at run time (style attributes and "
                             "<style> in its SVG), which no hash can name; style hashes are "
                             "dropped (browsers ignore 'unsafe-inline' next to them). Scripts "
                             "stay hash-only"))
    return out, []

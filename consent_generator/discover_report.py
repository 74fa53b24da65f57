"""What ``init`` tells the maintainer after reading a site: ready-to-paste entries and the
next steps for *this* site (the exact ``plugins:`` lines for MkDocs, ``apply`` otherwise).

Kept apart from discovery (which only reads) and from the CLI (which only asks), so the
wording can be tested without prompts.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from .discover import MKDOCS_CONFIG, Discovery, Finding
from .services import catalog

PLUGIN_NAME = "clarity"
UNKNOWN_CATEGORY = "marketing"
"""Where an unknown third party goes unless the maintainer decides otherwise: the strictest
optional category, so nothing unknown loads for a visitor who accepted only analytics."""


def custom_service_entry(finding: Finding, *, indent: str = "") -> str:
    """A ``services:`` entry for a third party ``init --from`` found in the site's sources.

    A script becomes a custom service loaded on consent; a frame only needs its origin in
    ``frame-src`` (the build gates frames).
    """
    is_frame = finding.what.startswith("third-party iframe")
    return service_entry(finding.url, "frame-src" if is_frame else "script-src",
                         with_src=not is_frame, indent=indent)


def service_entry(url: str, directive: str, *, category: str = UNKNOWN_CATEGORY,
                  with_src: bool = False, indent: str = "") -> str:
    """The one renderer of a custom ``services:`` entry for a third party (``init --from``
    and the audit's unknown embeds print the same thing).

    Without ``src`` the entry loads nothing itself: it claims what the pages load from the
    origin (the build gates it into the entry's category, under its key). ``cookies: []`` is
    left for the maintainer to fill from the vendor's privacy page: the cookie table must
    stay true.
    """
    url = url if not url.startswith("//") else "https:" + url
    origin = _origin(url)
    key = re.sub(r"[^a-z0-9]+", "-", origin.split("//", 1)[-1].lower()).strip("-")
    lines = [f"{key}:", f"  name: {json.dumps(origin.split('//', 1)[-1])}"]
    if with_src:
        lines.append(f"  src: {json.dumps(url)}")
    lines += [f"  category: {category}",
              f"  csp: {{{directive}: [{json.dumps(origin)}]}}",
              "  cookies: []   # list what it stores (see its privacy page)"]
    return "\n".join(indent + line for line in lines)


def next_steps(discovery: Discovery | None, output: Path) -> list[str]:
    """The last lines of ``init``: what to do now, for this site."""
    if discovery is None:
        return [
            "Next: in mkdocs.yml, add '- clarity' under 'plugins:' (keep '- search' if you "
            "list plugins), then 'mkdocs build';",
            f"  for a site built by another tool: mkdocs-clarity apply SITE_DIR --policy {output}",
        ]
    if discovery.kind == "built":
        site = discovery.root
        return [
            f"Next: mkdocs-clarity apply {site} --policy {output}",
            f"  then: mkdocs-clarity audit {site} --policy {output}",
            *_removals(discovery),
        ]
    return [*_plugin_lines(discovery), *_removals(discovery),
            "  then: mkdocs build && mkdocs-clarity audit site/"]


def _plugin_lines(discovery: Discovery) -> list[str]:
    where = (f"{MKDOCS_CONFIG}:{discovery.plugins_line}" if discovery.plugins_line
             else MKDOCS_CONFIG)
    names = list(discovery.plugins or ())
    if PLUGIN_NAME in names:
        return [f"Next: the clarity plugin is already listed ({where})."]
    if discovery.plugins is None:
        names = ["search"]  # listing plugins switches off the default search plugin
    names.append(PLUGIN_NAME)
    return [f"Next: list the plugin in {where} (it runs last wherever it is listed):",
            "  plugins:", *(f"    - {n}" for n in names)]


def _removals(discovery: Discovery) -> list[str]:
    """Loaders consent.yml now loads itself: keeping them would load the vendor twice."""
    specs = catalog()
    lines = []
    for service, findings in discovery.services().items():
        for f in findings:
            if f.config_key:
                lines.append(f"  remove {f.config_key} ({f.where}): consent.yml now loads "
                             f"{specs[service].name} after consent")
            elif f.what == "pasted loader":
                lines.append(f"  remove the pasted {specs[service].name} loader ({f.where}): "
                             "consent.yml now loads it after consent")
    return lines


def _origin(url: str) -> str:
    match = re.match(r"(?i)(https?://[^/?#]+)", url)
    return match.group(1).lower() if match else url

"""Zensical's output: Material's run-time code (same bundle family, same ``a.md-source``
repository facts and Mermaid loading), recognised by Zensical's generator meta."""

from __future__ import annotations

from pathlib import Path

from mkdocs_clarity.themes import Facts, ThemeNeed, material

NAME = "zensical"
CLAIMS = tuple((rx, feature.replace("Material", "Zensical")) for rx, feature in material.CLAIMS)


def recognise(text: str, generator: str) -> bool:
    return "zensical" in generator


def page_facts(text: str) -> set[str]:
    return material.page_facts(text)


def needs(facts: Facts, site: Path | None) -> tuple[list[ThemeNeed], list[str]]:
    return material.needs(facts, site, feature="Zensical")

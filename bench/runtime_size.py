"""Print the consent runtime's size as served: raw and gzip (level 9), against the 6 KB target.

The target (issue 3, issue 13) is JS + CSS together at most 6 KB gzip, for comparison
vanilla-cookieconsent 3.1 ships about 15.5 KB and Klaro about 69 KB. Figures only, no timing.
The runtime carries the consent adapters of a site's vendors only (issue 10) and the CSS parts
of the site's recognised theme only: the budget is for a site with Clarity + GA4 on the theme
whose CSS is largest (every theme is printed); a site with every catalog vendor (the catalog
is iterated, so a new vendor counts at once) is printed for comparison.
Run: .venv/bin/python bench/runtime_size.py
"""

from __future__ import annotations

import gzip
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from consent_generator.minify import theme_parts
from consent_generator.render import RUNTIME_DIR, Asset, adapter_assets, site_adapters
from consent_generator.services import catalog

TARGET = 6 * 1024


def gzip_size(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=9, mtime=0))


def show(title: str, assets: list[Asset] | tuple[Asset, ...]) -> int:
    """Print one runtime's files and total; the total gzip size."""
    print(title)
    total_raw = total_gz = 0
    for asset in assets:
        raw, gz = len(asset.content), gzip_size(asset.content)
        total_raw += raw
        total_gz += gz
        print(f"  {asset.path:<38} raw {raw:>6} B   gzip {gz:>5} B")
    print(f"  {'total (separate files)':<38} raw {total_raw:>6} B   gzip {total_gz:>5} B")
    return total_gz


def themes() -> list[tuple[str, ...]]:
    """No recognised theme, then each ``@theme`` part of consent.css (by its first name)."""
    parts = theme_parts((RUNTIME_DIR / "consent.css").read_text(encoding="utf-8"))
    return [(), *((names.split()[0],) for names in parts)]


def worst(title: str, adapters: tuple[tuple[int, str, str], ...]) -> tuple[int, str]:
    """Print the runtime for every theme; the largest total and the theme it is for."""
    sizes = []
    for theme in themes():
        label = f"theme CSS: {theme[0]}" if theme else "no theme CSS (theme not recognised)"
        sizes.append((show(f"{title}, {label}:", adapter_assets(adapters, themes=theme)),
                      theme[0] if theme else "none"))
    return max(sizes)


def main() -> int:
    specs = catalog()
    site, theme = worst("site with Clarity + GA4",
                        site_adapters([specs["clarity"], specs["google-analytics"]]))
    every, every_theme = worst(f"site with all {len(specs)} catalog vendors",
                               site_adapters(specs.values()))
    verdict = "within" if site <= TARGET else "OVER"
    print(f"largest: Clarity + GA4 {site} B gzip (theme CSS: {theme}); "
          f"all {len(specs)} vendors {every} B gzip (theme CSS: {every_theme})")
    print(f"target (Clarity + GA4 site, largest theme CSS): {TARGET} B gzip -> {verdict} "
          f"({TARGET - site:+d} B to spare)")
    return 0 if site <= TARGET else 1


if __name__ == "__main__":
    raise SystemExit(main())

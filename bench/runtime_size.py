"""Print the consent runtime's size as served: raw and gzip (level 9), against the 6 KB target.

The target (issue 3) is JS + CSS together at most 6 KB gzip, for comparison
vanilla-cookieconsent 3.1 ships about 15.5 KB and Klaro about 69 KB. Figures only, no timing.
The runtime carries the consent adapters of a site's vendors only (issue 10): the budget is
for a site with Clarity + GA4; a site with every catalog vendor is printed for comparison.
Run: .venv/bin/python bench/runtime_size.py
"""

from __future__ import annotations

import gzip
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from consent_generator.render import Asset, adapter_assets, site_adapters
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


def main() -> int:
    specs = catalog()
    site = show("site with Clarity + GA4:",
                adapter_assets(site_adapters([specs["clarity"], specs["google-analytics"]])))
    show(f"site with all {len(specs)} catalog vendors:",
         adapter_assets(site_adapters(specs.values())))
    verdict = "within" if site <= TARGET else "OVER"
    print(f"target (Clarity + GA4 site): {TARGET} B gzip -> {verdict} ({TARGET - site:+d} B to spare)")
    return 0 if site <= TARGET else 1


if __name__ == "__main__":
    raise SystemExit(main())

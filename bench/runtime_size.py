"""Print the consent runtime's size as served: raw and gzip (level 9), against the 6 KB target.

The target (issue 3) is JS + CSS together at most 6 KB gzip, for comparison
vanilla-cookieconsent 3.1 ships about 15.5 KB and Klaro about 69 KB. Figures only, no timing.
Run: .venv/bin/python bench/runtime_size.py
"""

from __future__ import annotations

import gzip
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from consent_generator.render import runtime_assets

TARGET = 6 * 1024


def gzip_size(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=9, mtime=0))


def main() -> int:
    total_raw = total_gz = 0
    for asset in runtime_assets():
        raw, gz = len(asset.content), gzip_size(asset.content)
        total_raw += raw
        total_gz += gz
        print(f"{asset.path:<40} raw {raw:>6} B   gzip {gz:>5} B")
    print(f"{'total (separate files)':<40} raw {total_raw:>6} B   gzip {total_gz:>5} B")
    verdict = "within" if total_gz <= TARGET else "OVER"
    print(f"target: {TARGET} B gzip -> {verdict} ({TARGET - total_gz:+d} B to spare)")
    return 0 if total_gz <= TARGET else 1


if __name__ == "__main__":
    raise SystemExit(main())

"""Run every benchmark and print its figures (``make bench``).

Benchmarks print numbers; they never assert. Targets (from the issues) are printed beside
the measured figures so a reader sees the margin:
- runtime size: consent.js + consent.css at most 6 KB gzip together;
- build overhead: ``mkdocs build`` with the plugin at most 1.10x the time without it, at
  1,000 and 10,000 Material pages, memory flat in page count.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", default="1000,10000",
                        help="comma-separated site sizes for the build-overhead benchmark")
    args = parser.parse_args()
    status = 0
    sizes = [f"--pages={n.strip()}" for n in args.pages.split(",") if n.strip()]
    for script, extra in (("runtime_size.py", []), ("build_overhead.py", sizes)):
        print(f"== bench/{script}", flush=True)
        status |= subprocess.call([sys.executable, str(HERE / script), *extra])
    return status


if __name__ == "__main__":
    raise SystemExit(main())

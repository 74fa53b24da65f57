"""Run every benchmark and print its figures (``make bench``).

Benchmarks print numbers; they never assert. Targets (from the issues) are printed beside
the measured figures so a reader sees the margin:
- runtime size: consent.js + consent.css at most 6 KB gzip together (issue 3);
- cold import of the plugin module, and that it imports no DOM library (issue 15);
- ``mkdocs serve`` rebuild of the 20-page site: plugin share <= 50 ms (issue 15);
- one huge page through ``apply``: linear, 50 MB <= 5 s, peak RSS <= 5x the page (issue 15);
- build overhead: with/without <= 1.10x in wall and CPU time at 20, 150, 1,000 and 10,000
  Material pages (issues 4 and 15);
- ``mkdocs-clarity verify`` over 100 Material pages: pages per second, goal <= 60 s on two
  cores (issue 14; skipped with a message where Playwright or Chromium is missing).

The full run (``make bench-full``: 10,000 pages and a 50 MB page) takes a quarter of an hour
on two cores; ``make bench`` runs the quick subset by default (20 and 150 pages, 1 and 10 MB
pages). On a shared machine run it under the same lock as the browser tests.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).parent

IMPORT_PROBE = """
import sys, time
import mkdocs.plugins, mkdocs.config.config_options, mkdocs.structure.files, jinja2, yaml
start = time.perf_counter()
import mkdocs_clarity.plugin
imported = time.perf_counter()
mkdocs_clarity.plugin.load_engine()
took = time.perf_counter()
dom = sorted(m for m in sys.modules if m.split('.')[0] in ('bs4', 'soupsieve'))
print(f"{(imported - start) * 1000:.1f} {(took - imported) * 1000:.1f} {','.join(dom) or '-'}")
"""


def import_time(runs: int = 5) -> None:
    """Cold import of the plugin module in fresh interpreters, after what MkDocs itself has
    imported by the time it loads plugins (so only our own cost is counted), then the engine
    every build imports in ``on_config`` (``plugin.load_engine``); medians."""
    import os
    import statistics

    results: dict[str, list[float]] = {"module": [], "engine": []}
    dom = "-"
    env = dict(os.environ, PYTHONPATH=str(HERE.parent))
    subprocess.run([sys.executable, "-c", IMPORT_PROBE], check=True, capture_output=True,
                   env=env)
    for _ in range(runs):
        out = subprocess.run([sys.executable, "-c", IMPORT_PROBE], capture_output=True,
                             text=True, check=True, env=env).stdout.split()
        results["module"].append(float(out[0]))
        results["engine"].append(float(out[1]))
        dom = out[2]
    med = {k: statistics.median(v) for k, v in results.items()}
    print(f"cold import of mkdocs_clarity.plugin (after MkDocs' own imports): "
          f"{med['module']:.0f} ms, + the engine in on_config {med['engine']:.0f} ms, "
          f"median of {runs}; DOM libraries imported: "
          f"{'none' if dom == '-' else dom}", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", default="20,150",
                        help="comma-separated site sizes for the build-overhead benchmark "
                        "(full run: 20,150,1000,10000)")
    parser.add_argument("--mb", default="1,10",
                        help="comma-separated page sizes in MB for the huge-page benchmark "
                        "(full run: 1,10,50)")
    args = parser.parse_args()
    started = time.perf_counter()
    status = 0
    sizes = [f"--pages={n.strip()}" for n in args.pages.split(",") if n.strip()]
    mbs = [f"--mb={n.strip()}" for n in args.mb.split(",") if n.strip()]
    sys.path.insert(0, str(HERE))
    from build_overhead import precompile

    precompile()  # as an installed wheel is (see build_overhead.precompile)
    print("== plugin import", flush=True)
    import_time()
    for script, extra in (("runtime_size.py", []), ("serve_rebuild.py", []),
                          ("huge_page.py", mbs), ("build_overhead.py", sizes),
                          ("verify_speed.py", ["--pages=100"])):
        print(f"== bench/{script}", flush=True)
        status |= subprocess.call([sys.executable, str(HERE / script), *extra])
    print(f"(benchmarks took {time.perf_counter() - started:.0f} s)")
    return status


if __name__ == "__main__":
    raise SystemExit(main())

"""The clarity plugin's own time in one ``mkdocs build`` (its hooks, timed directly), in fresh
processes: what the build-overhead ratio measures, without MkDocs' own time and its noise.

Each build runs in a new interpreter (as ``mkdocs build`` does), so the fixed cost is in the
figure: the import of the plugin's engine, the policy, the runtime assets and the banner.
The disk cache (:mod:`consent_generator.disk_cache`) is measured both ways, alternating:
``warm`` (the cache filled by an earlier build) and ``off`` (``MKDOCS_CLARITY_CACHE=off``:
the first build on a machine, or with the cache disabled). Prints the medians: the plugin
module's import, the hooks' wall time (and their CPU time, which a busy machine inflates
less) per event; the engine is imported in ``on_config`` (``plugin.load_engine``).

    .venv/bin/python bench/plugin_hooks.py --pages 20 --pages 150 --repeat 7
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(1, str(HERE.parent))  # this checkout's packages, not another installed copy

from build_overhead import generate, precompile  # noqa: E402
from serve_rebuild import HookClock  # noqa: E402


def child(config_file: str, site_dir: str) -> None:
    """One build in this process; prints the plugin module's import, its hooks (wall, CPU
    and per event) and the whole build's seconds."""
    logging.getLogger("mkdocs").setLevel(logging.ERROR)
    start = time.perf_counter()
    import mkdocs.config.config_options
    import mkdocs.plugins
    import mkdocs.structure.files  # noqa: F401  # MkDocs' own, before it loads plugins
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    before = time.perf_counter()
    import mkdocs_clarity.plugin  # noqa: F401  # what load_config would import: timed apart

    imported = time.perf_counter()
    config = load_config(config_file=config_file, site_dir=site_dir)
    loaded = time.perf_counter()
    clock = HookClock()
    clock.wrap(config)
    build(config)
    print(json.dumps({"hooks": clock.seconds, "cpu": clock.cpu, "import": imported - before,
                      "load_config": loaded - imported, "total": time.perf_counter() - start,
                      **{f"on_{name}": took for name, took in clock.events.items()}}))


def one(root: Path, cache: str, site_dir: str) -> dict[str, float]:
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1", PYTHONPATH=os.pathsep.join(
        p for p in (str(HERE.parent), os.environ.get("PYTHONPATH")) if p))
    if cache == "off":
        env["MKDOCS_CLARITY_CACHE"] = "off"
    out = subprocess.run([sys.executable, __file__, "--child", str(root / "mkdocs.plugin.yml"),
                          site_dir], env=env, capture_output=True, text=True, check=True)
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, action="append")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(*args.child)
        return 0
    precompile()
    for pages in args.pages or [20, 150]:
        root = generate(pages)
        with tempfile.TemporaryDirectory(prefix="clarity-hooks-") as site_dir:
            one(root, "warm", site_dir)  # fills the cache
            runs: dict[str, list[dict[str, float]]] = {"warm": [], "off": []}
            for _ in range(args.repeat):
                for cache in runs:
                    runs[cache].append(one(root, cache, site_dir))
        print(f"{pages:6} pages  median of {args.repeat}  load {os.getloadavg()[0]:.1f}")
        for cache, results in runs.items():
            med = {key: statistics.median(r.get(key, 0.0) for r in results) * 1e3
                   for key in results[0]}
            events = "  ".join(f"{key} {ms:.0f}" for key, ms in med.items()
                               if key.startswith("on_"))
            print(f"    cache {cache:4}: import {med['import']:.0f} ms + hooks "
                  f"{med['hooks']:.0f} ms (CPU {med['cpu']:.0f} ms; {events})  "
                  f"load_config {med['load_config']:.0f} ms", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""The plugin's share of a ``mkdocs serve`` rebuild after editing one page of the 20-page site.

Runs what ``mkdocs serve`` runs on every change, in this process, as serve does (one
process, the plugin instance kept across rebuilds, ``on_startup(command="serve")`` once):
reload the config, then build. Each rebuild first edits one page. The clarity plugin's
hooks are timed directly (each of its event methods wrapped with a clock), and the same
rebuild without the plugin runs alternately, so two figures are printed: the time inside the
plugin's hooks (median) and the difference of the median rebuild times with and without it.
Goal (issue 15): plugin share <= 50 ms.

    .venv/bin/python bench/serve_rebuild.py --rebuilds 15
"""

from __future__ import annotations

import argparse
import functools
import logging
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(1, str(HERE.parent))  # this checkout's packages, not another installed copy

from build_overhead import generate, precompile  # noqa: E402

SERVE_URL = "http://127.0.0.1:8000/"


class HookClock:
    """Wraps the clarity plugin's event methods in a config's PluginCollection: wall seconds
    (``seconds``), this thread's CPU seconds (``cpu``: what a busy machine does not inflate)
    and wall seconds per event (``events``)."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.cpu = 0.0
        self.events: dict[str, float] = {}

    def wrap(self, config: Any) -> None:
        from mkdocs_clarity.plugin import ClarityPlugin

        events = config.plugins.events
        for name, methods in events.items():
            for i, method in enumerate(methods):
                if isinstance(getattr(method, "__self__", None), ClarityPlugin):
                    methods[i] = self._timed(name, method)

    def _timed(self, name: str, method: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(method)  # the plugin looks through it (plugin._last_post_page)
        def timed(*args: Any, **kwargs: Any) -> Any:
            start, cpu = time.perf_counter(), time.thread_time()
            try:
                return method(*args, **kwargs)
            finally:
                took = time.perf_counter() - start
                self.seconds += took
                self.cpu += time.thread_time() - cpu
                self.events[name] = self.events.get(name, 0.0) + took
        return timed


def rebuild(config_file: Path, site_dir: str, page: Path, n: int,
            clock: HookClock | None) -> float:
    """Edit ``page``, then reload the config and build, as serve's builder does."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    with page.open("a", encoding="utf-8") as f:
        f.write(f"\nEdit {n}.\n")
    start = time.perf_counter()
    config = load_config(config_file=str(config_file), site_dir=site_dir)
    config.site_url = SERVE_URL
    if clock is not None:
        clock.wrap(config)
    build(config, serve_url=SERVE_URL, dirty=False)
    return time.perf_counter() - start


def startup(config_file: Path, site_dir: str) -> None:
    """What serve does once: load the config, ``on_startup``, the first build."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    config = load_config(config_file=str(config_file), site_dir=site_dir)
    config.plugins.on_startup(command="serve", dirty=False)
    config.site_url = SERVE_URL
    build(config, serve_url=SERVE_URL, dirty=False)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rebuilds", type=int, default=15)
    parser.add_argument("--pages", type=int, default=20)
    args = parser.parse_args(argv)
    logging.getLogger("mkdocs").setLevel(logging.ERROR)
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    precompile()
    root = generate(args.pages)
    work = Path(tempfile.mkdtemp(prefix="clarity-serve-bench-"))
    try:
        src = work / "src"
        shutil.copytree(root, src)
        page = next((src / "docs").glob("section-*/page-*.md"))
        sites = {v: str(work / f"site-{v}") for v in ("plugin", "plain")}
        for variant in ("plugin", "plain"):
            startup(src / f"mkdocs.{variant}.yml", sites[variant])
        hooks, cpu, with_plugin, without = [], [], [], []
        for n in range(args.rebuilds):
            clock = HookClock()
            with_plugin.append(rebuild(src / "mkdocs.plugin.yml", sites["plugin"], page, n,
                                       clock))
            hooks.append(clock.seconds)
            cpu.append(clock.cpu)
            without.append(rebuild(src / "mkdocs.plain.yml", sites["plain"], page, n, None))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    med = statistics.median
    print(f"serve rebuild, {args.pages} pages, one page edited, {args.rebuilds} rebuilds: "
          f"plugin hooks {med(hooks) * 1000:.0f} ms (median; goal <= 50 ms; "
          f"CPU {med(cpu) * 1000:.0f} ms)  "
          f"rebuild with {med(with_plugin) * 1000:.0f} ms / without "
          f"{med(without) * 1000:.0f} ms (difference of medians "
          f"{(med(with_plugin) - med(without)) * 1000:+.0f} ms)  load {os.getloadavg()[0]:.1f}",
          flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

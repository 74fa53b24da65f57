"""How fast ``mkdocs-clarity verify`` checks a Material site: pages per second.

Generates (once, into ``bench/out/``) the same Material site the build benchmark uses, built
with the clarity plugin, and runs verify over every page (all states: fresh, reject, accept +
instant navigation, revoke, GPC, GPC + accept) with ``--jobs`` parallel pages. Prints wall
time and pages per second, the CPU time of verify and its browser (less sensitive to a shared
machine's load: CPU / 2 is the wall time on two idle cores), and the peak RSS of the largest
browser process (memory stays bounded by ``--jobs``, not by the page count). The goal (issue 14): 100 pages in <= 60 s on 2 cores.

    .venv/bin/python bench/verify_speed.py                 # 100 pages, default --jobs
    .venv/bin/python bench/verify_speed.py --pages 100 --jobs 2
"""

from __future__ import annotations

import argparse
import contextlib
import os
import resource
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from build_overhead import build, generate

from consent_generator.policy import load_policy
from mkdocs_clarity.verify import VerifyOptions, verify_site
from mkdocs_clarity.verify.launch import UsageError
from mkdocs_clarity.verify.run import DEFAULT_JOBS


def _kind(pid: int) -> str:
    """What a descendant is: Chromium's ``--type=`` (renderer, gpu-process, utility), the
    browser process itself, or the executable's name (``node`` is Playwright's driver).
    Chromium rewrites its command line with spaces, hence the split on both."""
    args = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b" ", b"\0").split(b"\0")
    kind = next((a[7:].decode() for a in args if a.startswith(b"--type=")), "")
    if kind in ("", "zygote") and b"chrom" not in args[0]:
        return Path(args[0].decode(errors="replace")).name or "?"
    return kind or "browser"


def _tree_cpu() -> dict[int, tuple[str, float]]:
    """(kind, CPU seconds so far) of every live descendant (the driver, Chromium and its
    renderers).
    ``RUSAGE_CHILDREN`` is not enough: it counts only children that were waited for, and
    Chromium's renderers and its own processes are not reaped into it, so it read less than
    half the real cost."""
    parent: dict[int, int] = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            with contextlib.suppress(OSError, IndexError, ValueError):
                parent[int(name)] = int(Path(f"/proc/{name}/stat").read_text()
                                        .rsplit(")", 1)[1].split()[1])
    mine: dict[int, tuple[str, float]] = {}
    todo, tick = [os.getpid()], os.sysconf("SC_CLK_TCK")
    while todo:
        pid = todo.pop()
        for child in (c for c, p in parent.items() if p == pid):
            todo.append(child)
            try:
                fields = Path(f"/proc/{child}/stat").read_text().rsplit(")", 1)[1].split()
                mine[child] = (_kind(child), (int(fields[11]) + int(fields[12])) / tick)
            except (OSError, IndexError, ValueError):
                pass
    return mine


class _Sampler(threading.Thread):
    """Keeps the last CPU figure of every descendant, sampled every 0.2 s (a process that
    ends loses at most its last 0.2 s)."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.seen: dict[int, tuple[str, float]] = {}
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.wait(0.2):
            for pid, (kind, seconds) in _tree_cpu().items():
                # an exited process (a zombie) has no command line left: keep its first kind
                known = self.seen.get(pid, ("?", 0.0))[0]
                self.seen[pid] = (known if kind == "?" and known != "?" else kind, seconds)


GOAL_PAGES, GOAL_S = 100, 60
"""Issue 14: 100 Material pages in <= 60 s on 2 cores."""


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=int, default=100)
    ap.add_argument("--jobs", type=int, default=None, help="default: verify's own")
    ap.add_argument("--browser", default=None)
    args = ap.parse_args(argv)
    root = generate(args.pages)
    site = root / "site-plugin"
    if not (site / "index.html").exists():
        build(root, "plugin")
    opts = VerifyOptions(site_dir=site, policy=load_policy(root / "consent.yml"),
                         browser=args.browser, jobs=args.jobs)
    me0 = resource.getrusage(resource.RUSAGE_SELF)  # the build above is not verify's
    sampler = _Sampler()
    sampler.start()
    start = time.perf_counter()
    try:
        report = verify_site(opts)
    except UsageError as exc:  # no Playwright or no browser here: say so, do not fail
        print(f"verify speed: skipped ({exc})")
        return 0
    wall = time.perf_counter() - start
    sampler.stop.set()
    sampler.join()
    me = resource.getrusage(resource.RUSAGE_SELF)
    kinds: dict[str, float] = {"python": me.ru_utime + me.ru_stime - me0.ru_utime - me0.ru_stime}
    for kind, seconds in sampler.seen.values():
        kinds[kind] = kinds.get(kind, 0.0) + seconds
    cpu = sum(kinds.values())
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    n = len(report.pages)
    print(f"verify: {n} Material pages, --jobs {args.jobs or DEFAULT_JOBS}: {wall:.1f} s wall, "
          f"{n / wall:.2f} pages/s; CPU {cpu:.1f} s ({cpu / n:.2f} s per page, "
          f"{n / (cpu / 2):.2f} pages/s on 2 idle cores); largest browser process "
          f"{children.ru_maxrss // 1024} MB; {len(report.findings)} finding(s); "
          f"load {os.getloadavg()[0]:.1f}")
    print("  CPU per page by process: " + ", ".join(
        f"{k} {v / n:.2f} s" for k, v in sorted(kinds.items(), key=lambda kv: -kv[1])))
    print(f"  at this CPU, {GOAL_PAGES} pages on 2 idle cores: >= {cpu / n * GOAL_PAGES / 2:.0f} s "
          f"(goal <= {GOAL_S} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

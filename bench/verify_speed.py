"""How fast ``mkdocs-clarity verify`` checks a Material site: pages per second.

Generates (once, into ``bench/out/``) the same Material site the build benchmark uses, built
with the clarity plugin, and runs verify over every page (all states: fresh, reject, accept +
instant navigation, revoke, GPC, GPC + accept) with ``--jobs`` parallel pages. Prints wall
time and pages per second, the CPU time of verify and its browser (less sensitive to a shared
machine's load: CPU / 2 is the wall time on two idle cores), and the peak RSS of the largest
browser process (memory stays bounded by ``--jobs``, not by the page count). The goal (issue 14): 100 pages in <= 60 s on 2 cores.

    .venv/bin/python bench/verify_speed.py                 # 100 pages, --jobs 4
    .venv/bin/python bench/verify_speed.py --pages 100 --jobs 2
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from build_overhead import build, generate

from consent_generator.policy import load_policy
from mkdocs_clarity.verify import VerifyOptions, verify_site


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=int, default=100)
    ap.add_argument("--jobs", type=int, default=4)
    ap.add_argument("--browser", default=None)
    args = ap.parse_args(argv)
    root = generate(args.pages)
    site = root / "site-plugin"
    if not (site / "index.html").exists():
        build(root, "plugin")
    opts = VerifyOptions(site_dir=site, policy=load_policy(root / "consent.yml"),
                         browser=args.browser, jobs=args.jobs)
    usage = (resource.getrusage(resource.RUSAGE_CHILDREN), resource.getrusage(resource.RUSAGE_SELF))
    cpu0 = sum(u.ru_utime + u.ru_stime for u in usage)  # the build above is not verify's
    start = time.perf_counter()
    report = verify_site(opts)
    wall = time.perf_counter() - start
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    me = resource.getrusage(resource.RUSAGE_SELF)
    cpu = children.ru_utime + children.ru_stime + me.ru_utime + me.ru_stime - cpu0
    n = len(report.pages)
    print(f"verify: {n} Material pages, --jobs {args.jobs}: {wall:.1f} s wall, "
          f"{n / wall:.2f} pages/s; CPU {cpu:.1f} s ({cpu / n:.2f} s per page, "
          f"{n / (cpu / 2):.2f} pages/s on 2 idle cores); largest browser process "
          f"{children.ru_maxrss // 1024} MB; {len(report.findings)} finding(s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

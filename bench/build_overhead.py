"""How much longer `mkdocs build` takes with the clarity plugin than without it.

Generates a Material site of N pages (full navigation, so every page carries the whole nav:
~320 KB per page at 1,000 pages, as real large documentation sites do; above 2,000 pages
``navigation.prune``, since a full nav on every page makes the output grow with pages²),
builds it in fresh subprocesses, alternating plugin off and plugin on ``--repeat`` times, and
prints the median wall times and their ratio, the median CPU time of all processes (the
build and its workers: what a one-core CI runner waits for) and its ratio, and each build's
peak RSS (``os.wait4``). Goals (issues 4 and 15): both ratios <= 1.10 at 20, 150, 1,000 and
10,000 pages, memory flat in page count.

    .venv/bin/python bench/build_overhead.py --pages 20 --pages 150
    .venv/bin/python bench/build_overhead.py --pages 1000 --pages 10000 --repeat 3

Sites go to ``bench/out/`` (gitignored); a site is generated once per size and reused.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
MKDOCS = Path(sys.executable).parent / "mkdocs"

SECTION_SIZE = 50

CONSENT = """\
version: 1
mode: opt-in
services:
  clarity: {category: analytics, project_id: "abcde12345"}
  google-analytics: {category: analytics, measurement_id: "G-ABCDE12345"}
  youtube: {category: marketing}
masking:
  mode: balanced
  mask: [".account", "table"]
  unmask: [".md-content h1"]
"""

PARAGRAPH = (
    "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor "
    "incididunt ut labore et dolore magna aliqua. Ut enim ad minim veniam, quis nostrud "
    "exercitation ullamco laboris nisi ut aliquip ex ea commodo consequat with `code`, "
    "**bold** and a [link](../index.md).\n\n"
)


def page_markdown(i: int) -> str:
    """A content page with the things the rewrite looks at: code, tables, a form, e-mail."""
    parts = [f"# Page {i}\n\n", PARAGRAPH * 3]
    parts.append("```python\ndef f(x):\n    return x * 2  # <not a tag>\n```\n\n")
    parts.append("| a | b |\n|---|---|\n| 1 | 2 |\n| 3 | 4 |\n\n")
    parts.append(PARAGRAPH * 2)
    if i % 10 == 0:
        parts.append('<div class="account">Contact: someone@example.org</div>\n\n')
    if i % 25 == 0:
        parts.append(f'<script>document.documentElement.dataset.page = "{i}";</script>\n\n')
    if i % 50 == 0:
        parts.append('<iframe width="560" height="315" '
                     'src="https://www.youtube.com/embed/dQw4w9WgXcQ"></iframe>\n\n')
    parts.append("## Details\n\n" + PARAGRAPH * 2)
    return "".join(parts)


def generate(pages: int, prune: bool = False) -> Path:
    root = OUT / f"site-{pages}{'-prune' if prune else ''}"
    marker = root / ".complete"
    if marker.exists():
        return root
    if root.exists():
        shutil.rmtree(root)
    docs = root / "docs"
    docs.mkdir(parents=True)
    (docs / "index.md").write_text("# Home\n\n" + PARAGRAPH)
    nav: list = [{"Home": "index.md"}]
    for s in range(0, pages - 1, SECTION_SIZE):
        section = f"section-{s // SECTION_SIZE:04d}"
        (docs / section).mkdir()
        entries = []
        for i in range(s, min(s + SECTION_SIZE, pages - 1)):
            name = f"page-{i:05d}.md"
            (docs / section / name).write_text(page_markdown(i))
            entries.append({f"Page {i}": f"{section}/{name}"})
        nav.append({f"Section {s // SECTION_SIZE}": entries})
    config = {
        "site_name": f"Bench {pages}",
        "site_url": "http://127.0.0.1:8000/",
        "theme": {"name": "material",
                  "features": ["navigation.instant", *(["navigation.prune"] if prune else [])]},
        "markdown_extensions": ["tables", "attr_list", "md_in_html"],
        "nav": nav,
    }
    # JSON is valid YAML and needs no extra dependency here.
    (root / "mkdocs.base.yml").write_text(json.dumps(config, indent=1))
    with_plugin = dict(config, plugins=["search", "clarity"])
    without = dict(config, plugins=["search"])
    (root / "mkdocs.plugin.yml").write_text(json.dumps(with_plugin, indent=1))
    (root / "mkdocs.plain.yml").write_text(json.dumps(without, indent=1))
    (root / "consent.yml").write_text(CONSENT)
    marker.write_text("ok")
    return root


def build(root: Path, config: str) -> tuple[float, float, int]:
    """(wall seconds, CPU seconds, peak RSS in MB) of one `mkdocs build` in a fresh process.

    ``os.wait4`` gives the rusage of exactly this child (and the workers it waited for), so
    the RSS figure is per build, not a running maximum.
    """
    site = root / ("site-" + config)
    cmd = [str(MKDOCS), "build", "-q", "-f", str(root / f"mkdocs.{config}.yml"),
           "-d", str(site)]
    # This checkout's packages first, whatever copy the environment has installed (several
    # worktrees may share one virtualenv).
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        p for p in (str(HERE.parent), os.environ.get("PYTHONPATH")) if p))
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=root, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise SystemExit(f"mkdocs build ({config}) failed with exit {proc.returncode}")
    return elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss // 1024


def precompile() -> None:
    """Byte-compile the two packages, as pip does when it installs the wheel.

    Why: with PYTHONDONTWRITEBYTECODE set (as on some CI and development machines) an
    editable checkout recompiles every module of the plugin from source in every build,
    ~40 ms that no installed copy pays, while MkDocs and Material (installed) load their
    .pyc files: the comparison would be unfair to the plugin."""
    import compileall

    root = HERE.parent
    for package in ("consent_generator", "mkdocs_clarity"):
        compileall.compile_dir(str(root / package), quiet=1)


def default_repeat(pages: int) -> int:
    """Builds per variant when not given: many for small sites (a 20-page build is ~0.5 s and
    noisy), few for large ones (a 10,000-page build takes minutes)."""
    return 9 if pages <= 200 else 3 if pages <= 2000 else 1


def run(pages: int, repeat: int, prune: bool = False) -> dict:
    """Alternate plain and plugin builds ``repeat`` times; ratios of the medians."""
    root = generate(pages, prune)
    walls: dict[str, list[float]] = {"plain": [], "plugin": []}
    cpus: dict[str, list[float]] = {"plain": [], "plugin": []}
    rss = {"plain": 0, "plugin": 0}
    for _ in range(repeat):
        for variant in ("plain", "plugin"):  # alternating: load changes hit both alike
            t, c, rss[variant] = build(root, variant)
            walls[variant].append(t)
            cpus[variant].append(c)
    med = statistics.median
    size = sum(p.stat().st_size for p in (root / "site-plugin").rglob("*.html"))
    return {
        "pages": pages,
        "prune": prune,
        "repeat": repeat,
        "plain_s": med(walls["plain"]),
        "plugin_s": med(walls["plugin"]),
        "ratio": med(walls["plugin"]) / med(walls["plain"]),
        "plain_cpu_s": med(cpus["plain"]),
        "plugin_cpu_s": med(cpus["plugin"]),
        "cpu_ratio": med(cpus["plugin"]) / med(cpus["plain"]),
        "avg_page_kb": round(size / 1024 / max(1, pages), 1),
        "rss_plain_mb": rss["plain"],
        "rss_plugin_mb": rss["plugin"],
        "load": os.getloadavg()[0],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, action="append",
                        help="site size (repeatable); default 20, 150 and 1000")
    parser.add_argument("--repeat", type=int, default=None,
                        help="builds per variant, alternating (default: 9 up to 200 pages, "
                        "3 up to 2,000, else 1); figures are medians")
    parser.add_argument("--prune", choices=("auto", "yes", "no"), default="auto",
                        help="Material navigation.prune (auto: above 2,000 pages, where the "
                        "full nav on every page would make the site O(pages^2) bytes)")
    args = parser.parse_args(argv)
    os.environ.setdefault("PYTHONHASHSEED", "0")
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    precompile()
    for pages in args.pages or [20, 150, 1000]:
        prune = args.prune == "yes" or (args.prune == "auto" and pages > 2000)
        r = run(pages, args.repeat or default_repeat(pages), prune)
        print(f"{r['pages']:>6} pages{' (pruned nav)' if prune else ''}  "
              f"~{r['avg_page_kb']} KB/page  median of {r['repeat']}:  "
              f"wall {r['plain_s']:.2f}s -> {r['plugin_s']:.2f}s = {r['ratio']:.3f}x  "
              f"CPU (all processes) {r['plain_cpu_s']:.2f}s -> {r['plugin_cpu_s']:.2f}s = "
              f"{r['cpu_ratio']:.3f}x  (goal <= 1.10x both)  "
              f"peak RSS {r['rss_plain_mb']} / {r['rss_plugin_mb']} MB  "
              f"load {r['load']:.1f}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

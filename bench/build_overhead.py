"""How much longer `mkdocs build` takes with the clarity plugin than without it.

Generates a Material site of N pages (full navigation, so every page carries the whole nav:
~320 KB per page at 1,000 pages, as real large documentation sites do; above 2,000 pages
``navigation.prune``, since a full nav on every page makes the output grow with pages²),
builds it in fresh subprocesses (plugin off, plugin on; best of ``--repeat``), and prints the
wall times and their ratio, the CPU time of all processes (less sensitive to a shared
machine's load than wall time) and each build's peak RSS (``os.wait4``). The goal (issue 4)
is a ratio <= 1.10 at 1,000 pages and the same at 10,000 pages, with memory flat in page
count.

    .venv/bin/python bench/build_overhead.py --pages 200
    .venv/bin/python bench/build_overhead.py --pages 1000 --pages 10000 --repeat 2

Sites go to ``bench/out/`` (gitignored); a site is generated once per size and reused.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
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
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=root)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise SystemExit(f"mkdocs build ({config}) failed with exit {proc.returncode}")
    return elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss // 1024


def run(pages: int, repeat: int, prune: bool = False) -> dict:
    root = generate(pages, prune)
    plain, plugin, plain_cpu, plugin_cpu = [], [], [], []
    rss_plain = rss_plugin = 0
    for _ in range(repeat):
        t, c, rss_plain = build(root, "plain")
        plain.append(t)
        plain_cpu.append(c)
        t, c, rss_plugin = build(root, "plugin")
        plugin.append(t)
        plugin_cpu.append(c)
    best_plain, best_plugin = min(plain), min(plugin)
    size = sum(p.stat().st_size for p in (root / "site-plugin").rglob("*.html"))
    return {
        "pages": pages,
        "prune": prune,
        "plain_s": round(best_plain, 2),
        "plugin_s": round(best_plugin, 2),
        "ratio": round(best_plugin / best_plain, 3),
        "plain_cpu_s": round(min(plain_cpu), 2),
        "plugin_cpu_s": round(min(plugin_cpu), 2),
        "avg_page_kb": round(size / 1024 / max(1, pages), 1),
        "rss_plain_mb": rss_plain,
        "rss_plugin_mb": rss_plugin,
        "load": os.getloadavg()[0],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, action="append",
                        help="site size (repeatable); default 1000")
    parser.add_argument("--repeat", type=int, default=1, help="builds per variant (best of)")
    parser.add_argument("--prune", choices=("auto", "yes", "no"), default="auto",
                        help="Material navigation.prune (auto: above 2,000 pages, where the "
                        "full nav on every page would make the site O(pages^2) bytes)")
    args = parser.parse_args(argv)
    os.environ.setdefault("PYTHONHASHSEED", "0")
    for pages in args.pages or [1000]:
        prune = args.prune == "yes" or (args.prune == "auto" and pages > 2000)
        r = run(pages, args.repeat, prune)
        print(f"{r['pages']:>6} pages{' (pruned nav)' if prune else ''}  "
              f"~{r['avg_page_kb']} KB/page  "
              f"without {r['plain_s']:.2f}s  with {r['plugin_s']:.2f}s  "
              f"ratio {r['ratio']:.3f}  (goal <= 1.10)  "
              f"CPU {r['plain_cpu_s']:.1f}s / {r['plugin_cpu_s']:.1f}s (all processes)  "
              f"load {r['load']:.1f}  "
              f"peak RSS {r['rss_plain_mb']} MB / {r['rss_plugin_mb']} MB", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

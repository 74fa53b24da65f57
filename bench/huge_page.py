"""One huge page through ``apply``: time must grow linearly with the page, memory stay bounded.

Generates a single Material-like page of N MB (head with stylesheet, scripts and an inline
script; a body of repeated blocks holding what the rewrite looks at: paragraphs with e-mail
addresses and long digit runs, highlighted code, tables, SVG icons, a form, a content script
and a YouTube iframe now and then), then runs :func:`mkdocs_clarity.engine.site.apply_site` on it in
a fresh process (``jobs=1``) and prints the time, the throughput in MB/s and the peak RSS the
apply added above the process's RSS just before it (interpreter, imports and the loaded
policy are not the page's cost). Goals (issue 15): linear (MB/s about the same for every
size), 50 MB in at most 5 s, peak RSS at most 5x the page size.

    .venv/bin/python bench/huge_page.py --mb 1 --mb 10 --mb 50

Pages go to ``bench/out/huge-<N>mb/`` (gitignored) and are regenerated each run (the apply
rewrites them in place).
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
ROOT = HERE.parent

HEAD = """<!doctype html>
<html lang="en" class="no-js">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>Huge page - Bench</title>
<link rel="stylesheet" href="../assets/stylesheets/main.css">
<script>document.documentElement.className = "js";</script>
</head>
<body dir="ltr">
<header class="md-header"><nav class="md-header__inner">Bench</nav></header>
<div class="md-container"><main class="md-main"><div class="md-content">
<article class="md-content__inner md-typeset">
<h1 id="huge">Huge page</h1>
"""

BLOCK = """<h2 id="section-{i}">Section {i}<a class="headerlink" href="#section-{i}">&para;</a></h2>
<p>Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut
labore et dolore magna aliqua, with <code>code</code>, <strong>bold</strong> and a
<a href="../index.html">link</a>. Write to someone{i}@example.org or call 0123 4567 {i:04d}.</p>
<div class="highlight"><pre><span></span><code><span class="k">def</span> <span class="nf">f</span>(<span class="n">x</span>):
    <span class="k">return</span> <span class="n">x</span> <span class="o">*</span> <span class="mi">{i}</span>  <span class="c1"># &lt;not a tag&gt;</span>
</code></pre></div>
<table><thead><tr><th>a</th><th>b</th></tr></thead><tbody><tr><td>1</td><td>2</td></tr><tr><td>3</td><td>{i}</td></tr></tbody></table>
<p><svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24"><path d="M12 2C6.48 2 2 6.48 2 12s4.48 10 10 10 10-4.48 10-10S17.52 2 12 2z"/></svg>
Ut enim ad minim veniam, quis nostrud exercitation ullamco laboris nisi ut aliquip ex ea.</p>
"""

EXTRA_EVERY = 50
EXTRA = """<div class="account">Account of customer {i}</div>
<form action="/search"><input type="text" name="q"><textarea name="t"></textarea></form>
<script>document.documentElement.dataset.block = "{i}";</script>
<iframe width="560" height="315" src="https://www.youtube.com/embed/dQw4w9WgXcQ"></iframe>
"""

TAIL = """</article></div></main>
<footer class="md-footer">Made with Material</footer></div>
<script src="../assets/javascripts/bundle.js"></script>
</body>
</html>
"""

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


def generate(mb: float) -> Path:
    """A site directory holding ``consent.yml`` and one page of ``mb`` megabytes."""
    root = OUT / f"huge-{mb:g}mb"
    if root.exists():
        shutil.rmtree(root)
    site = root / "site" / "huge"
    site.mkdir(parents=True)
    target = int(mb * 1024 * 1024)
    parts, size, i = [HEAD], len(HEAD), 0
    while size < target - len(TAIL):
        block = BLOCK.format(i=i)
        if i % EXTRA_EVERY == 0:
            block += EXTRA.format(i=i)
        parts.append(block)
        size += len(block)
        i += 1
    parts.append(TAIL)
    (site / "index.html").write_text("".join(parts), encoding="utf-8")
    (root / "consent.yml").write_text(CONSENT, encoding="utf-8")
    return root


def peak_rss_kb(reset: bool = False) -> int:
    """This process's peak RSS in KB (Linux ``VmHWM``; ``reset`` first sets it back to the
    current RSS). Not ``ru_maxrss``: that survives ``exec`` and would report the parent's
    peak, here the parent that just generated the page."""
    status = Path("/proc/self/status")
    if not status.exists():
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if reset:
        Path("/proc/self/clear_refs").write_text("5")
    for line in status.read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def child(root: Path) -> None:
    """In a fresh process: load everything, then measure only the apply."""
    sys.path.insert(0, str(ROOT))
    from consent_generator.policy import load_policy
    from mkdocs_clarity.engine.site import apply_site

    policy = load_policy(root / "consent.yml")
    # Warm up on a small page first: compiled regexes and rendered blocks are the process's
    # fixed cost, not the page's.
    warm = root / "warm"
    (warm / "w").mkdir(parents=True, exist_ok=True)
    (warm / "w" / "index.html").write_text(HEAD + BLOCK.format(i=0) + EXTRA.format(i=0) + TAIL,
                                           encoding="utf-8")
    apply_site(warm, policy, jobs=1)
    page = root / "site" / "huge" / "index.html"
    size = page.stat().st_size
    before = peak_rss_kb(reset=True)
    start = time.perf_counter()
    report = apply_site(root / "site", policy, jobs=1)
    elapsed = time.perf_counter() - start
    after = peak_rss_kb()
    print(json.dumps({"bytes": size, "seconds": elapsed, "rss_before_kb": before,
                      "rss_peak_kb": after, "changed": report.pages_changed,
                      "masked": report.masked, "gated": report.gated}))


def measure(mb: float) -> dict[str, Any]:
    root = generate(mb)
    out = subprocess.run([sys.executable, __file__, "--child", str(root)], check=True,
                         capture_output=True, text=True).stdout
    result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mb", type=float, action="append",
                        help="page size in MB (repeatable); default 1, 10 and 50")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child)
        return 0
    for mb in args.mb or [1, 10, 50]:
        r = measure(mb)
        page_mb = r["bytes"] / 1024 / 1024
        added = max(0, r["rss_peak_kb"] - r["rss_before_kb"]) / 1024
        goal = "  (goal <= 5 s)" if mb >= 50 else ""
        print(f"{page_mb:>6.1f} MB page  {r['seconds']:7.2f} s{goal}  "
              f"{page_mb / r['seconds']:6.1f} MB/s  "
              f"peak RSS +{added:.0f} MB = {added / page_mb:.1f}x the page (goal <= 5x; "
              f"{r['rss_before_kb'] // 1024} -> {r['rss_peak_kb'] // 1024} MB)  "
              f"[{r['gated']} gated, {r['masked']} masked]", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

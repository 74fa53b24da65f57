"""A worker process killed mid-run (SIGKILL, the OOM killer) is one clear error (issue 11).

``multiprocessing.Pool`` replaced a dead worker and waited forever for the task it lost, and
tearing it down could print ``BrokenPipeError`` tracebacks. The apply runs in a child process
so that a hang fails this test (``communicate`` gives up) instead of hanging the suite; the
kill is the real one, ``SIGKILL`` sent by the worker to itself while it holds a page.
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from mkdocs_clarity.cli import main

POLICY = Path(__file__).parents[1] / "fixtures" / "static_sites" / "consent.yml"
VICTIM = "p0007/index.html"

CHILD = """
import os, signal, sys
from mkdocs_clarity.engine import site
from mkdocs_clarity.cli import main

phase, victim = sys.argv[1], sys.argv[2]
site.PARALLEL_THRESHOLD = 2  # a pool for this small site
real_plan, real_apply = site._plan_file, site._apply_one

def plan(rel):
    if phase == "plan" and rel == victim and os.getpid() != driver:
        os.kill(os.getpid(), signal.SIGKILL)
    return real_plan(rel)

def apply(task):
    if phase == "apply" and task[0] == victim and os.getpid() != driver:
        os.kill(os.getpid(), signal.SIGKILL)
    return real_apply(task)

driver = os.getpid()
site._plan_file, site._apply_one = plan, apply  # before the pool forks: workers inherit them
main(sys.argv[3:])
"""


def _site(root: Path, pages: int = 40) -> Path:
    for i in range(pages):
        page = root / f"p{i:04d}" / "index.html"
        page.parent.mkdir(parents=True)
        page.write_text(f'<!doctype html><html lang="en"><head><meta charset="utf-8">'
                        f"<title>Page {i}</title></head><body><h1>Page {i}</h1>"
                        f"<script>console.log({i % 5})</script></body></html>")
    return root


def _hashes(site: Path) -> dict[str, str]:
    return {p.relative_to(site).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(site.rglob("*")) if p.is_file()}


def _run(phase: str, site: Path) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-c", CHILD, phase, VICTIM,
           "apply", str(site), "--policy", str(POLICY), "--jobs", "2"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True, cwd=Path(__file__).parents[2])
    try:
        out, err = proc.communicate(timeout=120)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        pytest.fail(f"apply hung after a worker was killed ({phase})")
    return subprocess.CompletedProcess(cmd, proc.returncode, out, err)


def _one_clear_error(done: subprocess.CompletedProcess[str]) -> None:
    assert done.returncode not in (0, -signal.SIGKILL), (done.stdout, done.stderr)
    assert "a worker process died" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr and "BrokenPipe" not in done.stderr, done.stderr
    assert done.stderr.count("worker process") == 1, done.stderr


def test_worker_killed_while_planning_writes_nothing(tmp_path):
    site = _site(tmp_path / "site")
    before = _hashes(site)
    done = _run("plan", site)
    _one_clear_error(done)
    assert _hashes(site) == before


def test_worker_killed_while_writing_leaves_whole_pages_and_a_rerun_completes(tmp_path):
    site = _site(tmp_path / "site")
    reference = _site(tmp_path / "reference")
    done = _run("apply", site)
    _one_clear_error(done)
    assert not list(site.rglob("*.tmp"))
    assert "data-consent-csp" not in (site / VICTIM).read_text()  # its page was never written
    for target in (site, reference):
        again = CliRunner().invoke(main, ["apply", str(target), "--policy", str(POLICY),
                                          "--jobs", "1"])
        assert again.exit_code == 0, again.output
    assert _hashes(site) == _hashes(reference)

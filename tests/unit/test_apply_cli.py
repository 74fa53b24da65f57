"""``mkdocs-clarity apply`` on a large plain site: the pool is really used, the progress
reaches every page in both passes, ``--dry-run`` lists what it would write; and the site URL
(``--site-url`` or read back from the site) reaches the engine.

No timing here (CONTRIBUTING: speed lives in ``bench/``): parallelism is checked by which
processes did the work.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from consent_generator.policy import load_policy
from mkdocs_clarity.cli import main
from mkdocs_clarity.engine import site as site_module
from mkdocs_clarity.engine.siteurl import SiteUrlError, detect_site_url, parse_site_url

POLICY = Path(__file__).parents[1] / "fixtures" / "static_sites" / "consent.yml"
PAGES = 600
"""Above site.PARALLEL_THRESHOLD (500), so the pool is used."""

_PID_DIR: Path | None = None
"""Set before the pool forks, so workers inherit it."""


def _plain_site(root: Path, pages: int = PAGES) -> Path:
    site = root / "site"
    for i in range(pages):
        page = site / f"p{i:03d}" / "index.html"
        page.parent.mkdir(parents=True)
        page.write_text(f'<!doctype html><html lang="en"><head><meta charset="utf-8">'
                        f"<title>Page {i}</title></head><body><h1>Page {i}</h1>"
                        f"<script>console.log({i % 5})</script></body></html>")
    (site / "index.html").write_text('<!doctype html><html><head><title>Home</title></head>'
                                     '<body><a href="p000/">first</a></body></html>')
    (site / "404.html").write_text('<!doctype html><html><head><title>404</title></head>'
                                   "<body>Not found</body></html>")
    return site


def _hashes(site: Path) -> dict[str, str]:
    return {p.relative_to(site).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(site.rglob("*")) if p.is_file()}


def _record(phase: str) -> None:
    assert _PID_DIR is not None
    (_PID_DIR / f"{phase}-{os.getpid()}").touch()


_real_plan_file = site_module._plan_file
_real_apply_one = site_module._apply_one


def _recording_plan_file(rel: str):
    """The real pass-1 work, noting which process did it (picklable: module level)."""
    _record("plan")
    return _real_plan_file(rel)


def _recording_apply_one(args):
    _record("apply")
    return _real_apply_one(args)


def test_jobs_dispatch_both_passes_to_worker_processes(tmp_path, monkeypatch):
    global _PID_DIR
    site = _plain_site(tmp_path)
    _PID_DIR = tmp_path / "pids"
    _PID_DIR.mkdir()
    monkeypatch.setattr(site_module, "_plan_file", _recording_plan_file)
    monkeypatch.setattr(site_module, "_apply_one", _recording_apply_one)
    steps: list[tuple[str, int, int]] = []
    try:
        report = site_module.apply_site(site, load_policy(POLICY), jobs=2,
                                        progress=lambda *a: steps.append(a))
    finally:
        _PID_DIR = None
    pids = {phase: {int(p.name.split("-")[1]) for p in (tmp_path / "pids").iterdir()
                    if p.name.startswith(phase)} for phase in ("plan", "apply")}
    workers = pids["plan"] - {os.getpid()}
    # Pass 1 ran only in worker processes, no more than the two asked for (not "exactly two":
    # on a loaded machine one worker may drain the queue before the other is scheduled).
    assert os.getpid() not in pids["plan"] and 1 <= len(workers) <= 2, pids
    assert pids["apply"] - {os.getpid()}, pids  # pass 2 was shared with the pool too
    assert report.workers == 2 and report.pages == PAGES + 2
    assert report.pages_changed == PAGES + 2
    for phase in ("scan", "write"):
        done = [d for p, d, _ in steps if p == phase]
        assert sorted(done) == list(range(1, PAGES + 3)), phase
        assert {t for p, _, t in steps if p == phase} == {PAGES + 2}
    assert "console.log(3)" in (site / "p003" / "index.html").read_text()
    assert 'http-equiv="Content-Security-Policy"' in (site / "p299" / "index.html").read_text()


def test_small_site_stays_in_process(tmp_path):
    site = _plain_site(tmp_path, pages=5)
    report = site_module.apply_site(site, load_policy(POLICY), jobs=2)
    assert report.workers == 0 and report.pages_changed == 7


def test_cli_jobs_and_dry_run_list_what_would_change(tmp_path):
    site = _plain_site(tmp_path)
    before = _hashes(site)
    dry = CliRunner().invoke(main, ["apply", str(site), "--policy", str(POLICY), "--jobs", "2",
                                    "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert _hashes(site) == before, "--dry-run wrote to the site"
    lines = dry.output.splitlines()
    assert f"{PAGES + 2} page(s) would change, 0 unchanged" in lines
    assert "processes: 2" in lines
    listed = {line.split(": ", 1)[1] for line in lines if line.startswith("  would change: ")}
    assert listed == {p for p in before if p.endswith(".html")}
    written = [line for line in lines if line.startswith("  would write: ")]
    for name, delivery in (("_headers", "netlify"), ("vercel.json", "vercel"),
                           ("staticwebapp.config.json", "azure-swa"),
                           ("nginx-headers.conf", "nginx"), (".htaccess", "apache")):
        assert f"  would write: {name} ({delivery})" in written
    assert any(line.startswith("  would write: assets/consent/consent.") for line in written)

    first = CliRunner().invoke(main, ["apply", str(site), "--policy", str(POLICY), "-j", "2"])
    assert first.exit_code == 0 and f"{PAGES + 2} page(s) changed" in first.output
    after = _hashes(site)
    again = CliRunner().invoke(main, ["apply", str(site), "--policy", str(POLICY), "-j", "2",
                                      "--dry-run"])
    assert again.exit_code == 0, again.output
    assert "  would change: " not in again.output and "  would write: " not in again.output
    assert "  unchanged: _headers (netlify)" in again.output
    assert _hashes(site) == after


# --------------------------------------------------------------------------- site URL


def test_site_url_is_normalised_and_validated():
    url = parse_site_url("https://Example.org/docs")
    assert (url.url, url.origin, url.base_path) == ("https://example.org/docs/",
                                                    "https://example.org", "/docs/")
    assert parse_site_url("https://example.org/docs/index.html").base_path == "/docs/"
    assert parse_site_url("https://example.org/v1.2").base_path == "/v1.2/"
    assert parse_site_url("http://127.0.0.1:8000").base_path == "/"
    for bad in ("/docs/", "example.org/docs/", "ftp://example.org/"):
        with pytest.raises(SiteUrlError, match="--site-url"):
            parse_site_url(bad)


def test_site_url_read_from_canonical_then_sitemap(tmp_path):
    site = _plain_site(tmp_path, pages=2)
    assert detect_site_url(site) is None
    (site / "sitemap.xml").write_text(
        '<?xml version="1.0"?><urlset><url><loc>https://example.org/docs/p001/</loc></url>'
        "<url><loc>https://example.org/docs/</loc></url></urlset>")
    found = detect_site_url(site)
    assert found is not None and found.source == "sitemap.xml <loc>"
    assert (found.url, found.base_path) == ("https://example.org/docs/", "/docs/")
    index = site / "index.html"
    index.write_text(index.read_text().replace(
        "<title>", '<link href="https://docs.example.com/" rel="canonical"><title>'))
    found = detect_site_url(site)
    assert found is not None and found.url == "https://docs.example.com/"
    assert found.source == 'index.html <link rel="canonical">'


def test_bad_site_url_is_a_message(tmp_path):
    site = _plain_site(tmp_path, pages=1)
    result = CliRunner().invoke(main, ["apply", str(site), "--policy", str(POLICY),
                                       "--site-url", "docs/"])
    assert result.exit_code == 1 and result.output.startswith("Error: --site-url")
    assert "Traceback" not in result.output

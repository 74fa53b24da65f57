"""``apply`` is all or nothing and survives interruption (issue 11 §3).

A failure found anywhere in planning (a host's limit, a weakening page policy under
``--strict``, a symlink, an unknown encoding, a fragment loading a tracker) leaves the site
byte-identical; SIGINT in the middle leaves whole pages, no temporary file, exit 130, and a
second run gives the bytes an uninterrupted run gives.
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from consent_generator.policy import load_policy, parse_policy
from mkdocs_clarity.cli import main
from mkdocs_clarity.engine.site import SiteError, apply_site, page_codec

POLICY = Path(__file__).parents[1] / "fixtures" / "static_sites" / "consent.yml"
CLARITY = '<script async src="https://www.clarity.ms/tag/abcdefghij"></script>'


def _site(root: Path, pages: int = 12, body: str = "") -> Path:
    site = root / "site"
    for i in range(pages):
        page = site / f"p{i:04d}" / "index.html"
        page.parent.mkdir(parents=True)
        page.write_text(f'<!doctype html><html lang="en"><head><meta charset="utf-8">'
                        f"<title>Page {i}</title>{CLARITY if i % 3 == 0 else ''}</head><body>"
                        f"<h1>Page {i}</h1><script>console.log({i % 7})</script>{body}"
                        "</body></html>")
    (site / "index.html").write_text("<!doctype html><html><head><title>Home</title></head>"
                                     "<body>home</body></html>")
    return site


def _snapshot(site: Path) -> dict[str, str]:
    out = {}
    for path in sorted(site.rglob("*")):
        if path.is_symlink():
            out[path.relative_to(site).as_posix()] = "link:" + os.readlink(path)
        elif path.is_file():
            out[path.relative_to(site).as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def _apply(site: Path, *args: str):
    return CliRunner().invoke(main, ["apply", str(site), "--policy", str(POLICY), *args])


def test_too_long_cloudflare_line_writes_nothing(tmp_path):
    """The host limit is checked in planning: before, every page had been rewritten."""
    site = _site(tmp_path, body="".join(f"<script>var x{i}={i}</script>" for i in range(60)))
    policy = tmp_path / "consent.yml"
    policy.write_text(POLICY.read_text().replace("delivery: [meta,", "delivery: [meta, cloudflare,"))
    assert "cloudflare" in policy.read_text()
    before = _snapshot(site)
    result = CliRunner().invoke(main, ["apply", str(site), "--policy", str(policy)])
    assert result.exit_code == 1, result.output
    assert "2,000" in result.output or "2000" in result.output, result.output
    assert "Traceback" not in result.output
    assert _snapshot(site) == before


def test_strict_weakening_page_policy_writes_nothing(tmp_path):
    site = _site(tmp_path)
    (site / "weak.html").write_text(
        '<html><head><meta http-equiv="Content-Security-Policy" content="script-src '
        "'self' https: 'unsafe-eval'\"></head><body></body></html>")
    before = _snapshot(site)
    result = _apply(site, "--strict")
    assert result.exit_code == 1
    assert "weak.html: the page's own CSP allows https: in script-src" in result.output
    assert _snapshot(site) == before
    relaxed = _apply(site)
    assert relaxed.exit_code == 0, relaxed.output
    assert "warning: weak.html: the page's own CSP allows 'unsafe-eval' in script-src" \
        in relaxed.output


@pytest.mark.parametrize("make", ["dangling", "dir", "file"])
def test_symlinks_are_reported_before_anything_is_written(tmp_path, make):
    site = _site(tmp_path)
    if make == "dangling":
        (site / "gone.html").symlink_to(tmp_path / "nowhere.html")
        expected = "gone.html: a dangling symlink"
    elif make == "dir":
        outside = tmp_path / "outside"
        outside.mkdir()
        (outside / "index.html").write_text(f"<html><head>{CLARITY}</head></html>")
        (site / "linked").symlink_to(outside, target_is_directory=True)
        expected = "linked/: a symlinked directory"
    else:
        (site / "again.html").symlink_to(site / "index.html")
        expected = "again.html: a symlink"
    before = _snapshot(site)
    result = _apply(site)
    assert result.exit_code == 1 and expected in result.output, result.output
    assert "nothing was written" in result.output and "Traceback" not in result.output
    assert _snapshot(site) == before


def test_fragment_loading_a_tracker_is_reported(tmp_path):
    site = _site(tmp_path)
    (site / "snippet.html").write_text(f"<p>hi</p>\n{CLARITY}\n")
    before = _snapshot(site)
    result = _apply(site)
    assert result.exit_code == 1
    assert "snippet.html:2: loads clarity but has no <head>/<body>" in result.output
    assert _snapshot(site) == before


def test_unwritable_directory_is_reported_before_anything_is_written(tmp_path, monkeypatch):
    """As root every directory is writable, so the permission answer is what we vary."""
    site = _site(tmp_path)
    real = os.access
    monkeypatch.setattr(os, "access", lambda p, mode: real(p, mode)
                        and not str(p).endswith("p0003"))
    before = _snapshot(site)
    with pytest.raises(SiteError, match=r"p0003/: not writable"):
        apply_site(site, load_policy(POLICY), jobs=1)
    assert _snapshot(site) == before


@pytest.mark.parametrize(("encoding", "declared", "bom"), [
    ("utf-16-le", "", b"\xff\xfe"), ("utf-16-be", "", b"\xfe\xff"),
    ("cp1252", '<meta charset="windows-1252">', b""),
    ("cp1252", '<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1">', b""),
    ("shift_jis", '<meta charset="shift_jis">', b""),
])
def test_pages_in_declared_encodings_are_gated_and_stay_in_their_encoding(
        tmp_path, encoding, declared, bom):
    site = tmp_path / "site"
    site.mkdir()
    script = "console.log('caf\u00e9')" if encoding != "shift_jis" else "console.log('\u65e5')"
    text = (f"<!doctype html><html><head>{declared}<title>x</title>{CLARITY}</head>"
            f"<body><p>{script[13:-2]}</p><script>{script}</script></body></html>")
    (site / "index.html").write_bytes(bom + text.encode(encoding))
    report = apply_site(site, parse_policy(POLICY.read_text()), jobs=1)
    data = (site / "index.html").read_bytes()
    assert data.startswith(bom)
    out = data[len(bom):].decode(encoding)
    assert ' src="https://www.clarity.ms' not in out and report.gated == 1
    from consent_generator.csp_sources import sha256_source
    assert sha256_source(script) in report.csp.policy.get("script-src")
    first = data
    apply_site(site, parse_policy(POLICY.read_text()), jobs=1)
    assert (site / "index.html").read_bytes() == first


def test_unknown_declared_encoding_is_an_error():
    with pytest.raises(SiteError, match="declares the encoding 'x-klingon'"):
        page_codec(b'<meta charset="x-klingon">', "k.html")


def test_unclosed_script_at_the_end_settles_in_one_run(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("<html><head></head><body><p>x</p><script>var a = 1")
    apply_site(site, load_policy(POLICY), jobs=1)
    once = (site / "index.html").read_bytes()
    apply_site(site, load_policy(POLICY), jobs=1)
    assert (site / "index.html").read_bytes() == once


def _big_site(root: Path, pages: int) -> Path:
    filler = "<p>" + "lorem ipsum dolor sit amet " * 400 + "</p>"
    return _site(root, pages, body=filler)


def test_sigint_leaves_whole_pages_and_a_rerun_converges(tmp_path):
    """1,500 pages, SIGINT once pages are being written: exit 130, the message, no .tmp,
    and apply again gives the same bytes as an uninterrupted run of a fresh copy."""
    site = _big_site(tmp_path / "a", 1500)
    reference = _big_site(tmp_path / "b", 1500)
    cmd = [str(Path(sys.executable).parent / "mkdocs-clarity"), "apply", "--policy",
           str(POLICY), "-j", "2"]
    proc = subprocess.Popen([*cmd, str(site)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    # SIGINT as soon as the first pages are written (the runtime is written before them):
    # a fixed delay would miss the writes altogether on a fast, idle machine.
    first = [site / f"p{i:04d}" / "index.html" for i in range(16)]
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        if (site / "assets" / "consent").exists() and any(
                b"data-consent-csp" in p.read_bytes() for p in first):
            break
        time.sleep(0.002)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 130, (out, err)
    assert "partly applied" in err and "Run apply again to complete it" in err, err
    assert "Traceback" not in err
    assert not list(site.rglob("*.tmp"))
    written = [p for p in site.rglob("index.html") if b"data-consent-csp" in p.read_bytes()]
    assert 0 < len(written) < 1501, "the interruption came too late to test anything"
    again = subprocess.run([*cmd, str(site)], capture_output=True, text=True, timeout=600)
    assert again.returncode == 0, again.stderr
    done = subprocess.run([*cmd, str(reference)], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert _snapshot(site) == _snapshot(reference)

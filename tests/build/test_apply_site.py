"""site.apply_site on a generated static site: one policy, atomic and minimal writes,
dry runs, parallel == serial, pages submitted during a build vs read from disk."""

from __future__ import annotations

import os

import pytest

from consent_generator.model import MaskingConfig, Policy, ServiceConfig, frozen_map
from consent_generator.services import catalog
from mkdocs_clarity.engine.site import SiteRewriter, apply_site, html_files

pytestmark = pytest.mark.build

PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{n}</title>
<script>var page{n} = {n};</script></head><body>
<p>Page {n} &amp; more</p>
{extra}
</body></html>
"""


def policy() -> Policy:
    svc = ServiceConfig("clarity", catalog()["clarity"], "analytics",
                        frozen_map({"project_id": "abcde12345"}))
    return Policy(services=(svc,), masking=MaskingConfig(mode="balanced"))


def make_site(root, pages: int):
    for n in range(pages):
        d = root / f"p{n:03d}"
        d.mkdir(parents=True)
        extra = '<iframe src="https://www.youtube.com/embed/x"></iframe>' if n == 7 else ""
        (d / "index.html").write_text(PAGE.format(n=n, extra=extra))
    (root / "index.html").write_text(PAGE.format(n=999, extra=""))
    (root / "fragment.html").write_text("<div>include</div>\n")
    return root


def snapshot(root):
    return {rel: (root / rel).read_bytes() for rel in html_files(root)}


def test_apply_site_serial_and_parallel_agree_and_rerun_is_a_no_op(tmp_path):
    a = make_site(tmp_path / "a", 60)
    b = make_site(tmp_path / "b", 60)
    ra = apply_site(a, policy(), jobs=1)
    rb = apply_site(b, policy(), jobs=2)
    assert snapshot(a) == snapshot(b)
    assert ra.pages == 62 and ra.pages_changed == 61 and ra.not_pages == ["fragment.html"]
    assert ra.gated == 1 and ra.gated_elements[0][0] == "p007/index.html"
    assert ra.csp.policy == rb.csp.policy
    # every page's own inline script is in the one site policy
    assert ra.hashes >= 61
    mtimes = {rel: os.stat(a / rel).st_mtime_ns for rel in html_files(a)}
    again = apply_site(a, policy(), jobs=1)
    assert again.pages_changed == 0
    assert mtimes == {rel: os.stat(a / rel).st_mtime_ns for rel in html_files(a)}
    assert not list(a.rglob("*.tmp"))


def test_dry_run_writes_nothing(tmp_path):
    root = make_site(tmp_path / "s", 3)
    before = snapshot(root)
    report = apply_site(root, policy(), dry_run=True)
    assert report.pages_changed == 4 and report.dry_run
    assert snapshot(root) == before
    assert not (root / "assets").exists()


def test_submitted_pages_give_the_same_result_as_disk(tmp_path):
    a = make_site(tmp_path / "a", 50)
    b = make_site(tmp_path / "b", 50)
    apply_site(a, policy(), jobs=2)
    rw = SiteRewriter(b, policy(), jobs=2, expected_pages=50)
    for rel in html_files(b)[:30]:
        rw.submit(rel)
    # a page changed after it was submitted is planned again, never written stale
    (b / "p003" / "index.html").write_text(PAGE.format(n=3, extra="<p>late edit</p>"))
    report = rw.finish()
    assert report.pages_changed == 51
    assert "late edit" in (b / "p003" / "index.html").read_text()
    (a / "p003" / "index.html").write_text(PAGE.format(n=3, extra="<p>late edit</p>"))
    apply_site(a, policy(), jobs=1)
    assert snapshot(a) == snapshot(b)

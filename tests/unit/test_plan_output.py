"""Pages planned from the text MkDocs is about to write (the plugin's last on_post_page)
give exactly what planning them from disk gives, and never a stale rewrite (issue 15).

The build is simulated as MkDocs runs it: ``plan_output`` for a page, then the page is
written; nothing here times anything.
"""

from __future__ import annotations

import pytest

from consent_generator.model import MaskingConfig, Policy, ServiceConfig, frozen_map
from consent_generator.services import catalog
from mkdocs_clarity.engine import site as site_module
from mkdocs_clarity.engine.site import SiteRewriter, apply_site, html_files

PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{n}</title>
<script>var page = {m};</script></head><body>
<p>Page {n}: write to someone@example.org</p>{extra}
</body></html>
"""


def _policy() -> Policy:
    svc = ServiceConfig("clarity", catalog()["clarity"], "analytics",
                        frozen_map({"project_id": "abcde12345"}))
    return Policy(services=(svc,), masking=MaskingConfig(mode="balanced"))


def _text(n: int, extra: str = "") -> str:
    if n == 3:
        extra += '<iframe src="https://www.youtube.com/embed/x"></iframe>'
    return PAGE.format(n=n, m=n % 4, extra=extra)


def _rel(n: int) -> str:
    return f"p{n:03d}/index.html"


def _build(root, rewriter: SiteRewriter | None, pages: int, texts=None) -> None:
    """As MkDocs: on_post_page (plan_output), then the write."""
    for n in range(pages):
        text = texts.get(n, _text(n)) if texts else _text(n)
        if rewriter is not None:
            rewriter.plan_output(_rel(n), text)
        path = root / _rel(n)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8", "xmlcharrefreplace"))  # as MkDocs writes
    (root / "404.html").write_text(_text(404))  # not a page event: planned from disk


def _snapshot(root):
    return {rel: (root / rel).read_bytes() for rel in html_files(root)}


@pytest.fixture
def counted(monkeypatch):
    """Which pages pass 1 read from disk."""
    read: list[str] = []
    real = site_module._plan_file

    def plan_file(rel):
        read.append(rel)
        return real(rel)

    monkeypatch.setattr(site_module, "_plan_file", plan_file)
    return read


def test_planned_from_output_equals_planned_from_disk(tmp_path, counted):
    disk, mem = tmp_path / "disk", tmp_path / "mem"
    _build(disk, None, 12)
    apply_site(disk, _policy(), jobs=1)
    counted.clear()
    rewriter = SiteRewriter(mem, _policy(), jobs=1)
    _build(mem, rewriter, 12)
    report = rewriter.finish()
    assert _snapshot(mem) == _snapshot(disk)
    assert report.pages_changed == 13 and report.gated == 1
    # only what had no on_post_page (404.html) was planned from disk: the last page (whose
    # stamp could not be taken before other plugins' on_post_build) still holds its text
    assert sorted(counted) == ["404.html"]


def test_page_changed_after_it_was_written_is_planned_again(tmp_path, counted):
    site = tmp_path / "site"
    rewriter = SiteRewriter(site, _policy(), jobs=1)
    _build(site, rewriter, 6)
    # another plugin edits a page MkDocs wrote (its on_post_build, say)
    (site / _rel(2)).write_text(_text(2, "<p>late edit, longer than before</p>"))
    rewriter.finish()
    assert "late edit" in (site / _rel(2)).read_text()
    assert _rel(2) in counted and _rel(1) in counted  # the site was redone from disk
    fresh = tmp_path / "fresh"
    _build(fresh, None, 6)
    (fresh / _rel(2)).write_text(_text(2, "<p>late edit, longer than before</p>"))
    apply_site(fresh, _policy(), jobs=1)
    assert _snapshot(fresh) == _snapshot(site)


def test_text_mkdocs_writes_differently_is_not_spliced_by_the_plan(tmp_path, counted):
    """A lone surrogate becomes a character reference when MkDocs encodes the page: the
    file is not the planned text, so its plan must not be applied to it."""
    site = tmp_path / "site"
    rewriter = SiteRewriter(site, _policy(), jobs=1)
    odd = _text(1, "<p>odd \udc80 char</p>")
    _build(site, rewriter, 4, texts={1: odd})
    rewriter.finish()
    assert _rel(1) in counted
    fresh = tmp_path / "fresh"
    _build(fresh, None, 4, texts={1: odd})
    apply_site(fresh, _policy(), jobs=1)
    assert _snapshot(fresh) == _snapshot(site)


@pytest.mark.parametrize("edit", ["same length", "longer", "removed"])
def test_last_page_changed_by_another_post_build_is_planned_from_disk(tmp_path, counted,
                                                                      edit):
    """Another plugin's on_post_build runs before ours and may rewrite the last page MkDocs
    wrote, before any stamp of it was taken: its plan from on_post_page must not be used,
    even when the edit keeps the size (a stamp taken now would match the edited file)."""
    site, fresh = tmp_path / "site", tmp_path / "fresh"
    rewriter = SiteRewriter(site, _policy(), jobs=1)
    _build(site, rewriter, 5)
    _build(fresh, None, 5)
    for root in (site, fresh):
        last = root / _rel(4)
        text = last.read_text()
        if edit == "same length":
            last.write_text(text.replace("Page 4", "Page X"))
        elif edit == "longer":
            last.write_text(text.replace("</body>", "<p>call 0123 456 789 012</p></body>"))
        else:
            last.unlink()
    rewriter.finish()
    assert (_rel(4) in counted) == (edit != "removed")
    apply_site(fresh, _policy(), jobs=1)
    assert _snapshot(fresh) == _snapshot(site)
    if edit == "same length":
        assert "Page X" in (site / _rel(4)).read_text()


def test_last_page_reencoded_to_the_same_text_keeps_its_plan_and_its_encoding(tmp_path,
                                                                            counted):
    """A last page re-encoded (by another plugin, as windows-1252) into bytes that decode to
    the very text planned: planning it from disk would give the same plan, so it is not
    planned again; but its bytes are not the text's UTF-8, so pass 2 reads it and writes it
    back in its own encoding, exactly as from disk."""
    site, fresh = tmp_path / "site", tmp_path / "fresh"
    page = _text(2).replace('charset="utf-8"', 'charset="windows-1252"')
    page = page.replace("someone@", "s\u00e9meone@")
    rewriter = SiteRewriter(site, _policy(), jobs=1)
    _build(site, rewriter, 3, texts={2: page})
    _build(fresh, None, 3, texts={2: page})
    for root in (site, fresh):
        (root / _rel(2)).write_bytes(page.encode("cp1252"))
    rewriter.finish()
    assert _rel(2) not in counted
    apply_site(fresh, _policy(), jobs=1)
    assert _snapshot(fresh) == _snapshot(site)
    assert b"s\xe9meone" in (site / _rel(2)).read_bytes()

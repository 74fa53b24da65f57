"""Pass 2 without a second copy of the page (issue 15): the rewritten page is compared with
the file and written piece by piece, and the plugin path hands pass 2 the text it planned
instead of reading and decoding the page again. Each must give exactly the bytes the old
way gave: whole-string ``apply_plan``, ``==``, one ``encode``, one ``write``."""

from __future__ import annotations

import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from consent_generator.atomic import write_atomic
from mkdocs_clarity.engine import site as site_module
from mkdocs_clarity.engine.site import SiteRewriter, _same, _utf8_chunks, apply_site

from .test_plan_output import _build, _policy, _rel, _snapshot, _text

CHARS = st.sampled_from(["a", "<", "é", "€", "\U0001f600", "\udc80", "\udcff", "\n", "\ufeff"])
PIECES = st.lists(st.text(CHARS, max_size=6), max_size=8)


@settings(max_examples=300, deadline=None)
@given(PIECES, st.integers(1, 8))
def test_chunks_encode_as_the_whole_text_did(pieces, chunk):
    old = site_module._CHUNK_BYTES
    site_module._CHUNK_BYTES = chunk  # where chunks are cut must not change a byte
    try:
        streamed = b"".join(_utf8_chunks(iter(pieces)))
    finally:
        site_module._CHUNK_BYTES = old
    assert streamed == "".join(pieces).encode("utf-8", "surrogateescape")


@settings(max_examples=300, deadline=None)
@given(PIECES, st.text(CHARS, max_size=20))
def test_same_is_join_equals(pieces, text):
    assert _same(iter(pieces), text) == ("".join(pieces) == text)
    joined = "".join(pieces)
    assert _same(iter(pieces), joined)  # and the equal case, which random text rarely hits


def test_chunked_write_is_atomic(tmp_path):
    target = tmp_path / "page.html"
    target.write_bytes(b"old")

    def chunks():
        yield b"new "
        raise OSError("disk full")

    with pytest.raises(OSError):
        write_atomic(target, chunks())
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["page.html"]
    write_atomic(target, iter([b"a", b"", b"bc"]))
    assert target.read_bytes() == b"abc"


@pytest.fixture
def reads(monkeypatch):
    """Which pages were read (pass 1 from disk and pass 2 alike)."""
    seen: list[str] = []
    real = site_module._read

    def read(path):
        seen.append(os.path.relpath(path, os.environ["CLARITY_TEST_SITE"]).replace(os.sep, "/"))
        return real(path)

    monkeypatch.setattr(site_module, "_read", read)
    return seen


def _plugin_build(site, pages, monkeypatch, texts=None, budget=None):
    monkeypatch.setenv("CLARITY_TEST_SITE", str(site))
    rewriter = SiteRewriter(site, _policy(), jobs=1)
    if budget is not None:
        rewriter._text_budget = budget
    _build(site, rewriter, pages, texts)
    return rewriter


def test_kept_texts_are_not_read_again_and_give_the_same_site(tmp_path, reads, monkeypatch):
    mem = tmp_path / "mem"
    report = _plugin_build(mem, 10, monkeypatch).finish()
    # 404.html (no page event) is read twice, pass 1 and 2; the last page (no stamp) once,
    # to prove it still holds its planned text (site.SiteRewriter._seal_last), then kept;
    # every other page is not read at all
    assert sorted(reads) == ["404.html", "404.html", _rel(9)]
    reads.clear()
    disk = tmp_path / "disk"
    monkeypatch.setenv("CLARITY_TEST_SITE", str(disk))
    _build(disk, None, 10)
    apply_site(disk, _policy(), jobs=1)
    assert _snapshot(mem) == _snapshot(disk)
    assert report.pages_changed == 11


def test_no_budget_reads_every_page_and_gives_the_same_site(tmp_path, reads, monkeypatch):
    kept, unkept = tmp_path / "kept", tmp_path / "unkept"
    _plugin_build(kept, 6, monkeypatch).finish()
    reads.clear()
    _plugin_build(unkept, 6, monkeypatch, budget=0).finish()
    assert sorted(set(reads)) == sorted(["404.html", *(_rel(n) for n in range(6))])
    assert _snapshot(kept) == _snapshot(unkept)


def test_a_kept_page_edited_to_the_same_size_is_planned_again(tmp_path, reads, monkeypatch):
    site = tmp_path / "site"
    rewriter = _plugin_build(site, 5, monkeypatch)
    page = site / _rel(1)
    data = page.read_bytes()
    st = os.stat(page)
    page.write_bytes(data.replace(b"someone@", b"another@"))  # same size, new bytes
    os.utime(page, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000))
    rewriter.finish()
    assert "another@example.org" in page.read_text()
    fresh = tmp_path / "fresh"
    monkeypatch.setenv("CLARITY_TEST_SITE", str(fresh))
    _build(fresh, None, 5)
    (fresh / _rel(1)).write_bytes(data.replace(b"someone@", b"another@"))
    apply_site(fresh, _policy(), jobs=1)
    assert _snapshot(fresh) == _snapshot(site)


@pytest.mark.parametrize("extra", ['<meta charset="windows-1252">', "<meta charset=utf-8><p>caf\u00e9 \u20ac</p>"])
def test_only_utf8_pages_are_kept(tmp_path, reads, monkeypatch, extra):
    """A page declaring another charset is read back (pass 2 decodes it with that codec);
    a non-ASCII UTF-8 page is kept and written as before."""
    site = tmp_path / "site"
    texts = {n: _text(n).replace('<meta charset="utf-8">', extra) for n in range(4)}
    _plugin_build(site, 4, monkeypatch, texts=texts).finish()
    planned_from_output = {_rel(n) for n in range(3)}  # the last one is read anyway
    if "windows" in extra:
        assert planned_from_output <= set(reads)
    else:
        assert not planned_from_output & set(reads)
    fresh = tmp_path / "fresh"
    monkeypatch.setenv("CLARITY_TEST_SITE", str(fresh))
    _build(fresh, None, 4, texts=texts)
    apply_site(fresh, _policy(), jobs=1)
    assert _snapshot(fresh) == _snapshot(site)


def test_the_budget_bounds_what_is_kept(tmp_path, monkeypatch):
    site = tmp_path / "site"
    monkeypatch.setenv("CLARITY_TEST_SITE", str(site))
    rewriter = SiteRewriter(site, _policy(), jobs=1)
    rewriter._text_budget = 3 * len(_text(1)) + 200  # three small pages' str objects fit
    _build(site, rewriter, 8)
    rewriter._seal()
    assert len(rewriter._texts) == 3
    rewriter.close()

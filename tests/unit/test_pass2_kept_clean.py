"""Pass 2 does not strip a kept text again: a text is kept only when it held no earlier
run's blocks (``SiteRewriter._seal``), so a page whose output carries them (a theme template
that copied a rewritten page's head) is read back and stripped as before, and the site is
the one ``apply`` makes from disk (issue 15)."""

from __future__ import annotations

from consent_generator.render import BODY_END, BODY_START, HEAD_END, HEAD_START
from mkdocs_clarity.engine import rewrite
from mkdocs_clarity.engine import site as site_module
from mkdocs_clarity.engine.site import apply_site

from .test_pass2_stream import _plugin_build, reads  # noqa: F401  # the fixture
from .test_plan_output import _build, _policy, _rel, _snapshot, _text

OLD_BLOCKS = (HEAD_START + '<script src="old-runtime.js"></script>' + HEAD_END,
              BODY_START + "<div>old banner</div>" + BODY_END)


def _with_old_blocks(n: int) -> str:
    return _text(n).replace("</head>", OLD_BLOCKS[0] + "</head>").replace(
        "</body>", OLD_BLOCKS[1] + "</body>")


def test_a_text_with_old_blocks_is_not_kept_and_is_stripped_in_pass_2(
        tmp_path, reads, monkeypatch):  # noqa: F811
    texts = {2: _with_old_blocks(2), 5: _with_old_blocks(5)}
    mem = tmp_path / "mem"
    rewriter = _plugin_build(mem, 8, monkeypatch, texts)
    # The pages wait to be planned until on_post_build (SiteRewriter._plan_later): planned
    # here, so that what was kept can be looked at; page 7, the last, still waits.
    rewriter._plan_later()
    assert set(rewriter._texts) == {_rel(n) for n in (0, 1, 3, 4, 6)}
    stripped: list[int] = []
    real = site_module.strip_injected

    def counting(text: str) -> str:
        stripped.append(len(text))
        return real(text)

    monkeypatch.setattr(site_module, "strip_injected", counting)
    rewriter.finish()
    # pass 2 strips only what it read from disk: pages 2, 5 and 404.html; 404.html is also
    # planned from disk (pass 1). Page 7, the last, is sealed by a read that finds the planned
    # text (SiteRewriter._seal_last), planned from that text (one strip) and kept like the
    # others.
    assert len(stripped) == 3 + 1 + 1
    monkeypatch.setattr(site_module, "strip_injected", real)
    disk = tmp_path / "disk"
    monkeypatch.setenv("CLARITY_TEST_SITE", str(disk))
    _build(disk, None, 8, texts)
    apply_site(disk, _policy(), jobs=1)
    assert _snapshot(mem) == _snapshot(disk)
    page = (mem / _rel(2)).read_text()
    assert "old-runtime.js" not in page and "old banner" not in page
    assert page.count(HEAD_START) == 1 and rewrite.strip_injected(page) != page

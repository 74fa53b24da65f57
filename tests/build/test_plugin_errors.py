"""A page the plugin cannot gate fails `mkdocs build` with the plugin's own message, before
any page is rewritten (pages are planned in on_post_page, rewritten in on_post_build)."""

from __future__ import annotations

import pytest

from tests.build.sites import build, copy_fixture

pytestmark = pytest.mark.build

UNGATEABLE = '\n<div style="background-image:url(https://c.bing.com/c.gif)">x</div>\n'


def test_ungateable_page_fails_the_build_with_one_clear_error(tmp_path):
    root = copy_fixture("default", tmp_path)
    index = root / "docs" / "index.md"
    index.write_text(index.read_text() + UNGATEABLE)
    result = build(root)
    err = result.proc.stderr
    assert result.proc.returncode != 0, err
    assert "clarity:" in err and "index.html" in err, err
    assert "Traceback" not in err, err
    # nothing was rewritten: no page carries the policy
    assert not any(b"data-consent-csp" in p.read_bytes() for p in result.site.rglob("*.html"))

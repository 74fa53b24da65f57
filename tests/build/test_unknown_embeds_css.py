"""Through the plugin (``mkdocs build``): a ``<style>`` with an unknown font host is gated
and named as an auto-gating note, a ``style=""`` attribute with an unknown image host (no
holder can keep it inert) is a warning naming page:line, element, URL and fix, so that
``--strict`` fails on it and a plain build passes; ``unknown_embeds: error`` stops the build."""

from __future__ import annotations

import re

import pytest

from tests.build.sites import build, copy_fixture

pytestmark = pytest.mark.build

PAGE = """# Hero

<style>@font-face { font-family: H; src: url(https://fonts.unknown.test/h.woff2) }</style>

<div class="hero" style="background: url('https://img.unknown.test/hero.png')">Hero</div>
"""


@pytest.fixture
def root(tmp_path):
    root = copy_fixture("default", tmp_path)
    (root / "docs" / "hero.md").write_text(PAGE, "utf-8")
    cfg = root / "mkdocs.yml"
    cfg.write_text(cfg.read_text().replace("  - Video: guide/video.md\n",
                                           "  - Video: guide/video.md\n  - hero.md\n"))
    return root


def test_plugin_gates_the_style_and_warns_loudly_about_the_attribute(root):
    strict = build(root)
    assert not strict.ok  # the warning is a warning: --strict stops on it
    built = build(root, strict=False)
    assert built.ok, built.proc.stderr
    err = built.proc.stderr
    assert re.search(r"WARNING +-  \S*clarity: hero/index\.html:\d+: unknown third-party embed "
                     r"that cannot be gated: <div style> loads https://img\.unknown\.test/"
                     r"hero\.png, .*Fix: .*self-host the file", err), err
    assert re.search(r"INFO +-  \S*clarity: hero/index\.html:\d+: unknown third-party embed: "
                     r"<style> url\(\) loads https://fonts\.unknown\.test/h\.woff2", err), err
    page = built.page("hero/index.html")
    assert '<template data-consent-category="marketing" data-consent-service=' \
           '"fonts-unknown-test"><style>' in page
    csp = re.search(r'Content-Security-Policy" content="([^"]*)"', page).group(1)
    assert "https://fonts.unknown.test/h.woff2" in csp
    assert "img.unknown.test" not in csp


def test_unknown_embeds_error_stops_the_plugin_build_on_each(root):
    (root / "consent.yml").write_text((root / "consent.yml").read_text()
                                      + "\nunknown_embeds: error\n")
    built = build(root, strict=False)
    assert not built.ok
    assert "<div style> loads https://img.unknown.test/hero.png" in built.proc.stderr
    assert "<style> url() loads https://fonts.unknown.test/h.woff2" in built.proc.stderr

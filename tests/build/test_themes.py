"""Real themes from PyPI built with the plugin (issue 12): theme profiles, the theme-analytics
rule, the plugin's place in ``plugins:``, template fragments, the footer link — and every
clean build passes ``mkdocs-clarity audit`` with exit 0."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from mkdocs_clarity.cli import main
from tests.build.sites import build, copy_fixture

pytestmark = pytest.mark.build

STATIC = Path(__file__).parents[1] / "fixtures" / "static_sites"
CSP_META = 'http-equiv="Content-Security-Policy"'


def _audit(site: Path) -> None:
    result = CliRunner().invoke(main, ["audit", str(site)])
    assert result.exit_code == 0, result.output


def _pages(site: Path) -> list[Path]:
    return [p for p in sorted(site.rglob("*.html")) if "overrides" not in p.parts]


def _unknown_embeds(site: Path) -> list[tuple[str, str]]:
    """(page, URL) of every unknown third-party embed the recogniser finds in the site."""
    from mkdocs_clarity.engine.embeds import THIRD_PARTY
    from mkdocs_clarity.engine.scan import scan_page

    return [(p.relative_to(site).as_posix(), t.url) for p in _pages(site)
            for t in scan_page(p.read_text("utf-8"), p.relative_to(site).as_posix()).trackers
            if t.service == THIRD_PARTY]


@pytest.fixture(scope="module")
def material(tmp_path_factory) -> Path:
    root = copy_fixture("material_features", tmp_path_factory.mktemp("mf"))
    built = build(root)
    assert built.ok, built.proc.stderr
    return built.site


def test_material_features_every_page_has_the_policy_and_audit_passes(material):
    pages = _pages(material)
    assert _unknown_embeds(material) == []  # nothing the theme loads is an unknown embed
    rels = {p.relative_to(material).as_posix() for p in pages}
    assert {"old/index.html", "older/page/index.html",  # mkdocs-redirects, listed after us
            "blog/index.html", "blog/2026/01/02/hallo/index.html"} <= rels
    for page in pages:
        assert CSP_META in page.read_text("utf-8"), page
    _audit(material)


def test_material_profile_sources_with_their_reasons(material):
    index = (material / "index.html").read_text("utf-8")
    csp = re.search(r'Content-Security-Policy" content="([^"]*)"', index).group(1)
    assert "connect-src 'self'" in csp
    assert "https://api.github.com/repos/encode/httpx/releases/latest" in csp
    assert "https://unpkg.com/mermaid@11/dist/mermaid.min.js" in csp
    assert "https://unpkg.com " not in csp + " "  # never the whole CDN
    result = CliRunner().invoke(main, ["audit", str(material), "--format", "md"])
    # the Markdown report escapes site content (repo\_url renders as repo_url)
    assert "Material repository facts: repo\\_url github.com/encode/httpx" in result.output
    assert "Material Mermaid diagrams" in result.output


def test_material_analytics_same_id_loads_once(material):
    index = (material / "index.html").read_text("utf-8")
    assert "__analytics" not in index  # the theme's copy was dropped from the config
    assert index.count("googletagmanager.com/gtag/js?id=G-ABCDE12345") == 1


def test_template_fragment_is_not_a_page(material):
    fragment = material / "overrides" / "partials" / "copyright.html"
    source = Path(__file__).parents[1] / "fixtures" / "sites" / "material_features" / "docs"
    assert fragment.read_bytes() == (source / "overrides/partials/copyright.html").read_bytes()
    result = CliRunner().invoke(main, ["audit", str(material), "--format", "json"])
    assert "copyright.html" not in result.output


def test_material_analytics_different_id_names_both(tmp_path):
    root = copy_fixture("material_features", tmp_path)
    cfg = root / "mkdocs.yml"
    cfg.write_text(cfg.read_text().replace("property: G-ABCDE12345", "property: G-OTHER12345"))
    result = build(root)
    assert not result.ok
    err = result.proc.stderr
    assert "two Google Analytics properties" in err
    assert "extra.analytics.property" in err and re.search(r"consent\.yml:\d+", err)


@pytest.mark.parametrize("theme", ["mkdocs", "readthedocs"])
def test_builtin_themes_footer_link_analytics_and_audit(tmp_path, theme):
    root = copy_fixture("mkdocs_dark", tmp_path)
    cfg = root / "mkdocs.yml"
    cfg.write_text(cfg.read_text().replace("name: mkdocs", f"name: {theme}"))
    built = build(root)
    assert built.ok, built.proc.stderr
    index = built.page("index.html")
    footer = index[index.rindex("<footer"):index.index("</footer>", index.rindex("<footer"))]
    assert ">Cookie-Einstellungen</a>" in footer
    assert index.count("gtag/js?id=G-ABCDE12345") == 1  # theme.analytics.gtag dropped
    # the theme's highlight.js stays live (the profile claims it), never an unknown embed
    assert '<script src="https://cdnjs.cloudflare.com/ajax/libs/highlight.js/11.8.0/' \
        'highlight.min.js"></script>' in index
    assert _unknown_embeds(built.site) == []
    _audit(built.site)


def test_material_fonts_and_math_are_the_theme_s_a_pasted_disqus_is_an_unknown_embed(
        tmp_path):
    """Material with theme.font on and MathJax from jsdelivr: claimed by the profiles, live;
    a Disqus loader pasted into a page: named with page and line, gated into marketing,
    its exact URL in the CSP."""
    root = copy_fixture("material_features", tmp_path)
    cfg = root / "mkdocs.yml"
    cfg.write_text(cfg.read_text().replace("  font: false\n", "") + "extra_javascript:\n"
                   "  - https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-mml-chtml.js\n")
    (root / "docs" / "comments.md").write_text(
        "# Comments\n\n<div id=\"disqus_thread\"></div>\n<script>\n(function () {\n"
        "var d = document, s = d.createElement('script');\n"
        "s.src = 'https://example.disqus.com/embed.js';\n"
        "(d.head || d.body).appendChild(s);\n})();\n</script>\n")
    cfg.write_text(cfg.read_text().replace("  - Blog: blog/index.md\n",
                                           "  - Blog: blog/index.md\n  - comments.md\n"))
    built = build(root)
    assert built.ok, built.proc.stderr
    assert _unknown_embeds(built.site) == [
        ("comments/index.html", "https://example.disqus.com/embed.js")]
    assert re.search(r"comments/index\.html:\d+: unknown third-party embed: <script> loads "
                     r"https://example\.disqus\.com/embed\.js", built.proc.stderr)
    page = built.page("comments/index.html")
    assert re.search(r'<template data-consent-category="marketing" '
                     r'data-consent-service="example-disqus-com"><script>', page)
    index = built.page("index.html")
    assert '<link rel="stylesheet" href="https://fonts.googleapis.com/css?family=Roboto' in index
    assert '<script src="https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-mml-chtml.js">' in index
    csp = re.search(r'Content-Security-Policy" content="([^"]*)"', index).group(1)
    assert "https://example.disqus.com/embed.js" in csp
    assert "https://example.disqus.com " not in csp + " "
    result = CliRunner().invoke(main, ["audit", str(built.site), "--format", "md"])
    assert result.exit_code == 0, result.output
    assert "example-disqus-com:" in result.output


def test_i18n_plugin_pages_get_the_policy_and_their_language(tmp_path):
    root = copy_fixture("mkdocs_dark", tmp_path)
    (root / "docs" / "index.de.md").write_text((root / "docs" / "index.md").read_text())
    (root / "docs" / "index.en.md").write_text("# Start\n\nAn example.\n")
    (root / "docs" / "index.md").unlink()
    cfg = root / "mkdocs.yml"
    cfg.write_text(cfg.read_text().replace("  locale: de\n", "").replace(
        "  - search\n", "  - search\n  - i18n:\n      docs_structure: suffix\n      languages:\n"
        "        - {locale: en, default: true, name: English, build: true}\n"
        "        - {locale: de, name: Deutsch, build: true}\n").replace(
        "nav:\n  - Start: index.md\n", ""))
    built = build(root)
    assert built.ok, built.proc.stderr
    assert ">Cookie settings</a>" in built.page("index.html")
    assert ">Cookie-Einstellungen</a>" in built.page("de/index.html")
    for page in _pages(built.site):
        assert CSP_META in page.read_text("utf-8"), page
    _audit(built.site)


def _zensical(tmp_path: Path, policy: str) -> tuple[Path, Path]:
    site = tmp_path / "site"
    shutil.copytree(STATIC / "zensical_output", site)
    path = tmp_path / "consent.yml"
    path.write_text(policy)
    return site, path


def test_apply_zensical_theme_analytics_is_an_error_before_any_write(tmp_path):
    site, policy = _zensical(tmp_path, "version: 1\n")
    before = (site / "index.html").read_bytes()
    result = CliRunner().invoke(main, ["apply", str(site), "--policy", str(policy)])
    assert result.exit_code == 1
    assert "extra.analytics (Zensical)" in result.output
    assert 'measurement_id: "G-ZENSICAL01"' in result.output
    assert (site / "index.html").read_bytes() == before


def test_apply_zensical_profile_without_theme_analytics(tmp_path):
    site, policy = _zensical(tmp_path, "version: 1\n")
    page = site / "index.html"
    page.write_text(re.sub(r'<script id="__analytics">.*?</script>\s*<script>[^<]*</script>',
                           "", page.read_text(), flags=re.S))
    result = CliRunner().invoke(main, ["apply", str(site), "--policy", str(policy)])
    assert result.exit_code == 0, result.output
    html = page.read_text()
    assert "https://api.github.com/repos/zensical/zensical/releases/latest" in html
    assert "https://unpkg.com/mermaid@11/dist/mermaid.min.js" in html
    md = CliRunner().invoke(main, ["audit", str(site), "--format", "md"])
    assert md.exit_code == 0, md.output
    assert "Zensical repository facts: repo\\_url github.com/zensical/zensical" in md.output

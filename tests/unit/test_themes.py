"""Theme profiles and the theme-analytics rule (mkdocs_clarity/themes/)."""

from __future__ import annotations

from consent_generator.policy import parse_policy
from mkdocs_clarity.engine.csp import build_site_csp
from mkdocs_clarity.themes import analytics, decide, footer, material, page_facts

MATERIAL_HEAD = ('<html><head><meta name="generator" content="mkdocs-1.6.1, '
                 'mkdocs-material-9.8.2"></head><body>')
GA = 'services:\n  google-analytics: {category: analytics, measurement_id: "G-AAAA111111"}\n'


def test_material_repo_facts_are_the_exact_api_urls():
    facts = page_facts(MATERIAL_HEAD + '<a href="https://github.com/encode/httpx" '
                       'title="Go to repository" class="md-source" data-md-component="source">')
    assert "theme:material" in facts
    needs = decide(facts, None).needs
    assert [(n.directive, n.source) for n in needs] == [
        ("connect-src", "https://api.github.com/repos/encode/httpx"),
        ("connect-src", "https://api.github.com/repos/encode/httpx/releases/latest")]
    assert needs[0].detail == "Material repository facts: repo_url github.com/encode/httpx"


def test_github_user_and_gitlab_instance():
    assert [n.source for n in material.repo_needs("https://github.com/squidfunk", "x")] == [
        "https://api.github.com/users/squidfunk"]
    assert [n.source for n in material.repo_needs("https://gitlab.example.org/g/p", "x")] == [
        "https://gitlab.example.org/api/v4/projects/"]
    assert material.repo_needs("https://codeberg.org/a/b", "x") == []


def test_mermaid_only_with_a_fence_and_from_the_sites_bundle(tmp_path):
    plain = page_facts(MATERIAL_HEAD + "<p>no diagram</p>")
    assert decide(plain, tmp_path).needs == []
    facts = page_facts(MATERIAL_HEAD + '<pre class="mermaid"><code>graph LR</code></pre>')
    bundle = tmp_path / "assets" / "javascripts" / "bundle.abc.min.js"
    bundle.parent.mkdir(parents=True)
    bundle.write_text('x=_t("https://unpkg.com/mermaid@10.9.1/dist/mermaid.min.js")')
    sources = {(n.directive, n.source) for n in decide(facts, tmp_path).needs}
    assert ("script-src", "https://unpkg.com/mermaid@10.9.1/dist/mermaid.min.js") in sources
    assert ("style-src", "'unsafe-inline'") in sources


def test_mermaid_inline_styles_drop_style_hashes_but_never_touch_scripts(tmp_path):
    from mkdocs_clarity.engine.scan import scan_page

    html = (MATERIAL_HEAD + '<style>p{color:red}</style><script>var a=1</script>'
            '<pre class="mermaid">graph LR</pre></body></html>')
    needs = decide(page_facts(html), None).needs
    csp = build_site_csp(parse_policy("version: 1\n", "c.yml"), [scan_page(html, "index.html")],
                         theme_needs=needs).policy
    assert csp.get("style-src") == ("'self'", "'unsafe-inline'")
    assert any(s.startswith("'sha256-") for s in csp.get("script-src"))
    assert "'unsafe-inline'" not in csp.get("script-src")


def test_math_fonts_from_the_cdn_directory():
    html = ('<html><head><script src="https://unpkg.com/mathjax@3/es5/tex-mml-chtml.js">'
            '</script><link rel="stylesheet" href="https://cdn.jsdelivr.net/npm/katex@0.16.9/'
            'dist/katex.min.css"></head>')
    sources = {(n.directive, n.source) for n in decide(page_facts(html), None).needs}
    assert sources == {("font-src", "https://unpkg.com/mathjax@3/es5/output/chtml/fonts/"),
                       ("font-src", "https://cdn.jsdelivr.net/npm/katex@0.16.9/dist/fonts/")}


def test_theme_analytics_rule():
    none = parse_policy("version: 1\n", "consent.yml")
    same = parse_policy("version: 1\n" + GA, "consent.yml")
    theme = [analytics.ThemeAnalytics("extra.analytics.property in mkdocs.yml", "G-AAAA111111")]
    other = [analytics.ThemeAnalytics("theme.analytics.gtag in mkdocs.yml", "G-BBBB222222")]
    assert analytics.check(same, theme, built=False) == []  # plugin drops the theme's copy
    [twice] = analytics.check(same, theme, built=True)
    assert "Remove the theme's analytics setting" in twice
    [missing] = analytics.check(none, theme, built=False)
    assert 'measurement_id: "G-AAAA111111"' in missing and "extra.analytics" in missing
    [two] = analytics.check(same, other, built=False)
    assert "two Google Analytics properties" in two and "theme.analytics.gtag" in two
    assert "G-AAAA111111" in two and "G-BBBB222222" in two


def test_theme_analytics_in_built_html():
    material_page = (MATERIAL_HEAD.replace("<body>", "") + '<script id="__analytics">'
                     'function __md_analytics(){e("config","G-CCCC333333")}</script></head>')
    assert "ga:G-CCCC333333" in page_facts(material_page)
    pasted = ('<html><head><link href="css/base.css"><script src="js/base.js"></script></head>'
              '<body><script async src="https://www.googletagmanager.com/gtag/js?id=G-D1">'
              "</script></body></html>")
    assert not any(f.startswith("ga:") for f in page_facts(pasted))  # content: auto-gated


def test_footer_placement():
    md = '<footer class="md-footer"><div class="md-copyright">\n<div>c</div></div></footer>'
    at, kind = footer.footer_at(md)
    assert kind == "md" and md[:at].endswith('<div class="md-copyright">')
    plain = "<body><footer><p>built</p></footer></body>"
    at, kind = footer.footer_at(plain)
    assert kind == "footer" and plain[at:].startswith("</footer>")
    assert footer.footer_at("<body><p>no footer</p></body>") is None
    assert "&lt;b&gt;" in footer.footer_link("<b>", "footer")


def test_pasted_gtag_snippet_is_idempotent_under_repeated_apply(tmp_path):
    """Second run: no page changes and no empty-script hash (sha256 of "") in the CSP."""
    from mkdocs_clarity.engine.site import apply_site

    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text(
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>t</title>\n'
        '<script async src="https://www.googletagmanager.com/gtag/js?id=G-PASTED1234">'
        "</script>\n<script>window.dataLayer=window.dataLayer||[];"
        "function gtag(){dataLayer.push(arguments);}gtag('js',new Date());"
        "gtag('config','G-PASTED1234');</script>\n</head><body><p>hi</p></body></html>")
    policy = parse_policy("version: 1\n", "consent.yml")
    first = apply_site(site, policy, jobs=1)
    assert first.pages_changed == 1
    once = (site / "index.html").read_bytes()
    second = apply_site(site, policy, jobs=1)
    assert second.pages_changed == 0
    assert (site / "index.html").read_bytes() == once
    empty = "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='"
    assert empty not in second.csp.policy.get("script-src")


def test_vimeo_frames_get_dnt_when_gated():
    from mkdocs_clarity.engine.onepage import RewriteContext, rewrite_page

    policy = parse_policy("version: 1\nservices:\n  vimeo: {category: marketing}\n", "c.yml")
    page = ('<html><head></head><body><iframe src="https://player.vimeo.com/video/1?h=ab#t=3">'
            '</iframe><iframe src="https://player.vimeo.com/video/2?dnt=0"></iframe>'
            "</body></html>")
    out = rewrite_page(page, RewriteContext(policy=policy, path="index.html")).html
    assert 'data-consent-src="https://player.vimeo.com/video/1?h=ab&amp;dnt=1#t=3"' in out \
        or 'data-consent-src="https://player.vimeo.com/video/1?h=ab&dnt=1#t=3"' in out
    assert "video/2?dnt=0\"" in out  # the author's own choice is kept

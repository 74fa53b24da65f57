"""`consent-generator init` reads the site first: theme analytics, pasted loaders, embeds,
unknown third parties; proposes what it found and asks only what it could not find."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from consent_generator.cli import main
from consent_generator.discover import discover
from consent_generator.policy import load_policy
from tests.harness.init_answers import vendor_answers

CLARITY_LOADER = """<script type="text/javascript">
    (function(c,l,a,r,i,t,y){
        c[a]=c[a]||function(){(c[a].q=c[a].q||[]).push(arguments)};
        t=l.createElement(r);t.async=1;t.src="https://www.clarity.ms/tag/"+i;
        y=l.getElementsByTagName(r)[0];y.parentNode.insertBefore(t,y);
    })(window, document, "clarity", "script", "k7q2m9x4ab");
</script>
"""
GTAG_LOADER = """<script async src="https://www.googletagmanager.com/gtag/js?id=G-PASTED1234"></script>
<script>
  window.dataLayer = window.dataLayer || [];
  function gtag(){dataLayer.push(arguments);}
  gtag('js', new Date());
  gtag('config', 'G-PASTED1234');
</script>
"""
GTM_LOADER = """<script>(function(w,d,s,l,i){w[l]=w[l]||[];w[l].push({'gtm.start':
new Date().getTime(),event:'gtm.js'});var f=d.getElementsByTagName(s)[0],
j=d.createElement(s),dl=l!='dataLayer'?'&l='+l:'';j.async=true;j.src=
'https://www.googletagmanager.com/gtm.js?id='+i+dl;f.parentNode.insertBefore(j,f);
})(window,document,'script','dataLayer','GTM-AB12CD3');</script>
"""


@pytest.fixture
def run(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()

    def invoke(*args: str, input: str | None = None):
        return runner.invoke(main, list(args), input=input, catch_exceptions=False)

    return invoke


def project(root: Path, config: str, files: dict[str, str]) -> Path:
    (root / "mkdocs.yml").write_text(config, encoding="utf-8")
    for name, text in {"docs/index.md": "# Home\n", **files}.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


MATERIAL = """site_name: Blog
site_url: https://blog.example.org/
theme:
  name: material
  custom_dir: overrides
markdown_extensions:
  - pymdownx.superfences:
      custom_fences:
        - name: mermaid
          class: mermaid
          format: !!python/name:pymdownx.superfences.fence_code_format
extra:
  analytics:
    provider: google
    property: G-THEME12345
plugins:
  - search
  - blog
"""


def test_material_analytics_pasted_clarity_and_embeds_are_proposed(run, tmp_path):
    project(tmp_path, MATERIAL, {
        "docs/posts/recording.md": "# Post\n\nSome text.\n\n" + CLARITY_LOADER,
        "docs/video.md": '# V\n<iframe src="https://www.youtube.com/embed/abc"></iframe>\n'
                         '<iframe src="https://player.vimeo.com/video/123"></iframe>\n',
        "overrides/main.html": "{% extends 'base.html' %}\n" + GTM_LOADER,
    })
    result = run("init", "--non-interactive")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "mkdocs.yml:15: Google Analytics (theme setting extra.analytics)" in out
    assert "measurement_id G-THEME12345" in out
    assert "docs/posts/recording.md:5: Microsoft Clarity (pasted loader)" in out
    assert "project_id k7q2m9x4ab" in out
    assert "overrides/main.html:2: Google Tag Manager" in out
    assert "docs/video.md:2: YouTube" in out and "docs/video.md:3: Vimeo" in out
    policy = load_policy(tmp_path / "consent.yml")
    assert [s.key for s in policy.services] == [
        "clarity", "google-analytics", "google-tag-manager", "youtube", "vimeo"]
    assert policy.service("clarity").params["project_id"] == "k7q2m9x4ab"
    assert policy.service("google-analytics").params["measurement_id"] == "G-THEME12345"
    assert policy.service("google-tag-manager").params["container_id"] == "GTM-AB12CD3"
    # next steps for this site: its own plugin list with clarity added, and what to remove
    assert "Next: list the plugin in mkdocs.yml:16 (it runs last" in out
    assert "  plugins:\n    - search\n    - blog\n    - clarity\n" in out
    assert "remove extra.analytics (mkdocs.yml:15)" in out
    assert "remove the pasted Microsoft Clarity loader (docs/posts/recording.md:5)" in out
    assert "consent-generator validate" not in out


def test_mkdocs_theme_gtag_and_no_plugins_key(run, tmp_path):
    project(tmp_path, "site_name: S\ntheme:\n  name: mkdocs\n  analytics:\n"
            "    gtag: G-MKDOCS1234\n", {})
    result = run("init", "--non-interactive")
    assert result.exit_code == 0, result.output
    assert "mkdocs.yml:5: Google Analytics (theme setting theme.analytics.gtag)" in result.stdout
    policy = load_policy(tmp_path / "consent.yml")
    assert policy.service("google-analytics").params["measurement_id"] == "G-MKDOCS1234"
    # listing plugins switches search off unless it is listed too
    assert "  plugins:\n    - search\n    - clarity\n" in result.stdout
    assert "remove theme.analytics.gtag (mkdocs.yml:5)" in result.stdout


def test_two_different_ids_fail_without_prompts_naming_both_places(run, tmp_path):
    project(tmp_path, MATERIAL, {"docs/about.md": "# About\n" + GTAG_LOADER})
    result = run("init", "--non-interactive")
    assert result.exit_code == 1
    assert ("2 different Google Analytics ids found: G-THEME12345 (mkdocs.yml:15); "
            "G-PASTED1234 (docs/about.md:2)") in result.stderr
    assert "pass --google-analytics ID" in result.stderr
    assert not (tmp_path / "consent.yml").exists()


def test_two_different_ids_ask_which_one_interactively(run, tmp_path):
    project(tmp_path, MATERIAL, {"docs/about.md": "# About\n" + GTAG_LOADER})
    # GA is asked as a choice; the other vendors were not found: asked
    answers = ["G-PASTED1234", *vendor_answers(skip=("google-analytics",)), "opt-in", "auto",
               ""]
    result = run("init", input="\n".join(answers) + "\n")
    assert result.exit_code == 0, result.output
    assert "Which measurement_id should consent.yml load?" in result.output
    assert "Does the site use Google Analytics 4?" not in result.output
    assert "Does the site use Microsoft Clarity?" in result.output
    policy = load_policy(tmp_path / "consent.yml")
    assert policy.service("google-analytics").params["measurement_id"] == "G-PASTED1234"


def test_found_services_are_not_asked_again(run, tmp_path):
    project(tmp_path, "site_name: S\n", {"docs/index.md": CLARITY_LOADER})
    answers = [*vendor_answers({"youtube": ["y"]}, skip=("clarity",)),
               "opt-in", "auto", "", ""]  # the other vendors, mode, language, masking, page
    result = run("init", input="\n".join(answers) + "\n")
    assert result.exit_code == 0, result.output
    assert "Does the site use Microsoft Clarity?" not in result.output
    policy = load_policy(tmp_path / "consent.yml")
    assert [s.key for s in policy.services] == ["clarity", "youtube"]


def test_a_loader_without_a_readable_id_is_asked_or_named(run, tmp_path):
    project(tmp_path, "site_name: S\n", {
        "docs/index.md": '<script src="https://www.clarity.ms/tag/{{ config.extra.id }}">'
                         "</script>\n"})
    result = run("init", "--non-interactive")
    assert result.exit_code == 1
    assert ("Microsoft Clarity found at docs/index.md:1, but its project_id could not be "
            "read; pass --clarity abcde12345") in result.stderr
    answers = ["abcde12345", *vendor_answers(skip=("clarity",)), "opt-in", "auto", "", ""]
    result = run("init", input="\n".join(answers) + "\n")
    assert result.exit_code == 0, result.output
    assert load_policy(tmp_path / "consent.yml").service("clarity").params[
        "project_id"] == "abcde12345"


def test_a_flag_wins_over_what_was_found(run, tmp_path):
    project(tmp_path, MATERIAL, {})
    result = run("init", "--non-interactive", "--google-analytics", "G-FLAGGED123")
    assert result.exit_code == 0, result.output
    policy = load_policy(tmp_path / "consent.yml")
    assert policy.service("google-analytics").params["measurement_id"] == "G-FLAGGED123"


def test_unknown_third_party_is_named_with_a_ready_entry(run, tmp_path):
    project(tmp_path, "site_name: S\n", {
        "docs/post.md": "# Post\n\n<div id=\"disqus_thread\"></div>\n"
                        '<script src="https://myblog.disqus.com/embed.js" async></script>\n'})
    result = run("init", "--non-interactive")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert ("docs/post.md:4: third-party script https://myblog.disqus.com/embed.js: "
            "not in the catalog") in out
    assert 'myblog-disqus-com:\n        name: "myblog.disqus.com"\n' in out
    assert 'src: "https://myblog.disqus.com/embed.js"' in out
    assert 'csp: {script-src: ["https://myblog.disqus.com"]}' in out
    assert load_policy(tmp_path / "consent.yml").services == ()


def test_built_site_of_another_generator(run, tmp_path):
    site = tmp_path / "public"
    (site / "blog").mkdir(parents=True)
    (site / "index.html").write_text("<html><head>" + GTAG_LOADER + "</head></html>",
                                     encoding="utf-8")
    (site / "blog" / "index.html").write_text(
        '<html><body><iframe src="https://www.youtube-nocookie.com/embed/x"></iframe>'
        "</body></html>", encoding="utf-8")
    result = run("init", "--non-interactive", "--from", "public")
    assert result.exit_code == 0, result.output
    assert "Reading the built site in public" in result.stdout
    assert "Next: mkdocs-clarity apply public --policy consent.yml" in result.stdout
    policy = load_policy(tmp_path / "consent.yml")
    assert [s.key for s in policy.services] == ["google-analytics", "youtube"]


def test_nothing_to_read_outside_a_site_gives_generic_next_steps(run, tmp_path):
    result = run("init", "--non-interactive")
    assert result.exit_code == 0
    assert "Reading the" not in result.stdout
    assert "add '- clarity' under 'plugins:'" in result.stdout


def test_unreadable_mkdocs_yml_is_a_note_not_a_traceback(tmp_path):
    project(tmp_path, "site_name: [unclosed\n", {"docs/index.md": CLARITY_LOADER})
    found = discover(tmp_path)
    assert found.notes and "could not be read" in found.notes[0]
    assert [f.service for f in found.findings] == ["clarity"]


def test_already_listed_plugin_is_recognised(tmp_path):
    project(tmp_path, "site_name: S\nplugins:\n  - search\n  - clarity:\n"
            "      policy: consent.yml\n", {})
    found = discover(tmp_path)
    assert found.plugins == ("search", "clarity")
    assert found.plugins_line == 2

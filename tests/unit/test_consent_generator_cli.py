"""`consent-generator`: init (prompts and flags), validate, cookie-table, snippet."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from consent_generator import __version__, render
from consent_generator.cli import main
from consent_generator.errors import UserError
from consent_generator.init_vendors import init_vendors
from consent_generator.policy import load_policy
from tests.harness.init_answers import vendor_answers

COMMANDS = ["init", "validate", "cookie-table", "snippet"]


@pytest.fixture
def run(tmp_path, monkeypatch):
    """Invoke the command in an empty working directory."""
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()

    def invoke(*args: str, input: str | None = None):
        return runner.invoke(main, list(args), input=input, catch_exceptions=False)

    return invoke


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


# -- help and version ------------------------------------------------------------------------


def test_version(run):
    result = run("--version")
    assert result.exit_code == 0
    # The first line is click's usual one; catalog and runtime versions follow
    # (tests/unit/test_release.py checks those lines).
    assert result.stdout.splitlines()[0] == f"consent-generator, version {__version__}"


@pytest.mark.parametrize("command", [None, *COMMANDS])
def test_every_command_has_help_with_examples(run, command):
    result = run(*([command] if command else []), "--help")
    assert result.exit_code == 0
    assert "Examples:" in result.stdout
    assert "consent-generator " + (command or "init") in result.stdout


# -- init ------------------------------------------------------------------------------------


def test_init_non_interactive_writes_a_commented_valid_policy(run, tmp_path):
    result = run("init", "--non-interactive", "--clarity", "abcde12345",
                 "--google-analytics", "G-ABCDE12345", "--google-tag-manager", "GTM-ABC1234",
                 "--youtube", "--vimeo", "--mode", "opt-out", "--language", "de",
                 "--masking", "strict", "--privacy-url", "/privacy/")
    assert result.exit_code == 0, result.output
    text = (tmp_path / "consent.yml").read_text(encoding="utf-8")
    assert text.count("\n# ") > 20  # every key is explained
    policy = load_policy(tmp_path / "consent.yml")
    assert [s.key for s in policy.services] == [
        "clarity", "google-analytics", "google-tag-manager", "youtube", "vimeo"]
    assert policy.service("clarity").params["project_id"] == "abcde12345"
    assert (policy.mode, policy.ui.language, policy.masking.mode, policy.ui.privacy_url) == (
        "opt-out", "de", "strict", "/privacy/")
    assert "Wrote consent.yml: mode opt-out" in result.stdout
    assert run("validate").exit_code == 0


def test_init_without_services_is_still_valid(run, tmp_path):
    assert run("init", "--non-interactive", "-o", "site/policy.yml").exit_code == 0
    policy = load_policy(tmp_path / "site" / "policy.yml")
    assert policy.services == () and policy.mode == "opt-in"


def test_init_refuses_to_overwrite_without_force(run, tmp_path):
    target = write(tmp_path / "consent.yml", "mode: notice\n")
    result = run("init", "--non-interactive", "--youtube")
    assert result.exit_code == 1
    assert "consent.yml already exists; use --force to overwrite it" in result.stderr
    assert target.read_text(encoding="utf-8") == "mode: notice\n"
    assert run("init", "--non-interactive", "--youtube", "--force").exit_code == 0
    assert load_policy(target).service("youtube").category == "marketing"
    assert not list(tmp_path.glob(".consent.yml.*"))  # no temporary file left behind


@pytest.mark.parametrize(("flag", "value", "expected"), [
    ("--google-analytics", "UA-12345-1", "Universal Analytics"),
    ("--google-analytics", "G-abc", "'G-' followed by capital letters"),
    ("--google-tag-manager", "ABC123", "'GTM-'"),
    ("--clarity", "abc/def", "only letters and digits"),
])
def test_init_checks_ids_given_as_flags(run, tmp_path, flag, value, expected):
    result = run("init", "--non-interactive", flag, value)
    assert result.exit_code == 2
    assert expected in result.stderr and flag in result.stderr
    assert not (tmp_path / "consent.yml").exists()


def test_init_unusual_clarity_id_is_a_warning(run, tmp_path):
    result = run("init", "--non-interactive", "--clarity", "ABCDEFGHIJKL")
    assert result.exit_code == 0
    assert "warning: project_id 'ABCDEFGHIJKL'" in result.stderr
    assert len(load_policy(tmp_path / "consent.yml").warnings) == 1


def test_init_interactive_answers_at_the_prompts(run, tmp_path):
    answers = [*vendor_answers({
        "clarity": ["y",             # Clarity?
                    "abc/def",       #   invalid: asked again
                    "ABCDEFGHIJKL",  #   unusual: must be confirmed
                    "n",             #   not confirmed: asked again
                    "abcde12345"],
        "google-analytics": ["y",            # Google Analytics?
                             "UA-1234-1",    #   Universal Analytics: asked again
                             "G-ABCDE12345"],
        "google-tag-manager": ["n"],         # Tag Manager?
        "youtube": ["y"],                    # YouTube?
        "vimeo": [""],                       # Vimeo? (default no)
    }),                  # every other vendor: no
        "opt-in",        # mode
        "fr",            # language
        "",              # masking (default balanced)
        "http://x.org",  # privacy page: refused, asked again
        "/privacy/",
    ]
    result = run("init", input="\n".join(answers) + "\n")
    assert result.exit_code == 0, result.output
    assert "only letters and digits" in result.output
    assert "looks unusual" in result.output
    assert "Universal Analytics" in result.output
    policy = load_policy(tmp_path / "consent.yml")
    assert [s.key for s in policy.services] == ["clarity", "google-analytics", "youtube"]
    assert policy.service("clarity").params["project_id"] == "abcde12345"
    assert (policy.ui.language, policy.masking.mode, policy.ui.privacy_url) == (
        "fr", "balanced", "/privacy/")
    validated = run("validate")
    assert validated.exit_code == 0
    assert validated.stdout.startswith("consent.yml: OK: mode opt-in, revision 1, 3 services")


def test_init_flags_skip_their_questions(run, tmp_path):
    # only the unanswered questions are asked: the other vendors, language, privacy page
    answers = [*vendor_answers(skip=("clarity", "youtube")), "auto", ""]
    result = run("init", "--clarity", "abcde12345", "--youtube", "--mode", "notice",
                 "--masking", "relaxed", input="\n".join(answers) + "\n")
    assert result.exit_code == 0, result.output
    assert "Does the site use Microsoft Clarity?" not in result.output
    policy = load_policy(tmp_path / "consent.yml")
    assert [s.key for s in policy.services] == ["clarity", "youtube"]
    assert (policy.mode, policy.masking.mode) == ("notice", "relaxed")


# -- validate --------------------------------------------------------------------------------


def test_validate_ok_prints_a_one_line_summary(run, tmp_path):
    write(tmp_path / "consent.yml", "services:\n  clarity: {project_id: abcde12345}\n")
    result = run("validate")
    assert result.exit_code == 0
    assert result.stdout == ("consent.yml: OK: mode opt-in, revision 1, 1 service (clarity), "
                             "4 categories (necessary, functionality, analytics, marketing), "
                             "0 warnings\n")
    assert result.stderr == ""


def test_validate_prints_warnings_to_stderr(run, tmp_path):
    write(tmp_path / "p.yml", "services:\n  clarity: {project_id: ABCDEFGHIJKL}\n")
    result = run("validate", "p.yml")
    assert result.exit_code == 0
    assert result.stdout.endswith("1 warning\n")
    assert result.stderr.startswith("p.yml:2:25: warning: services.clarity.project_id:")


def test_validate_typo_names_the_line_and_suggests_the_key(run, tmp_path):
    write(tmp_path / "consent.yml", "version: 1\nmode: opt-in\nservices:\n  clarity:\n"
          "    category: analytics\n    projet_id: \"abcde12345\"\n")
    result = run("validate")
    assert result.exit_code == 1
    assert ("consent.yml:6:5: services.clarity.projet_id: unknown key 'projet_id'; "
            "did you mean 'project_id'?") in result.stderr.splitlines()
    assert result.stderr.rstrip().endswith("2 problems found.")
    assert result.stdout == ""


@pytest.mark.parametrize(("text", "expected"), [
    ("mode: [opt-in\n", "consent.yml:2:1: broken YAML"),
    ("mode: opt-in\nmode: notice\n", "consent.yml:2:1: mode: duplicate key 'mode'"),
    ("services:\n  youtube: {category: analytic}\n", "did you mean 'analytics'?"),
    ("services:\n  google-analytics: {measurement_id: UA-1-1}\n", "Universal Analytics"),
])
def test_validate_reports_user_mistakes_without_traceback(run, tmp_path, text, expected):
    write(tmp_path / "consent.yml", text)
    result = run("validate")
    assert result.exit_code == 1
    assert expected in result.stderr
    assert "Traceback" not in result.output


def test_validate_missing_file(run):
    result = run("validate", "nope.yml")
    assert result.exit_code == 1
    assert result.stderr == ("nope.yml: file not found; create one with 'consent-generator "
                             "init'\n1 problem found.\n")


# -- cookie-table ----------------------------------------------------------------------------


POLICY = """\
expiry_days: 90
cookie: {name: my_consent}
services:
  google-analytics: {measurement_id: G-ABCDE12345}
  widget:
    name: "Widget <b>"
    snippet: "w()"
    category: functionality
    csp: {}
    cookies: [{name: "w_id", lifetime: "1 year", purpose: "Remembers <settings> & size", party: third}]
"""


def test_cookie_table_markdown(run, tmp_path):
    write(tmp_path / "consent.yml", POLICY)
    result = run("cookie-table")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "| Cookie | Provider | Category | Purpose | Lifetime | Party |"
    assert lines[2].startswith("| `my_consent` | This site (consent banner) | necessary | ")
    assert lines[2].endswith("| 90 days | first-party |")
    assert "| `_ga` | Google Analytics (Google Ireland Limited) | analytics |" in lines[3]
    assert "| `_ga_<container-id>` |" in lines[4]
    assert lines[5] == ("| `w_id` | Widget &lt;b&gt; | functionality | Remembers &lt;settings&gt; "
                        "&amp; size | 1 year | third-party |")


def test_cookie_table_html_is_escaped_and_written_atomically(run, tmp_path):
    write(tmp_path / "site.yml", POLICY)
    result = run("cookie-table", "--policy", "site.yml", "--format", "html", "-o", "c.html")
    assert result.exit_code == 0
    html = (tmp_path / "c.html").read_text(encoding="utf-8")
    assert html.startswith('<table class="consent-cookie-table">')
    assert "<td><code>my_consent</code></td>" in html
    assert "<td>90 days</td>" in html
    assert "Widget &lt;b&gt;" in html and "Remembers &lt;settings&gt; &amp; size" in html
    assert "<b>" not in html


def test_cookie_table_with_a_bad_policy(run, tmp_path):
    write(tmp_path / "consent.yml", "mode: sometimes\n")
    result = run("cookie-table")
    assert result.exit_code == 1
    assert "consent.yml:1:7: mode: unknown value 'sometimes'" in result.stderr


# -- snippet ---------------------------------------------------------------------------------


def test_snippet_calls_write_snippet(run, tmp_path, monkeypatch):
    write(tmp_path / "consent.yml", "services: {youtube: {}}\n")
    calls = []

    def fake(policy, out_dir, *, lang="en"):
        calls.append((policy.services[0].key, out_dir, lang))
        return [out_dir / "consent-head.html", out_dir / "assets/consent/consent.js"]

    monkeypatch.setattr(render, "write_snippet", fake)
    result = run("snippet", "--policy", "consent.yml", "-o", "out", "--language", "de")
    assert result.exit_code == 0, result.output
    assert calls == [("youtube", Path("out"), "de")]
    assert result.stdout.splitlines() == [f"wrote {Path('out/consent-head.html')}",
                                          f"wrote {Path('out/assets/consent/consent.js')}"]


def test_snippet_user_error_is_exit_1(run, tmp_path, monkeypatch):
    write(tmp_path / "consent.yml", "")

    def fake(policy, out_dir, *, lang="en"):
        raise UserError(f"{out_dir} is a file")

    monkeypatch.setattr(render, "write_snippet", fake)
    result = run("snippet", "-o", "out")
    assert result.exit_code == 1
    assert result.stderr == "error: out is a file\n"


def test_snippet_needs_an_output_directory(run):
    result = run("snippet")
    assert result.exit_code == 2
    assert "Missing option '-o' / '--output'" in result.stderr


# -- the installed entry point ---------------------------------------------------------------


def test_installed_entry_point_runs(tmp_path):
    exe = Path(sys.executable).parent / "consent-generator"
    assert exe.exists(), "install the package (pip install -e .) to get the entry point"
    done = subprocess.run([str(exe), "init", "--non-interactive", "--clarity", "abcde12345"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    done = subprocess.run([str(exe), "validate"], cwd=tmp_path, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0
    assert done.stdout.startswith("consent.yml: OK: mode opt-in")
    (tmp_path / "consent.yml").write_text("servics: {}\n", encoding="utf-8")
    done = subprocess.run([str(exe), "validate"], cwd=tmp_path, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 1
    assert "consent.yml:1:1: servics: unknown key 'servics'; did you mean 'services'?" in \
        done.stderr
    assert "Traceback" not in done.stderr


# -- init questions come from the catalog entries ---------------------------------------------


def test_init_takes_a_multi_param_vendor_by_one_flag_per_param(run, tmp_path):
    result = run("init", "--non-interactive", "--matomo-url", "https://stats.example.org/",
                 "--matomo-site-id", "7")
    assert result.exit_code == 0, result.output
    params = load_policy(tmp_path / "consent.yml").service("matomo").params
    assert dict(params) == {"url": "https://stats.example.org/", "site_id": "7"}
    result = run("init", "--non-interactive", "--force", "--matomo-url",
                 "https://stats.example.org/")
    assert result.exit_code == 1
    assert "Matomo needs its site_id too: pass --matomo-site-id 1" in result.stderr
    result = run("init", "--non-interactive", "--force", "--matomo-url", "http://x.org/",
                 "--matomo-site-id", "7")
    assert result.exit_code == 2 and "--matomo-url" in result.stderr


def test_init_asks_each_catalog_vendor_its_own_question(run, tmp_path):
    answers = [*vendor_answers({"matomo": ["y", "https://stats.example.org/", "x", "7"]}),
               "opt-in", "auto", ""]
    result = run("init", input="\n".join(answers) + "\n")
    assert result.exit_code == 0, result.output
    assert "Does the site use Matomo?" in result.output
    assert "'x' is not a valid Matomo site_id" in result.output
    assert dict(load_policy(tmp_path / "consent.yml").service("matomo").params) == {
        "url": "https://stats.example.org/", "site_id": "7"}
    help_text = run("init", "--help").stdout
    for spec in init_vendors():
        assert spec.init is not None and f"--{spec.id}" in help_text

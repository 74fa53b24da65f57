"""Release metadata: one version, ``--version`` on both tools, the public API, the licence."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from dataclasses import replace
from pathlib import Path, PurePosixPath

import pytest
from click.testing import CliRunner

import consent_generator
import mkdocs_clarity
from consent_generator import render, services
from consent_generator.cli import main as generator_main
from consent_generator.versions import versions_text
from mkdocs_clarity.cli import main as clarity_main

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("consent_generator", "mkdocs_clarity")


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))


@pytest.mark.parametrize(("main", "prog"), [(generator_main, "consent-generator"),
                                             (clarity_main, "mkdocs-clarity")])
def test_version_names_package_catalog_and_runtime(main, prog):
    result = CliRunner().invoke(main, ["--version"])
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == f"{prog}, version {consent_generator.__version__}"
    assert lines[1] == (f"catalog {services.CATALOG_VERSION} ({len(services.catalog())} "
                        f"services, fingerprint {services.catalog_fingerprint()})")
    served = [PurePosixPath(a.path).name for a in render.runtime_assets()]
    assert lines[2] == f"runtime {', '.join(served)}"
    assert re.fullmatch(r"runtime consent\.[0-9a-f]{8}\.js, consent\.[0-9a-f]{8}\.css", lines[2])
    assert result.stdout.rstrip("\n") == versions_text(prog)


def test_catalog_fingerprint_changes_with_an_entry():
    """The fingerprint is over the entries' content: a changed cookie lifetime changes it."""
    entries = services.catalog()
    clarity = entries["clarity"]
    changed = replace(clarity, cookies=(replace(clarity.cookies[0], lifetime="2 years"),
                                        *clarity.cookies[1:]))
    before = services.catalog_fingerprint()
    try:
        services.catalog_fingerprint.cache_clear()
        entries["clarity"] = changed  # catalog() is cached: this mutates the cached dict
        after = services.catalog_fingerprint()
    finally:
        entries["clarity"] = clarity
        services.catalog_fingerprint.cache_clear()
    assert re.fullmatch(r"[0-9a-f]{12}", before)
    assert after != before
    assert services.catalog_fingerprint() == before


def test_one_version_number():
    """pyproject reads the version from __about__, and no module spells it out again."""
    project = _pyproject()
    assert "version" in project["project"]["dynamic"]
    assert project["tool"]["setuptools"]["dynamic"]["version"] == {
        "attr": "consent_generator.__about__.__version__"}
    assert mkdocs_clarity.__version__ == consent_generator.__version__
    literal = re.compile(r"""__version__\s*=\s*["']""")
    spelled = [str(p.relative_to(ROOT)) for package in PACKAGES
               for p in (ROOT / package).rglob("*.py") if literal.search(p.read_text("utf-8"))]
    assert spelled == ["consent_generator/__about__.py"]


def test_changelog_has_this_version_or_unreleased():
    text = (ROOT / "CHANGELOG.md").read_text("utf-8")
    assert "## [Unreleased]" in text
    assert f"## [{consent_generator.__version__}] - " in text


def test_license_is_declared_and_shipped():
    project = _pyproject()["project"]
    assert project["license"] == "MIT"
    assert project["license-files"] == ["LICENSE"]
    assert (ROOT / "LICENSE").read_text("utf-8").startswith("MIT License")


@pytest.mark.parametrize("package", [consent_generator, mkdocs_clarity])
def test_public_api_resolves(package):
    """Every name in ``__all__`` is importable (lazily) and nothing else is invented."""
    for name in package.__all__:
        assert getattr(package, name) is not None
    with pytest.raises(AttributeError, match="no_such_name"):
        package.no_such_name  # noqa: B018


def test_public_api_is_the_real_thing():
    from consent_generator.policy import load_policy
    from consent_generator.services import catalog
    from mkdocs_clarity.engine.site import apply_site

    assert mkdocs_clarity.apply_site is apply_site
    assert mkdocs_clarity.load_policy is load_policy is consent_generator.load_policy
    assert consent_generator.catalog is catalog


@pytest.mark.parametrize("package", PACKAGES)
def test_packages_are_typed(package):
    assert (ROOT / package / "py.typed").is_file()


def test_engine_does_not_import_mkdocs():
    """``apply``/``audit`` work without MkDocs (docs/dependencies.md): only plugin.py imports it,
    so mkdocs could become an extra without touching the engine."""
    code = ("import sys, mkdocs_clarity.cli, mkdocs_clarity.engine.site, mkdocs_clarity.audit, "
            "consent_generator.cli\n"
            "print(sorted(m for m in sys.modules if m == 'mkdocs' or m.startswith('mkdocs.')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, timeout=60).stdout
    assert out.strip() == "[]"


def test_every_runtime_dependency_says_why_it_is_there():
    """docs/dependencies.md has a row for each runtime dependency in pyproject.toml (the
    project promises to say why each one is there; ada-url once had none)."""
    root = Path(__file__).resolve().parents[2]
    declared = tomllib.loads((root / "pyproject.toml").read_text("utf-8"))["project"][
        "dependencies"]
    table = (root / "docs" / "dependencies.md").read_text("utf-8").split("## What you install")[1]
    rows = {m.group(1).lower() for m in re.finditer(r"^\| `([A-Za-z0-9_.-]+)`", table, re.M)}
    rows |= {m.group(1).lower() for m in re.finditer(r"^\| `[^`]+` \+ `([A-Za-z0-9_.-]+)`",
                                                        table, re.M)}
    names = {re.split(r"[<>=!~\[; ]", spec, maxsplit=1)[0].lower() for spec in declared}
    assert names - rows == set()

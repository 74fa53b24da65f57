#!/usr/bin/env bash
# The wheel is what users install, so the wheel is what this tests (issue 17).
#
# Builds the sdist and wheel with `python -m build` (any warning fails), runs `twine check
# --strict`, installs the *wheel* into a fresh virtualenv and, from a directory outside the
# checkout (so the source tree cannot be imported by accident), uses it as a user would:
#   1. `--version` of both commands;
#   2. `mkdocs build --strict` of a fixture site with `- clarity` (plugin, runtime, templates, i18n);
#   3. `mkdocs-clarity apply` on a copy of a plain HTML site, then `audit` it (md and html
#      report templates, CSS), and `consent-generator snippet` / `cookie-table`.
# A file the code needs that the wheel lacks fails here, not on a user's machine.
#
# Usage: tests/wheel_smoke.sh [PYTHON]   (default: .venv/bin/python; it needs `build` and
# `twine`, which the [test] extra installs). Set KEEP=1 to keep the work directory.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PY="${1:-$ROOT/.venv/bin/python}"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/mkc-wheel.XXXXXX")"
if [ "${KEEP:-0}" = 1 ]; then echo "work directory: $WORK"; else trap 'rm -rf "$WORK"' EXIT; fi
step() { printf 'wheel smoke: %s\n' "$*"; }
fail() { printf 'wheel smoke FAILED: %s\n' "$*" >&2; exit 1; }

# -- build: sdist, then the wheel from the sdist (as `python -m build` does) ------------------
step "python -m build"
# PYTHONDONTWRITEBYTECODE only makes setuptools say it skips byte-compiling; a user's
# environment has no such variable, and any other warning is ours to fix.
if ! (cd "$ROOT" && env -u PYTHONDONTWRITEBYTECODE "$PY" -m build --outdir "$WORK/dist" .) \
    >"$WORK/build.log" 2>&1; then
  cat "$WORK/build.log" >&2; fail "python -m build"
fi
if grep -Ein 'warning|deprecat' "$WORK/build.log" >&2; then fail "python -m build printed warnings"; fi
WHEEL="$(ls "$WORK"/dist/*.whl)"
SDIST="$(ls "$WORK"/dist/*.tar.gz)"

step "twine check --strict"
"$PY" -m twine check --strict "$WHEEL" "$SDIST"

# Every file of the two packages in the checkout is in the wheel (data files of any kind, in
# any subpackage: a new folder whose files the globs in pyproject.toml miss fails here).
step "the wheel holds every package file"
"$PY" - "$ROOT" "$WHEEL" <<'PY'
import sys
import zipfile
from pathlib import Path

root, wheel = Path(sys.argv[1]), sys.argv[2]
shipped = set(zipfile.ZipFile(wheel).namelist())
source = {p.relative_to(root).as_posix()
          for package in ("consent_generator", "mkdocs_clarity")
          for p in (root / package).rglob("*")
          if p.is_file() and "__pycache__" not in p.parts and p.suffix not in (".pyc", ".pyo")}
missing = sorted(source - shipped)
if missing:
    sys.exit("missing from the wheel:\n  " + "\n  ".join(missing))
print(f"  {len(source)} package files, all in the wheel")
PY

# The sdist must carry what a rebuild needs and what the wheel ships.
tar -tzf "$SDIST" >"$WORK/sdist.txt"
grep -q '/LICENSE$' "$WORK/sdist.txt" || fail "sdist lacks LICENSE"
grep -q '/CHANGELOG.md$' "$WORK/sdist.txt" || fail "sdist lacks CHANGELOG.md"

# -- a fresh virtualenv with the wheel and its dependencies only ------------------------------
step "install the wheel into a fresh virtualenv"
"$PY" -m venv "$WORK/venv"
VPY="$WORK/venv/bin/python"
"$VPY" -m pip install -q --disable-pip-version-check "$WHEEL" >"$WORK/pip.log" 2>&1 \
  || { cat "$WORK/pip.log" >&2; fail "pip install of the wheel"; }
BIN="$WORK/venv/bin"

cd "$WORK"   # outside the checkout: only the installed wheel can be imported
"$VPY" - "$WORK/venv" <<'PY'
import sys
from pathlib import Path

import consent_generator
import mkdocs_clarity

venv = Path(sys.argv[1]).resolve()
for package in (consent_generator, mkdocs_clarity):
    where = Path(package.__file__).resolve()
    if venv not in where.parents:
        sys.exit(f"{package.__name__} imported from {where}, not from the wheel")
    if not (where.parent / "py.typed").is_file():
        sys.exit(f"{package.__name__}: py.typed missing from the wheel")
for name in mkdocs_clarity.__all__ + consent_generator.__all__:
    getattr(mkdocs_clarity if name in mkdocs_clarity.__all__ else consent_generator, name)
PY

step "--version"
for tool in consent-generator mkdocs-clarity; do
  out="$("$BIN/$tool" --version)"
  printf '%s\n' "$out" | sed 's/^/  /'
  printf '%s\n' "$out" | grep -Eq "^runtime consent\.[0-9a-f]{8}\.js, consent\.[0-9a-f]{8}\.css$" \
    || fail "$tool --version has no runtime line"
done

# -- 1. the MkDocs plugin: a fixture site with `- clarity` ------------------------------------
step "mkdocs build --strict (tests/fixtures/sites/default, plugin: clarity)"
cp -r "$ROOT/tests/fixtures/sites/default" "$WORK/mkdocs-site"
(cd "$WORK/mkdocs-site" && "$BIN/mkdocs" build --strict -q) || fail "mkdocs build with the plugin"
page="$WORK/mkdocs-site/site/index.html"
grep -q 'http-equiv="Content-Security-Policy"' "$page" || fail "built page has no CSP meta"
grep -q 'consent-generator:body' "$page" || fail "built page has no consent banner"
ls "$WORK"/mkdocs-site/site/assets/consent/consent.*.js >/dev/null || fail "no runtime JS in site"
ls "$WORK"/mkdocs-site/site/assets/consent/consent.*.css >/dev/null || fail "no runtime CSS in site"

# -- 2. apply + audit on a plain HTML site ----------------------------------------------------
step "mkdocs-clarity apply (tests/fixtures/static_sites/plain)"
cp -r "$ROOT/tests/fixtures/static_sites/plain" "$WORK/plain"
cp "$ROOT/tests/fixtures/static_sites/consent.yml" "$WORK/consent.yml"
"$BIN/mkdocs-clarity" apply "$WORK/plain" --policy "$WORK/consent.yml" | sed 's/^/  /'
grep -q 'http-equiv="Content-Security-Policy"' "$WORK/plain/index.html" || fail "apply wrote no CSP"
ls "$WORK"/plain/assets/consent/consent.*.js >/dev/null || fail "apply wrote no runtime"

step "mkdocs-clarity audit (md, html and json reports, --baseline)"
"$BIN/mkdocs-clarity" audit "$WORK/plain" --policy "$WORK/consent.yml" -o "$WORK/audit.md" \
  || fail "audit of the applied site failed"
"$BIN/mkdocs-clarity" audit "$WORK/plain" --policy "$WORK/consent.yml" --format html \
  -o "$WORK/audit.html" 2>/dev/null || fail "html audit failed"
grep -q '<html' "$WORK/audit.html" || fail "html audit report is empty"
"$BIN/mkdocs-clarity" audit "$WORK/plain" --format json -o "$WORK/audit.json" --fail-on never \
  2>/dev/null
"$BIN/mkdocs-clarity" audit "$WORK/plain" --policy "$WORK/consent.yml" \
  --baseline "$WORK/audit.json" -o "$WORK/audit-diff.md" 2>/dev/null || fail "baseline audit failed"

step "consent-generator validate, cookie-table and snippet (templates, i18n)"
"$BIN/consent-generator" validate "$WORK/consent.yml" >/dev/null
"$BIN/consent-generator" cookie-table --policy "$WORK/consent.yml" -o "$WORK/cookies.md" 2>/dev/null
grep -q '_clck' "$WORK/cookies.md" || fail "cookie table lacks Clarity's cookies"
"$BIN/consent-generator" snippet --policy "$WORK/consent.yml" -o "$WORK/snippet" --language de \
  >/dev/null
grep -rqi 'ablehnen' "$WORK/snippet" || fail "German banner texts missing from the snippet"

step "ok ($(basename "$WHEEL"))"

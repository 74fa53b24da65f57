"""docs/architecture.md has one sentence for every module of both packages, and names no
module that is gone, so the page cannot drift from the code."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "architecture.md"
ENTRY = re.compile(r"^- `((?:consent_generator|mkdocs_clarity)/[\w/]+\.py)`: (.+)$", re.M)


def modules() -> set[str]:
    return {p.relative_to(ROOT).as_posix() for package in ("consent_generator", "mkdocs_clarity")
            for p in (ROOT / package).rglob("*.py")}


def entries() -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for path, sentence in ENTRY.findall(PAGE.read_text("utf-8")):
        out.setdefault(path, []).append(sentence)
    return out


def test_every_module_has_a_sentence():
    missing = sorted(modules() - set(entries()))
    assert not missing, ("modules without a line under 'Modules' in docs/architecture.md "
                         "(add `- `path`: One sentence.`):\n" + "\n".join(missing))


def test_the_page_names_only_modules_that_exist_once_each():
    got = entries()
    assert not sorted(set(got) - modules()), "docs/architecture.md names modules that are gone"
    assert not [p for p, s in got.items() if len(s) > 1], "a module is described twice"


def test_each_line_is_one_sentence():
    for path, (sentence,) in entries().items():
        body = re.sub(r"`[^`]*`|\(.*?\)|e\.g\.|\.\.\.", "", sentence)
        assert sentence.endswith(".") and body.rstrip(".").count(". ") == 0, (path, sentence)

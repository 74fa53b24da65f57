"""The adversarial corpus (tests/fixtures/adversarial/): one pasted fragment per file, made into
a page the same way for the unit tests (recogniser, rewrite) and the browser tests.

Groups: ``gated`` (loads a vendor when pasted raw; after ``apply`` it is held and loads once
its category is granted), ``dropped`` (resource hints and ``<noscript>`` content: removed with
a warning, nothing to load later), ``refused`` (no holder can keep it inert or it cannot be
honoured safely: ``apply`` fails naming page and line), ``inert`` (never loads anything).

A fragment may start with one options line, ``<!-- corpus: head dpr=2 -->``: ``head`` puts it
in ``<head>`` (Chromium fetches ``<link rel=icon>`` only there), ``dpr=N`` is the device pixel
ratio it is opened at (a ``srcset``'s ``2x`` candidate is only fetched at 2).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

CORPUS = Path(__file__).parents[1] / "fixtures" / "adversarial"
GROUPS = ("gated", "dropped", "refused", "inert")
_OPTIONS = re.compile(r"\A<!-- corpus: ([^>]*?) -->\n")
_PAGE = ('<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{name}</title>'
         "{head}</head><body><p>variant {name}</p>\n{body}</body></html>\n")


@dataclass(frozen=True)
class Variant:
    group: str
    name: str
    fragment: str
    in_head: bool = False
    dpr: int = 1

    @property
    def page(self) -> str:
        """The whole page; the fragment starts on line 2 wherever it goes."""
        head, body = ("\n" + self.fragment, "") if self.in_head else ("", self.fragment)
        return _PAGE.format(name=self.name, head=head, body=body)

    @property
    def file_name(self) -> str:
        return f"{self.group}-{self.name}.html"


def load(path: Path) -> Variant:
    text = path.read_text()
    options: list[str] = []
    m = _OPTIONS.match(text)
    if m:
        options, text = m.group(1).split(), text[m.end():]
    dpr = next((int(o[4:]) for o in options if o.startswith("dpr=")), 1)
    return Variant(path.parent.name, path.stem, text, "head" in options, dpr)


def variants(group: str) -> list[Variant]:
    return [load(p) for p in sorted((CORPUS / group).glob("*.html"))]


def names(group: str) -> list[str]:
    return [v.name for v in variants(group)]


def variant(group: str, name: str) -> Variant:
    return load(CORPUS / group / f"{name}.html")

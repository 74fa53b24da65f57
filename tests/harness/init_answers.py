"""Answers for ``consent-generator init``'s vendor questions, in the catalog's question order.

Each catalog entry brings its own question (``InitQuestion``), so a test that drives the
prompts must not hard-code how many vendors there are: it names the answers for the vendors
it cares about and every other vendor gets "n". Adding a vendor then needs no change here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from consent_generator.init_vendors import init_vendors


def vendor_answers(given: Mapping[str, Sequence[str]] | None = None, *,
                   skip: Iterable[str] = ()) -> list[str]:
    """The input lines for the vendor questions: ``given[id]`` (the answer to the question and
    to its follow-up prompts) for those named, nothing for ``skip`` (answered by a flag or
    found in the site: not asked), "n" for the rest."""
    given = given or {}
    skipped = set(skip)
    unknown = (set(given) | skipped) - {s.id for s in init_vendors()}
    assert not unknown, f"not asked by init: {sorted(unknown)}"
    lines: list[str] = []
    for spec in init_vendors():
        if spec.id in skipped:
            continue
        lines += given.get(spec.id, ["n"])
    return lines

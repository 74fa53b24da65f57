"""The one rule set for what Clarity must not record: used by the rewrite (``masking.py``,
which inserts the attributes) and by the audit (``maskcheck.py``, which checks the built
pages), so the two can never disagree about what "masked" means.

Clarity's rules (learn.microsoft.com/clarity/setup-and-installation/clarity-masking):
``data-clarity-mask`` with any value masks an element and its subtree; ``data-clarity-unmask``
shows a subtree again unless the element itself is masked.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

MASK_ATTR = "data-clarity-mask"
UNMASK_ATTR = "data-clarity-unmask"
MASK_TEXT = f' {MASK_ATTR}="true"'
UNMASK_TEXT = f' {UNMASK_ATTR}="true"'

BALANCED_SELECTORS = ("form", "input", "textarea", "select")
"""Form controls hold what visitors type: masked in balanced mode."""
FIELD_TAGS = frozenset({"input", "textarea", "select"})
UNTYPED_INPUTS = frozenset({"hidden", "submit", "button", "reset", "image", "checkbox",
                            "radio", "range", "color"})
"""Inputs a visitor does not type into (their state is no personal text, e.g. the consent
switches themselves): the audit does not count them as fields that need masking."""

VOID_ELEMENTS = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link",
                           "meta", "source", "track", "wbr", "param", "keygen"})
"""Elements without content or end tag: they never enclose text."""

EMAIL_LOCAL = re.compile(r"[A-Za-z0-9._%+-]+\Z")
"""The part of an e-mail address before '@' (searched backwards from the '@')."""
EMAIL_DOMAIN = re.compile(r"[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
"""The part after '@': a dotted host name with a top-level domain of two letters or more."""
DIGIT_RUN = re.compile(r"\d(?:[ \-]?\d)*")
MIN_DIGITS = 8
"""A run of at least eight digits, optionally grouped by single spaces or dashes, with four
in a row somewhere: phone, card, account and customer numbers (years and versions are
shorter; SVG path data has no four-digit groups)."""
_FOUR_DIGITS = re.compile(r"\d{4}")


def is_long_number(run: str) -> bool:
    """Whether a digit run (as ``DIGIT_RUN`` matches it) is long enough to mask."""
    return sum(c.isdigit() for c in run) >= MIN_DIGITS and _FOUR_DIGITS.search(run) is not None


def emails_in(text: str) -> Iterator[str]:
    """E-mail addresses in a text, found the way the rewrite finds them."""
    i = text.find("@")
    while i >= 0:
        local = EMAIL_LOCAL.search(text, max(0, i - 64), i)
        domain = EMAIL_DOMAIN.match(text, i + 1)
        if local and domain:
            yield text[local.start():domain.end()]
        i = text.find("@", i + 1)


def long_numbers_in(text: str) -> Iterator[str]:
    """Long digit runs in a text (phones, cards, customer numbers)."""
    for match in DIGIT_RUN.finditer(text):
        if is_long_number(match.group()):
            yield match.group()

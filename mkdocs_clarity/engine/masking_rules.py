"""The one rule set for what session recorders must not record: used by the rewrite
(``masking.py``, which inserts the attributes) and by the audit (``maskcheck.py``, which checks
the built pages), so the two can never disagree about what "masked" means.

Clarity's rules (learn.microsoft.com/clarity/setup-and-installation/clarity-masking):
``data-clarity-mask`` with any value masks an element and its subtree; ``data-clarity-unmask``
shows a subtree again unless the element itself is masked.

Other recorders (Hotjar, PostHog) get their own mark on exactly the same elements while they
are enabled: each vendor's mark (an attribute or a class) is a fact of its catalog entry
(``ServiceSpec.mask``), read here by :func:`vendor_marks`; the rules stay one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from consent_generator.services.model import ServiceSpec

MASK_ATTR = "data-clarity-mask"
UNMASK_ATTR = "data-clarity-unmask"
MASK_TEXT = f' {MASK_ATTR}="true"'
UNMASK_TEXT = f' {UNMASK_ATTR}="true"'
"""Clarity's mark, written wherever the rules mask (the catalog's Clarity entry names the same
attribute; a test keeps the two equal)."""


@dataclass(frozen=True)
class VendorMarks:
    """The marks of the enabled session recorders other than Clarity, written beside
    ``data-clarity-mask`` (an element counts as masked only when it carries all of them)."""

    attributes: tuple[str, ...] = ()
    """Bare attributes: ``data-hj-suppress``."""
    classes: tuple[str, ...] = ()
    """Class names: ``ph-no-capture``."""

    def __bool__(self) -> bool:
        return bool(self.attributes or self.classes)

    def carried_by(self, attrs: Mapping[str, str | None]) -> bool:
        """Whether a start tag with these attributes carries every mark."""
        have = set((attrs.get("class") or "").split())
        return all(a in attrs for a in self.attributes) and all(c in have for c in self.classes)


CLARITY_ONLY = VendorMarks()
"""No other recorder enabled: Clarity's mark alone."""


def vendor_marks(specs: Iterable[ServiceSpec]) -> VendorMarks:
    """The marks of the enabled vendors that declare one (their catalog entries' ``mask``)."""
    marks = [s.mask for s in specs if s.mask is not None]
    return VendorMarks(
        tuple(dict.fromkeys(m.attribute for m in marks if m.attribute and m.attribute != MASK_ATTR)),
        tuple(dict.fromkeys(m.css_class for m in marks if m.css_class)))


def session_recorders() -> frozenset[str]:
    """Catalog ids of the vendors that record what visitors see (they declare a mask mark):
    masking coverage matters when one of them is in use."""
    from consent_generator.services import catalog

    return frozenset(k for k, s in catalog().items() if s.mask is not None)

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

EMAIL_LOCAL = re.compile(r"[A-Za-z0-9._%+-]++\Z")
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
    if len(run) < MIN_DIGITS:  # most runs (years, "1234"): no digit to count
        return False
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

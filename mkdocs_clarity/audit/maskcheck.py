"""Masking coverage for the audit: which form fields and e-mail addresses Clarity would record.

Why a separate pass: ``scan.scan_page`` is the rewrite's fast fact-finder and does not track
ancestry, but masking is inherited (Clarity masks an element's whole subtree). This streams
the page once with the standard library's tokenizer, keeping a stack of "is this subtree
masked" flags — no DOM, memory bounded by nesting depth — and only runs when a session
recorder (Clarity) is in use.

What counts as a field, an e-mail address or a long number, and what masks it, comes from
``masking_rules`` — the same rules the rewrite applies, so the audit checks exactly what the
build promises.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

from mkdocs_clarity.engine.masking_rules import (
    CLARITY_ONLY,
    FIELD_TAGS,
    MASK_ATTR,
    UNMASK_ATTR,
    UNTYPED_INPUTS,
    VOID_ELEMENTS,
    VendorMarks,
    emails_in,
    long_numbers_in,
)

SKIP_TEXT = frozenset({"script", "style", "template"})


@dataclass
class MaskGaps:
    """What one page would show a session recorder unmasked."""

    fields: list[str] = field(default_factory=list)
    """``<input type=...>`` / ``<textarea>`` / ``<select>`` descriptions, unmasked."""
    emails: list[str] = field(default_factory=list)
    """E-mail addresses in visible text, unmasked."""
    numbers: list[str] = field(default_factory=list)
    """Long digit runs (phones, cards, customer numbers) in visible text, unmasked."""
    masked_fields: int = 0
    masked_emails: int = 0
    masked_numbers: int = 0


class _Walker(HTMLParser):
    def __init__(self, marks: VendorMarks) -> None:
        super().__init__(convert_charrefs=True)
        self.marks = marks
        self.stack: list[tuple[str, bool]] = [("#root", False)]
        self.skip = 0
        self.gaps = MaskGaps()

    @property
    def masked(self) -> bool:
        return self.stack[-1][1]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        masked = self.masked
        if MASK_ATTR in a and self.marks.carried_by(a):
            masked = True  # for every recorder in use: Clarity's mark and each other's
        elif UNMASK_ATTR in a:
            masked = False
        if tag in FIELD_TAGS and (a.get("type") or "").lower() not in UNTYPED_INPUTS:
            if masked:
                self.gaps.masked_fields += 1
            else:
                desc = tag + (f"[type={a.get('type')}]" if a.get("type") else "")
                name = a.get("name") or a.get("id")
                self.gaps.fields.append(desc + (f" name={name}" if name else ""))
        if tag in VOID_ELEMENTS:
            return
        # Unclosed <p>/<li> are common: close back to a matching open element on end tags.
        self.stack.append((tag, masked))
        if tag in SKIP_TEXT:
            self.skip += 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID_ELEMENTS and self.stack[-1][0] == tag:
            self.stack.pop()
            if tag in SKIP_TEXT:
                self.skip -= 1

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i][0] == tag:
                for name, _ in self.stack[i:]:
                    if name in SKIP_TEXT:
                        self.skip -= 1
                del self.stack[i:]
                return

    def handle_data(self, data: str) -> None:
        if self.skip:
            return
        for email in emails_in(data):
            if self.masked:
                self.gaps.masked_emails += 1
            else:
                self.gaps.emails.append(email)
        for number in long_numbers_in(data):
            if self.masked:
                self.gaps.masked_numbers += 1
            else:
                self.gaps.numbers.append(number)


def mask_gaps(html: str, marks: VendorMarks = CLARITY_ONLY) -> MaskGaps:
    """Unmasked fields and e-mail addresses of one page; ``marks``: the other recorders'
    marks an element must carry too (Hotjar's ``data-hj-suppress`` when Hotjar is in use)."""
    walker = _Walker(marks)
    walker.feed(html)
    walker.close()
    return walker.gaps

"""Masking coverage for the audit: which form fields and e-mail addresses Clarity would record.

Why a separate pass: ``scan.scan_page`` is the rewrite's fast fact-finder and does not track
ancestry, but masking is inherited (Clarity masks an element's whole subtree). This streams
the page once with the standard library's tokenizer, keeping a stack of "is this subtree
masked" flags — no DOM, memory bounded by nesting depth — and only runs when a session
recorder (Clarity) is in use.

Clarity's rules as applied (learn.microsoft.com/clarity/setup-and-installation/clarity-masking):
``data-clarity-mask`` (any value) masks the element and its descendants;
``data-clarity-unmask`` shows a subtree again unless the element itself is also masked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

EMAIL_RE = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
FIELD_TAGS = frozenset({"input", "textarea", "select"})
VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
                  "source", "track", "wbr"})
SKIP_TEXT = frozenset({"script", "style", "template"})
HIDDEN_INPUTS = frozenset({"hidden", "submit", "button", "reset", "image", "checkbox", "radio",
                           "range", "color"})
"""Inputs a visitor does not type into (their state is no personal text, e.g. the consent
switches themselves): not counted as fields that need masking."""


@dataclass
class MaskGaps:
    """What one page would show a session recorder unmasked."""

    fields: list[str] = field(default_factory=list)
    """``<input type=...>`` / ``<textarea>`` / ``<select>`` descriptions, unmasked."""
    emails: list[str] = field(default_factory=list)
    """E-mail addresses in visible text, unmasked."""
    masked_fields: int = 0
    masked_emails: int = 0


class _Walker(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool]] = [("#root", False)]
        self.skip = 0
        self.gaps = MaskGaps()

    @property
    def masked(self) -> bool:
        return self.stack[-1][1]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        masked = self.masked
        if "data-clarity-mask" in a:
            masked = True
        elif "data-clarity-unmask" in a:
            masked = False
        if tag in FIELD_TAGS and (a.get("type") or "").lower() not in HIDDEN_INPUTS:
            if masked:
                self.gaps.masked_fields += 1
            else:
                desc = tag + (f"[type={a.get('type')}]" if a.get("type") else "")
                name = a.get("name") or a.get("id")
                self.gaps.fields.append(desc + (f" name={name}" if name else ""))
        if tag in VOID:
            return
        # Unclosed <p>/<li> are common: close back to a matching open element on end tags.
        self.stack.append((tag, masked))
        if tag in SKIP_TEXT:
            self.skip += 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID and self.stack[-1][0] == tag:
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
        if self.skip or "@" not in data:
            return
        for m in EMAIL_RE.finditer(data):
            if self.masked:
                self.gaps.masked_emails += 1
            else:
                self.gaps.emails.append(m.group(0))


def mask_gaps(html: str) -> MaskGaps:
    """Unmasked fields and e-mail addresses of one page."""
    walker = _Walker()
    walker.feed(html)
    walker.close()
    return walker.gaps

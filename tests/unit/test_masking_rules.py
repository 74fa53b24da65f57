"""One masking rule set: what the rewrite masks is exactly what the audit checks."""

from __future__ import annotations

import pytest

from consent_generator.model import MaskingConfig
from mkdocs_clarity.audit.maskcheck import mask_gaps
from mkdocs_clarity.engine.masking import compile_masking, find_masks
from mkdocs_clarity.engine.masking_rules import emails_in, is_long_number, long_numbers_in
from mkdocs_clarity.engine.scan import scan_page, tag_at


@pytest.mark.parametrize(("text", "emails", "numbers"), [
    ("write to me@example.org today", ["me@example.org"], []),
    ("call +49 170 1234567 now", [], ["49 170 1234567"]),
    ("card 4111-1111-1111-1111.", [], ["4111-1111-1111-1111"]),
    ("customer 12345678", [], ["12345678"]),
    ("in 2024, version 1.2.3, 10 10 10 10", [], []),
    ("a@b is no address; x@y.c neither", [], []),
])
def test_text_rules(text, emails, numbers):
    assert list(emails_in(text)) == emails
    assert list(long_numbers_in(text)) == numbers


def test_a_long_number_needs_four_digits_in_a_row():
    assert is_long_number("1234 5678")
    assert not is_long_number("12 34 56 78 90")


def _rewrite(html: str, mode: str) -> str:
    compiled = compile_masking(MaskingConfig(mode=mode))
    scan = scan_page(html, "p.html")
    res = find_masks(html, compiled, opaque=scan.opaque, body_tag=tag_at(html, scan.body_tag[0]),
                     body_end=scan.body_close, path="p.html")
    out, pos = [], 0
    for offset, text in res.insertions:
        out += [html[pos:offset], text]
        pos = offset
    return "".join(out) + html[pos:]


BODIES = [
    "<p>Write to <a href='mailto:me@example.org'>me@example.org</a>.</p>",
    "<ul><li>Call +49 170 1234567</li><li>or 0800-123-4567-89</li></ul>",
    "<table><tr><td>IBAN DE89 3704 0044 0532 0130 00</td></tr></table>",
    "<div><span>ops@example.com</span> and <b>4111 1111 1111 1111</b></div>",
    "<form><label>Name <input name=n></label><textarea></textarea></form>",
    "<p>No numbers: 2024, 1.2.3, <svg><path d='M0 0 1000 2000'/></svg></p>",
]


@pytest.mark.parametrize("body", BODIES)
def test_balanced_rewrite_leaves_nothing_the_audit_calls_unmasked(body):
    html = f"<!doctype html><html><head><title>t</title></head><body>{body}</body></html>"
    before = mask_gaps(html)
    after = mask_gaps(_rewrite(html, "balanced"))
    assert (after.fields, after.emails, after.numbers) == ([], [], [])
    assert after.masked_fields == len(before.fields)
    assert after.masked_emails == len(before.emails)
    assert after.masked_numbers == len(before.numbers)


def test_relaxed_rewrite_leaves_them_and_the_audit_says_so():
    html = ("<!doctype html><html><head></head><body><p>me@example.org, "
            "+49 170 1234567</p><input name=q></body></html>")
    gaps = mask_gaps(_rewrite(html, "relaxed"))
    assert gaps.emails == ["me@example.org"]
    assert gaps.numbers == ["49 170 1234567"]
    assert gaps.fields == ["input name=q"]

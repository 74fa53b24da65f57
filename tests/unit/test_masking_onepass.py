"""Balanced masking's one-pass search for the element around each e-mail address or number.

The element is found by one forward walk over the body (issue 15: looking back from every
hit was the superlinear step of huge pages). These tests pin down what the walk must get
right, whatever the page's size: no window to fall out of, comments are not markup, an end
tag closes implicitly closed elements, a whole leaf element is still an element.
"""

from __future__ import annotations

from consent_generator.model import MaskingConfig
from mkdocs_clarity.engine.masking import compile_masking, compile_selector, find_masks
from mkdocs_clarity.engine.scan import scan_page, tag_at

MASK = ' data-clarity-mask="true"'


def masked(body: str, **cfg: object) -> str:
    html = f"<!doctype html><html><head><title>t</title></head><body>{body}</body></html>"
    compiled = compile_masking(MaskingConfig(**{"mode": "balanced", **cfg}))  # type: ignore[arg-type]
    scan = scan_page(html, "p.html", index=compiled.type_names)
    res = find_masks(html, compiled, opaque=scan.opaque, body_tag=tag_at(html, scan.body_tag[0]),
                     body_end=scan.body_close, path="p.html", tag_index=scan.tag_index)
    out, pos = [], 0
    for off, text in res.insertions:
        out += [html[pos:off], text]
        pos = off
    return "".join(out) + html[pos:]


def test_enclosing_element_far_before_the_number_is_masked():
    # 30,000 characters of closed children before the number: beyond any look-back window.
    lines = "<span>log line</span>\n" * 1400
    out = masked(f'<div class="log">{lines}customer 12345678</div>')
    assert f'<div class="log"{MASK}>' in out
    assert "<span" + MASK not in out


def test_a_tag_inside_a_comment_is_not_the_enclosing_element():
    out = masked('<div class="c"><!-- <p class="old"> --> call 0123 4567 8901</div>')
    assert f'<div class="c"{MASK}>' in out
    assert "<!-- <p class=\"old\"> -->" in out  # nothing written inside the comment


def test_an_end_tag_closes_implicitly_closed_elements():
    out = masked("<div><ul><li>one<li>two</ul> mail a.b@example.org</div>")
    assert f"<div{MASK}>" in out
    assert "<li" + MASK not in out


def test_leaf_element_digits_before_an_address_and_address_in_an_attribute():
    # The number comes before the e-mail address on the page: both are masked.
    out = masked('<table><tr><td>1</td><td>12345678</td></tr></table>'
                 '<p>x <a href="mailto:me@example.org">write</a></p>')
    assert f"<td{MASK}>12345678</td>" in out
    assert "<td>1</td>" in out
    assert f'<a href="mailto:me@example.org"{MASK}>' in out


def test_one_long_run_of_numbers_is_one_hit():
    numbers = " ".join(f"{i:04d}" for i in range(20000))  # one run: single spaces between
    out = masked(f"<pre>{numbers}</pre><p>1234</p>")
    assert out.count(MASK) == 1
    assert f"<pre{MASK}>" in out


def test_descendant_selector_over_many_ancestors():
    body = "<div><p>in</p><section><p>deep</p></section></div>" * 300 + "<p>out</p>"
    out = masked(body, mode="relaxed", mask=("div p",))
    assert out.count(f"<p{MASK}>") == 600
    assert "<p>out</p>" in out
    assert len(compile_selector("div p")) == 1

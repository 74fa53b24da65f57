"""Masking: selectors to attributes, by offset, in each mode."""

from __future__ import annotations

import pytest

from consent_generator.model import MaskingConfig
from mkdocs_clarity.engine.masking import (
    Complex,
    Descendant,
    MaskingError,
    Simple,
    compile_masking,
    compile_selector,
    find_masks,
)
from mkdocs_clarity.engine.scan import scan_page, tag_at

PAGE = """<!doctype html><html><head><title>t</title></head>
<body class="page">
<h1 class="post-title">Title</h1>
<div class="account card" id="acct">Balance</div>
<div class="md-content"><h1>Inner</h1><p data-secret>s</p><p data-kind="x">k</p></div>
<form action="/s"><input name="q"><textarea></textarea><select><option>1</select></form>
<p>Write to <a href="mailto:me@example.org">me@example.org</a> or call +49 170 1234567.</p>
<p>Released in 2024, version 1.2.3.</p>
<svg><path d="M0 0 1000 2000 3000 4000 5000"/></svg>
<script>var html = '<div class="account">'; var n = "12345678";</script>
<!-- <div class="account">commented</div> -->
<p class="both">both</p>
</body></html>"""


def masks(html: str, **cfg) -> tuple[str, list[str]]:
    compiled = compile_masking(MaskingConfig(**cfg))
    scan = scan_page(html, "p.html")
    body = tag_at(html, scan.body_tag[0])
    res = find_masks(html, compiled, opaque=scan.opaque, body_tag=body,
                     body_end=scan.body_close, path="p.html")
    out, pos = [], 0
    for off, text in res.insertions:
        out.append(html[pos:off])
        out.append(text)
        pos = off
    out.append(html[pos:])
    return "".join(out), res.warnings


def test_selector_kinds_compile():
    assert isinstance(compile_selector(".account")[0], Simple)
    assert isinstance(compile_selector("div.account#acct[data-x=y]")[0], Simple)
    assert isinstance(compile_selector(".md-content h1")[0], Descendant)
    assert isinstance(compile_selector("ul > li:first-child")[0], Complex)
    assert len(compile_selector("form, .a, p b")) == 3


@pytest.mark.parametrize("bad", ["div[", "..x", "p >", ":nope("])
def test_bad_selector_is_an_error(bad):
    with pytest.raises(MaskingError, match="not valid CSS"):
        compile_masking(MaskingConfig(mask=(bad,)))


def test_relaxed_only_selectors_and_never_false():
    out, _ = masks(PAGE, mode="relaxed", mask=(".account", "[data-secret]", "[data-kind=x]"),
                   unmask=(".post-title",))
    assert '<div class="account card" id="acct" data-clarity-mask="true">' in out
    assert '<p data-secret data-clarity-mask="true">' in out
    assert '<p data-kind="x" data-clarity-mask="true">' in out
    assert '<h1 class="post-title" data-clarity-unmask="true">' in out
    assert "<form action=\"/s\">" in out  # relaxed: no defaults
    assert '="false"' not in out
    # not inside a script, not inside a comment
    assert "var html = '<div class=\"account\">'" in out
    assert '<!-- <div class="account">commented</div> -->' in out
    assert out.count("data-clarity-mask") == 3


def test_balanced_masks_forms_controls_emails_and_long_numbers():
    out, _ = masks(PAGE, mode="balanced")
    assert '<form action="/s" data-clarity-mask="true">' in out
    assert '<input name="q" data-clarity-mask="true">' in out
    assert '<textarea data-clarity-mask="true">' in out
    assert '<select data-clarity-mask="true">' in out
    assert '<a href="mailto:me@example.org" data-clarity-mask="true">' in out
    # the phone number's element is the <p>
    assert '<p data-clarity-mask="true">Write to' in out
    assert "<p>Released in 2024" in out  # short numbers are not masked
    assert '<path d="M0 0 1000 2000 3000 4000 5000"/>' in out  # SVG data is not text
    assert 'var n = "12345678"' in out


def test_strict_masks_body_and_unmask_wins_only_where_not_masked():
    out, warnings = masks(PAGE, mode="strict", unmask=(".post-title", ".both"), mask=(".both",))
    assert '<body class="page" data-clarity-mask="true">' in out
    assert '<h1 class="post-title" data-clarity-unmask="true">' in out
    assert '<p class="both" data-clarity-mask="true">' in out
    assert "data-clarity-unmask" not in out.split('class="both"')[1].split(">")[0]
    assert any("'.both'" in w and "stays masked" in w for w in warnings)


def test_descendant_and_complex_selectors():
    out, _ = masks(PAGE, mode="relaxed", mask=(".md-content h1", "form > input:first-child"))
    assert "<h1 data-clarity-mask=\"true\">Inner</h1>" in out
    assert '<h1 class="post-title">' in out
    assert '<input name="q" data-clarity-mask="true">' in out


def test_existing_attributes_not_duplicated_and_self_closing_kept():
    html = ('<html><body><div class="a" data-clarity-mask="true">x</div>'
            '<svg><rect class="a"/></svg><a class="a" href=/x/>y</a></body></html>')
    out, _ = masks(html, mode="relaxed", mask=(".a",))
    assert out.count('data-clarity-mask="true"') == 3
    assert '<rect class="a" data-clarity-mask="true"/>' in out
    assert '<a class="a" href=/x/ data-clarity-mask="true">' in out

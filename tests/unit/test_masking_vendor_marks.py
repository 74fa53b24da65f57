"""One masking rule set, several recorders (issue 10): where the rules put Clarity's
``data-clarity-mask``, every enabled recorder's own mark goes too, read from its catalog entry
(an attribute like Hotjar's, or a class like PostHog's), and the audit counts an element as
masked only when it carries every mark in use."""

from __future__ import annotations

from dataclasses import replace
from html.parser import HTMLParser

import pytest

from consent_generator.model import MaskingConfig, Policy, ServiceConfig
from consent_generator.services import get
from consent_generator.services.model import MaskMark
from mkdocs_clarity.audit.maskcheck import mask_gaps
from mkdocs_clarity.engine.masking import compile_masking, find_masks
from mkdocs_clarity.engine.masking_rules import MASK_ATTR, vendor_marks
from mkdocs_clarity.engine.onepage import RewriteContext, rewrite_page
from mkdocs_clarity.engine.scan import scan_page, tag_at


def recorder(key: str, **mark: str) -> ServiceConfig:
    """A catalog-like recorder with its own mark (the real ones come with their modules)."""
    spec = replace(get("clarity"), id=key, mask=MaskMark(**mark))
    return ServiceConfig(key, spec, "analytics")


ATTR = recorder("attr-rec", attribute="data-x-suppress")
CLASS = recorder("class-rec", css_class="x-no-capture")


def apply(html: str, *services: ServiceConfig, mode: str = "balanced",
          mask: tuple[str, ...] = ()) -> str:
    compiled = compile_masking(MaskingConfig(mode=mode, mask=mask),  # type: ignore[arg-type]
                               services)
    scan = scan_page(html, "p.html")
    res = find_masks(html, compiled, opaque=scan.opaque, body_tag=tag_at(html, scan.body_tag[0]),
                     body_end=scan.body_close, path="p.html")
    out, pos = [], 0
    for off, text in res.insertions:
        out += [html[pos:off], text]
        pos = off
    return "".join(out) + html[pos:]


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def parsed(html: str) -> list[tuple[str, dict[str, str | None]]]:
    p = _Tags()
    p.feed(html)
    return p.tags


def test_clarity_catalog_entry_names_the_attribute_the_rules_write():
    mark = get("clarity").mask
    assert mark is not None and mark.attribute == MASK_ATTR


def test_without_another_recorder_only_clarity_mark_is_written():
    html = "<html><body><form><input name=q></form></body></html>"
    out = apply(html)
    assert out.count(MASK_ATTR) == 2 and "suppress" not in out and "no-capture" not in out


@pytest.mark.parametrize("form, classes", [
    ('<form class="a b">', "a b x-no-capture"),       # quoted value: appended inside
    ("<form class='a'>", "a x-no-capture"),
    ("<form class=a>", "x-no-capture a"),              # unquoted, ending the tag: quoted
    ("<form class=a id=f>", "x-no-capture a"),         # unquoted, then another attribute
    ("<form class>", "x-no-capture"),                  # bare attribute
    ("<form id=f>", "x-no-capture"),                   # none: added
    ('<form class="x-no-capture">', "x-no-capture"),   # already there: left alone
])
def test_every_recorder_mark_lands_where_clarity_mark_does(form, classes):
    html = f"<html><body>{form}<input name=q></form><p>mail me@example.org</p></body></html>"
    out = apply(html, ATTR, CLASS)
    tags = {t: a for t, a in parsed(out) if t in ("form", "input", "p")}
    for name in ("form", "input", "p"):
        assert MASK_ATTR in tags[name] and "data-x-suppress" in tags[name], out
    assert tags["form"]["class"] == classes
    assert (tags["input"]["class"], tags["p"]["class"]) == ("x-no-capture", "x-no-capture")
    assert apply(out, ATTR, CLASS) == out  # idempotent: a second run adds nothing


def test_a_hand_written_clarity_mark_still_gets_the_other_marks():
    html = '<html><body><div data-clarity-mask="true">x</div></body></html>'
    out = apply(html, ATTR, mode="relaxed", mask=("div",))
    (div,) = [a for t, a in parsed(out) if t == "div"]
    assert "data-x-suppress" in div and out.count(MASK_ATTR) == 1  # its own, not repeated


def test_the_site_rewrite_writes_the_marks_of_the_policy_recorders():
    policy = Policy(services=(ATTR,))
    html = "<html><head></head><body><form><input name=q></form></body></html>"
    out = rewrite_page(html, RewriteContext(policy, "index.html")).html
    (form,) = [a for t, a in parsed(out) if t == "form"]
    assert MASK_ATTR in form and "data-x-suppress" in form


def test_audit_counts_an_element_masked_only_with_every_mark_in_use():
    html = "<html><body><form><input name=q type=text></form></body></html>"
    clarity_only = apply(html)
    marks = vendor_marks([ATTR.spec, CLASS.spec])
    assert mask_gaps(clarity_only).fields == []
    assert mask_gaps(clarity_only, marks).fields == ["input[type=text] name=q"]
    assert mask_gaps(apply(html, ATTR, CLASS), marks).fields == []

"""What the fourth round's fixed-cost work (issue 15, helper "onconfig") changed behaves as
before: regexes compiled on first use, the rewrite's re-check sharing the plan's tokenizer,
masking's type names computed once. Nothing here times anything."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from consent_generator.model import MaskingConfig
from mkdocs_clarity.engine import scan as fast
from mkdocs_clarity.engine.masking import Descendant, Simple, compile_masking
from tests.harness.corpus import GROUPS, variants
from tests.unit import _scan_reference as ref
from tests.unit.test_scan_equivalence import EXTRA, FIXTURE_PAGES, SNIPPETS, piece

ROOT = Path(__file__).resolve().parents[2]


def _without_index(html: str, index: frozenset[str]) -> fast.PageScan:
    return dataclasses.replace(fast.scan_page(html, "d/p.html", index=index), tag_index={})


def assert_index_only_fills_tag_index(html: str) -> None:
    """``rewrite._verify`` scans with the plan's ``index`` (one compiled tokenizer a build,
    not two): sound only if ``index`` changes nothing but ``tag_index``."""
    plain = _without_index(html, frozenset())
    for index in (EXTRA, frozenset({"div", "p", "span", "a", "li", "td", "svg"})):
        assert _without_index(html, index) == plain


@pytest.mark.parametrize("group", GROUPS)
def test_index_changes_nothing_but_the_tag_index_on_the_adversarial_corpus(group):
    for v in variants(group):
        assert_index_only_fills_tag_index(v.page)
        assert_index_only_fills_tag_index(v.fragment)


def test_index_changes_nothing_but_the_tag_index_on_fixtures_and_snippets():
    assert len(FIXTURE_PAGES) > 100 and len(SNIPPETS) > 300
    for path in FIXTURE_PAGES:
        assert_index_only_fills_tag_index(path.read_text("utf-8", "replace"))
    for text in SNIPPETS:
        assert_index_only_fills_tag_index(text)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(piece(), max_size=25))
def test_index_changes_nothing_but_the_tag_index_on_tag_soup(parts):
    assert_index_only_fills_tag_index("".join(parts))


HOSTS = ["www.clarity.ms", "c.bing.com", "www.googletagmanager.com", "x.clarity.ms",
         "eu.i.posthog.com", "static.hotjar.com", "example.org", "notclarity.ms",
         "www.youtube-nocookie.com", "bing.com", "CLARITY.MS"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from([*HOSTS, "'", "//", " ", ".", "-", "a", "x=", "https://"]),
                max_size=12))
def test_vendor_host_in_script_text_as_before(parts):
    """The needles and the host regex, now compiled apart (the regex on first need), find
    what the one cached pair found."""
    text = "".join(parts)
    assert fast._host_literal(text) == ref._host_literal(text)


def _type_names_as_before(compiled) -> frozenset[str]:
    """``CompiledMasking.type_names`` as it was (a property computed on every access)."""
    names = set()
    for sel in (*compiled.mask, *compiled.unmask):
        parts = sel.chain if isinstance(sel, Descendant) else (sel,)
        for part in parts:
            if isinstance(part, Simple) and part.literal()[0] == "type" and \
                    part.type not in (None, "*"):
                names.add(part.type)
    return frozenset(names)


@pytest.mark.parametrize("mode", ["strict", "balanced", "relaxed"])
def test_type_names_are_computed_once_and_as_before(mode):
    cfg = MaskingConfig(mode=mode, mask=("table", ".account", "form input", "h1.x", "a b"),
                        unmask=(".md-content h1", "div > p", "*", "ul li"))
    compiled = compile_masking(cfg)
    other = compile_masking(cfg)
    before = hash(compiled), repr(compiled)
    names = compiled.type_names
    assert names == _type_names_as_before(compiled) and "table" in names
    assert compiled.type_names is names  # not recomputed per page
    # the cached value is no field: equality, hash and repr are the fields' as before
    assert (hash(compiled), repr(compiled)) == before and compiled == other
    assert other.type_names == names


def test_a_plain_build_compiles_neither_rarely_needed_regex():
    """A Material page (plain drawings only, no vendor host named in its scripts) planned in
    a fresh process: the foreign-content tokenizer and the vendor-host regex stay
    uncompiled; a page with MathML compiles the first when it needs it."""
    code = textwrap.dedent("""
        from pathlib import Path
        from consent_generator.model import MaskingConfig, Policy
        from mkdocs_clarity.engine import scan
        from mkdocs_clarity.engine.rewrite import plan_page
        html = Path("tests/fixtures/scan/material-page.html").read_text("utf-8")
        plan_page(html, "p/index.html", Policy(masking=MaskingConfig(mode="balanced")))
        print(scan._foreign_token.cache_info().currsize, scan._host_regex.cache_info().currsize)
        scan.scan_page("<math><mi>x</mi><p>y</p></math><script>x('//c.bing.com/a')</script>", "m.html")
        print(scan._foreign_token.cache_info().currsize, scan._host_regex.cache_info().currsize)
    """)
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                         text=True, check=True).stdout.split("\n")
    assert out[:2] == ["0 0", "1 1"]

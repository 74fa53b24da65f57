"""Masking selectors are checked without soupsieve when they are plain CSS (issue 15).

The fast check must be exact for what it accepts: everything it accepts soupsieve accepts,
and for any selector at all the verdict is soupsieve's. Bad selectors are still reported with
file:line, whichever path found them.
"""

from __future__ import annotations

import random
import re
import subprocess
import sys
import textwrap

import pytest
import soupsieve
from hypothesis import given, settings
from hypothesis import strategies as st

from consent_generator import selectors
from consent_generator.policy import PolicyError, parse_policy
from consent_generator.selectors import is_plain, selector_problem

_S = selectors
PLAIN = re.compile(rf"{_S._WS}*{_S._COMPOUND}(?:{_S._WS}+{_S._COMPOUND})*{_S._WS}*"
                   rf"(?:,{_S._WS}*{_S._COMPOUND}(?:{_S._WS}+{_S._COMPOUND})*{_S._WS}*)*\Z")
"""The list grammar as one pattern, as the module had it before is_plain: the reference."""

PLAIN_OK = [".account", "table", ".md-content h1", "form, input , textarea", "*",
            "div.a#b[c][d=e]", "[data-x='a b']", '[ x = "" ]', ".-x", "a\n.b", "a\t*.z"]
NOT_PLAIN = ["ul > li", "a:first-child", "a + b", "[x~=y]", "ns|a", ".\\31 a", "--x",
             "li:not(.x)", "[x=y i]", ".é"]


def soupsieve_accepts(text: str) -> bool:
    try:
        soupsieve.compile(text)
    except Exception:
        return False
    return True


@pytest.mark.parametrize("text", PLAIN_OK)
def test_plain_selectors_are_recognised(text):
    assert PLAIN.match(text) and is_plain(text)
    assert selector_problem(text) is None


@pytest.mark.parametrize("text", NOT_PLAIN)
def test_other_valid_selectors_go_to_soupsieve(text):
    assert not PLAIN.match(text) and not is_plain(text)
    assert selector_problem(text) is None


@pytest.mark.parametrize("text", ["a,", ",a", "a,,b", "div[", "[x=]", "#1a", ".1a", "..x",
                                  "a >", "  ", "[x='a\nb']"])
def test_invalid_selectors_are_refused_like_soupsieve_does(text):
    assert not PLAIN.match(text) and not is_plain(text)
    assert selector_problem(text) is not None
    assert not soupsieve_accepts(text) or not text.strip()


def test_fast_check_agrees_with_soupsieve_on_random_selectors():
    rnd = random.Random(15)
    alphabet = ["a", "b", "x-y", "_", "-", "1", "9", ".", "#", "*", " ", "  ", "\t", "\n", ",",
                "[", "]", "=", '"', "'", ">", ":", "(", ")", "\\", "é", "|", "~", "+", "i"]
    plain = 0
    for _ in range(20000):
        text = "".join(rnd.choice(alphabet) for _ in range(rnd.randint(1, 12)))
        assert is_plain(text) == bool(PLAIN.match(text)), text
        if is_plain(text):
            plain += 1
            assert soupsieve_accepts(text), text
        if text.strip():
            assert (selector_problem(text) is None) == soupsieve_accepts(text), text
    assert plain > 300  # the property was exercised on many accepted selectors


def test_bad_plain_looking_selector_reported_with_file_and_line():
    with pytest.raises(PolicyError) as err:
        parse_policy(textwrap.dedent("""\
            masking:
              mask:
                - table
                - "a,"
            """), "consent.yml")
    assert "consent.yml:4:7: masking.mask[1]: invalid CSS selector 'a,'" in str(err.value)


def test_a_plain_policy_never_imports_soupsieve_or_bs4(tmp_path):
    policy = tmp_path / "consent.yml"
    policy.write_text("masking: {mode: balanced, mask: ['.account', table], "
                      "unmask: ['.md-content h1']}\n")
    code = ("import sys\n"
            "from consent_generator.policy import load_policy\n"
            "from mkdocs_clarity.engine.masking import compile_masking\n"
            f"compile_masking(load_policy({str(policy)!r}).masking)\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('soupsieve', 'bs4')))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


_PIECES = st.sampled_from(["a", "div", "x-y", "_b", "-c", "1", ".", "#", "*", " ", "\t", "\n",
                           ",", " , ", "[", "]", "=", '"', "'", '"a, b"', "'x y'", "[t]",
                           "[t=v]", '[t="a b"]', ".k", "#i", ">", ":", "é", "\\"])


@settings(max_examples=3000, deadline=None)
@given(st.lists(_PIECES, min_size=0, max_size=14).map("".join))
def test_is_plain_is_the_list_grammar(text):
    """The compound-at-a-time check accepts exactly what the one-pattern grammar accepts."""
    assert is_plain(text) == bool(PLAIN.match(text))

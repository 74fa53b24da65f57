"""Is a masking selector valid CSS? Answered without the selector engine whenever it can be.

Why: compiling a selector with soupsieve means importing and compiling soupsieve's own
grammar first, about 0.15 s, which every ``mkdocs build`` and every ``mkdocs serve`` rebuild
paid for two selectors like ``.account`` and ``table`` (issue 15). Most policies only use
the plain forms below, and those are recognised by one regular expression.

Exactness: :func:`is_plain` accepts a strict subset of CSS, so what it accepts *is* valid (type
or ``*``, ``.class``, ``#id``, ``[attr]``, ``[attr=value]`` with an identifier or a quoted
value without escapes, compounds of those, descendant combinators, comma lists; identifiers
ASCII without escapes). Everything else, valid or not, goes to soupsieve exactly as before,
so a selector is accepted or refused with the same message either way.
``tests/unit/test_selectors.py`` checks the subset against soupsieve.
"""

from __future__ import annotations

import re

_WS = r"[ \t\n\r\f]"
_IDENT = r"-?[_a-zA-Z][_a-zA-Z0-9-]*"
_TYPE = r"(?:[a-zA-Z][a-zA-Z0-9-]*|\*)"
_VALUE = rf"""(?:{_IDENT}|"[^"\\\n\r\f]*"|'[^'\\\n\r\f]*')"""
_ATTR = rf"\[{_WS}*{_IDENT}{_WS}*(?:={_WS}*{_VALUE}{_WS}*)?\]"
_PART = rf"(?:\.{_IDENT}|\#{_IDENT}|{_ATTR})"
_COMPOUND = rf"(?:{_TYPE}{_PART}*|{_PART}+)"

_STEP = re.compile(rf"{_COMPOUND}(?:({_WS}*,{_WS}*)|{_WS}*\Z|({_WS}+))")
"""One compound selector and what follows it: a comma (group 1), the end, or a descendant
combinator (group 2). One compound, not the whole list grammar in one pattern: the list
pattern (``ws* complex ws* (, ws* complex ws*)*`` with ``complex = compound (ws+
compound)*``) spells the compound out twice and took ~1.8 ms of every build to compile."""
_LEAD = re.compile(rf"{_WS}*")


def is_plain(selector: str) -> bool:
    """Whether ``selector`` is a selector list in the plain subset of CSS (module docstring):
    compounds separated by commas or whitespace, whitespace around them. A compound never
    contains whitespace or a comma outside a quoted value and ends at a part's end, so the
    separators split the text exactly as the list grammar would
    (``tests/unit/test_selectors.py`` compares the two)."""
    match = _LEAD.match(selector)
    pos = match.end() if match else 0
    while True:
        step = _STEP.match(selector, pos)
        if step is None:
            return False
        if step.lastindex is None:  # the end
            return True
        pos = step.end()


def selector_problem(selector: str) -> str | None:
    """Why ``selector`` is not a CSS selector list (first line of the engine's message), or
    None when it is one. soupsieve is imported only for selectors outside :func:`is_plain`."""
    if not selector.strip():
        return "it is empty"
    if is_plain(selector):
        return None
    import soupsieve

    try:
        soupsieve.compile(selector)
    except soupsieve.SelectorSyntaxError as exc:
        return str(exc).splitlines()[0]
    except (NotImplementedError, ValueError) as exc:
        return str(exc).splitlines()[0] or "not supported"
    return None

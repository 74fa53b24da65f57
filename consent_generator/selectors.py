"""Is a masking selector valid CSS? Answered without the selector engine whenever it can be.

Why: compiling a selector with soupsieve means importing and compiling soupsieve's own
grammar first, about 0.15 s, which every ``mkdocs build`` and every ``mkdocs serve`` rebuild
paid for two selectors like ``.account`` and ``table`` (issue 15). Most policies only use
the plain forms below, and those are recognised by one regular expression.

Exactness: :data:`PLAIN` accepts a strict subset of CSS, so what it accepts *is* valid (type
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
_COMPLEX = rf"{_COMPOUND}(?:{_WS}+{_COMPOUND})*"

PLAIN = re.compile(rf"{_WS}*{_COMPLEX}{_WS}*(?:,{_WS}*{_COMPLEX}{_WS}*)*\Z")
"""A selector list in the plain subset of CSS (see the module docstring)."""


def selector_problem(selector: str) -> str | None:
    """Why ``selector`` is not a CSS selector list (first line of the engine's message), or
    None when it is one. soupsieve is imported only for selectors outside :data:`PLAIN`."""
    if not selector.strip():
        return "it is empty"
    if PLAIN.match(selector):
        return None
    import soupsieve

    try:
        soupsieve.compile(selector)
    except soupsieve.SelectorSyntaxError as exc:
        return str(exc).splitlines()[0]
    except (NotImplementedError, ValueError) as exc:
        return str(exc).splitlines()[0] or "not supported"
    return None

"""Build-time minification of the hand-written consent runtime: no dependency, deterministic.

The runtime must stay within 6 KB gzip (JS + CSS) while its source keeps comments and
readable names, so it is minified when the assets are built, in four conservative steps:
:func:`compact_js` drops comments and indentation, :func:`squeeze_js` the spaces between
tokens that need none, :func:`mangle_js` gives the runtime's own variables short names and
:func:`compact_css` does the first step for the stylesheet. Each step keeps every line
(automatic semicolon insertion sees the same lines) and every string, regex and property
name; each refuses, with a ``ValueError``, what it cannot handle safely rather than guess.
A general-purpose minifier (terser, esbuild) would need Node or a binary at build time for
every site: these handle exactly the subset of JavaScript the runtime is written in.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator

Token = tuple[str, bool]
"""A token's text and whether whitespace stood before it in the source."""

_TRAILING_COMMENT = re.compile(r"\s+// .*$")


def compact_js(source: str) -> str:
    """Drop comments and indentation from the hand-written runtime, nothing else.

    Deliberately line-based and conservative, so it cannot change what the code means: it
    removes whole-line ``//`` comments, block comments that start a line (``/*!`` is kept),
    leading whitespace and blank lines, and a trailing ``// comment`` only when the code before
    it holds no ``/`` and balanced quotes (so the ``//`` cannot be inside a string or a regex).
    Line breaks are kept, so automatic semicolon insertion sees the same lines. Multi-line
    template literals are refused, because their lines are data, not code.
    """
    out: list[str] = []
    in_block = False
    for number, line in enumerate(source.splitlines(), 1):
        text = line.strip()
        if line.count("`") % 2:
            raise ValueError(f"consent.js:{number}: multi-line template literals are not "
                             "supported by compact_js")
        if in_block:
            in_block = "*/" not in text
            continue
        if text.startswith("/*") and not text.startswith("/*!"):
            in_block = "*/" not in text
            continue
        if not text or text.startswith("//"):
            continue
        match = _TRAILING_COMMENT.search(text)
        if match:
            code = text[:match.start()]
            if "/" not in code and all(code.count(q) % 2 == 0 for q in "'\"`"):
                text = code
        out.append(text)
    return "\n".join(out) + "\n"


_IDENT = re.compile(r"[\w$]")
_NAME = re.compile(r"[A-Za-z_$][\w$]*")
# After one of these (or at a line start, or after a keyword below) a "/" starts a regex
# literal; anywhere else it divides.
_REGEX_AFTER = set("(,=:[!&|?{};+-*%<>~^")
_REGEX_KEYWORDS = {"return", "typeof", "case", "do", "else", "in", "of", "void", "delete"}


def _token_end(line: str, i: int, prev: str) -> int:
    """End index of the token starting at ``line[i]`` (string, regex literal, word or one
    punctuation character); ``prev`` is the token before it."""
    ch = line[i]
    if ch in "'\"`":
        j = i + 1
        while j < len(line) and line[j] != ch:
            j += 2 if line[j] == "\\" else 1
        if j >= len(line):
            raise ValueError(f"squeeze_js: unterminated string in {line!r}")
        return j + 1
    if ch == "/" and (not prev or prev[-1] in _REGEX_AFTER or prev in _REGEX_KEYWORDS):
        j, in_class = i + 1, False
        while j < len(line) and (line[j] != "/" or in_class):
            in_class = (line[j] == "[" or in_class) and line[j] != "]"
            j += 2 if line[j] == "\\" else 1
        if j >= len(line):
            raise ValueError(f"squeeze_js: unterminated regex in {line!r}")
        j += 1
        while j < len(line) and _IDENT.match(line[j]):
            j += 1
        return j
    if _IDENT.match(ch):
        j = i
        while j < len(line) and _IDENT.match(line[j]):
            j += 1
        return j
    return i + 1


def _line_tokens(line: str) -> list[Token]:
    """One line's tokens; comments dropped (a ``/*!`` line is one token, kept whole)."""
    if line.startswith("/*!"):
        return [(line, False)]
    tokens: list[Token] = []
    i, spaced = 0, False
    while i < len(line):
        if line[i] in " \t":
            i, spaced = i + 1, True
            continue
        if line.startswith("//", i):
            break
        if line.startswith("/*", i):  # an inline comment: dropped, like compact_js's
            close = line.find("*/", i + 2)
            if close < 0:
                raise ValueError(f"squeeze_js: unterminated comment in {line!r}")
            i, spaced = close + 2, True
            continue
        end = _token_end(line, i, tokens[-1][0] if tokens else "")
        tokens.append((line[i:end], spaced))
        i, spaced = end, False
    return tokens


def _join(tokens: list[Token]) -> str:
    """Tokens back into a line, with a space only where the source had one *and* it is
    needed: between two words, and between ``+``/``-`` signs (``a - -b``)."""
    out: list[str] = []
    for text, spaced in tokens:
        if spaced and out:
            a, b = out[-1][-1], text[0]
            if (_IDENT.match(a) and _IDENT.match(b)) or (a in "+-" and b in "+-"):
                out.append(" ")
        out.append(text)
    return "".join(out)


def _lines(token_lines: list[list[Token]]) -> str:
    return "\n".join(line for line in map(_join, token_lines) if line) + "\n"


def squeeze_js(source: str) -> str:
    """Drop the spaces between tokens that need none, line by line, after :func:`compact_js`.

    Lines are kept (automatic semicolon insertion sees the same lines) and so are strings,
    template literals and regex literals, whole. A space stays between two words, and between
    ``+``/``-`` signs (``a - -b``). The browser tests run the squeezed file, and
    ``node --check`` parses it in the unit tests.
    """
    return _lines([_line_tokens(line) for line in source.splitlines()])


# --- mangling: short names for the runtime's own variables ----------------------------------

_KEYWORDS = frozenset((
    "break", "case", "catch", "class", "const", "continue", "debugger", "default", "delete",
    "do", "else", "enum", "export", "extends", "false", "finally", "for", "function", "if",
    "import", "in", "instanceof", "let", "new", "null", "return", "static", "super", "switch",
    "this", "throw", "true", "try", "typeof", "var", "void", "while", "with", "yield", "await",
    "implements", "interface", "package", "private", "protected", "public", "arguments",
    "eval", "undefined", "NaN", "Infinity", "of", "get", "set", "async"))
_REFUSED = frozenset(("switch", "case", "class", "with", "eval", "import", "export"))
"""Constructs the mangler's notion of scope and object literals does not cover."""
_GLOBALS = frozenset((
    "document", "window", "navigator", "location", "history", "crypto", "console",
    "localStorage", "sessionStorage", "Promise", "Math", "Date", "JSON", "Object", "Array",
    "URL", "RegExp", "Set", "WeakSet", "WeakMap", "Map", "Uint8Array", "CustomEvent",
    "MutationObserver", "setTimeout", "clearTimeout", "parseInt", "String", "Number",
    "Boolean", "Symbol", "Error", "TypeError", "globalThis", "self", "trustedTypes"))
"""Globals the runtime uses by bare name: declaring a variable named like one is refused,
because renaming by name would then rename the global's uses too."""
_OBJECT_AFTER = frozenset(("(", ",", "=", ":", "[", "?", "&", "|", "!", "return"))
"""A ``{`` after one of these opens an object literal; anywhere else, a block."""


def _is_name(text: str) -> bool:
    return bool(_NAME.fullmatch(text)) and text not in _KEYWORDS


def _is_property(texts: list[str], i: int) -> bool:
    """``x.name``: a property, not a variable (``...name`` is a spread, a variable)."""
    return i > 0 and texts[i - 1] == "." and texts[max(0, i - 3):i] != [".", ".", "."]


def _closing(texts: list[str], i: int) -> int:
    """Index of the bracket closing the one at ``i``."""
    depth = 0
    for j in range(i, len(texts)):
        depth += texts[j] in ("(", "[", "{")
        depth -= texts[j] in (")", "]", "}")
        if depth == 0:
            return j
    raise ValueError(f"mangle_js: unbalanced {texts[i]!r}")


def _opening(texts: list[str], i: int) -> int:
    """Index of the bracket opening the one that closes at ``i``."""
    depth = 0
    for j in range(i, -1, -1):
        depth += texts[j] in (")", "]", "}")
        depth -= texts[j] in ("(", "[", "{")
        if depth == 0:
            return j
    raise ValueError(f"mangle_js: unbalanced {texts[i]!r}")


def _bound(texts: list[str], start: int, end: int) -> set[str]:
    """Names bound by the parameter list or array pattern ``texts[start:end+1]``; defaults
    and object patterns are refused (their names are keys, or reference other names)."""
    inner = texts[start + 1:end]
    if "=" in inner or "{" in inner:
        raise ValueError("mangle_js: default values and object patterns in parameters or "
                         f"declarations are not supported: {' '.join(texts[start:end + 1])}")
    return {t for k, t in enumerate(inner, start + 1)
            if _is_name(t) and not _is_property(texts, k)}


def _declared(tokens: list[Token]) -> set[str]:
    """Every name the source declares: ``const``/``let``/``var`` (also after a comma),
    ``function`` names and parameters, arrow parameters, ``catch`` bindings. A missed
    declaration is harmless (renaming is by name, so the name just stays); a global taken
    for a declaration is not, hence :data:`_GLOBALS`."""
    texts = [t for t, _ in tokens]

    def texts_at(k: int) -> str:
        return texts[k] if 0 <= k < len(texts) else ""

    names: set[str] = set()
    for i, t in enumerate(texts):
        nxt = texts_at(i + 1)
        if _is_property(texts, i):  # .catch(...), .delete(...): methods, not keywords
            continue
        if t in _REFUSED:
            raise ValueError(f"mangle_js: {t!r} is not supported in the runtime")
        if t in ("const", "let", "var"):
            if nxt == "[":
                names |= _bound(texts, i + 1, _closing(texts, i + 1))
            elif _is_name(nxt):
                names.add(nxt)
            else:
                raise ValueError(f"mangle_js: unsupported declaration {t} {nxt}")
        elif t in ("function", "catch"):
            j = i + 2 if _is_name(nxt) else i + 1
            if t == "function" and j == i + 2:
                names.add(nxt)
            if texts_at(j) == "(":
                names |= _bound(texts, j, _closing(texts, j))
        elif t == "=" and nxt == ">" and not tokens[i + 1][1]:  # an arrow
            before = texts_at(i - 1)
            if before == ")":
                names |= _bound(texts, _opening(texts, i - 1), i - 1)
            elif _is_name(before):
                names.add(before)
        elif (_is_name(t) and texts_at(i - 1) == "," and nxt == "="
              and texts_at(i + 2) not in ("=", ">")):
            names.add(t)  # const a = 1, b = 2
    clash = sorted(names & _GLOBALS)
    if clash:
        raise ValueError(f"mangle_js: a variable is named like a global: {', '.join(clash)}")
    return names


_TEMPLATE_PART = re.compile(r"\$\{([^{}`'\"]*)\}")


def _template_exprs(text: str) -> list[str]:
    """The ``${...}`` expressions of a template literal; nested braces and quotes are refused."""
    exprs = _TEMPLATE_PART.findall(text)
    if text.count("${") != len(exprs):
        raise ValueError(f"mangle_js: template substitution too complex: {text}")
    return exprs


def _rename_expr(expr: str, names: dict[str, str]) -> str:
    tokens = _line_tokens(expr)
    texts = [t for t, _ in tokens]
    return _join([(names.get(t, t) if not _is_property(texts, k) else t, sp)
                  for k, (t, sp) in enumerate(tokens)])


def _rename_template(text: str, names: dict[str, str]) -> str:
    _template_exprs(text)
    return _TEMPLATE_PART.sub(lambda m: "${" + _rename_expr(m.group(1), names) + "}", text)


def _words(tokens: list[Token]) -> Iterator[str]:
    """Every name-like token, also those inside template substitutions."""
    for text, _ in tokens:
        if text.startswith("`"):
            for expr in _template_exprs(text):
                yield from (t for t, _ in _line_tokens(expr) if _NAME.fullmatch(t))
        elif _NAME.fullmatch(text):
            yield text


def _short_names(tokens: list[Token], declared: set[str]) -> dict[str, str]:
    """Declared name -> short name, the most used first; never a name that stays (globals,
    properties, keywords), so no renamed variable can capture another name."""
    counts = Counter(_words(tokens))
    taken = (set(counts) - declared) | _KEYWORDS
    letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"

    def candidates() -> Iterator[str]:
        yield from letters
        for first in letters:
            for second in letters + "0123456789":
                yield first + second

    pool = (name for name in candidates() if name not in taken)
    return {name: next(pool) for name in sorted(declared, key=lambda n: (-counts[n], n))}


def _renamed(tokens: list[Token], names: dict[str, str]) -> list[list[Token]]:
    """Each token's replacement: a variable's short name; a shorthand property ``{name}``
    becomes ``{name:short}``; keys (``{name: v}``), methods (``{name() {}}``) and properties
    after ``.`` keep their names."""
    texts = [t for t, _ in tokens]
    stack: list[str] = []
    out: list[list[Token]] = []
    for i, (t, sp) in enumerate(tokens):
        prev, nxt = (texts[i - 1] if i else ""), (texts[i + 1] if i + 1 < len(texts) else "")
        new = [(t, sp)]
        if t in ("(", "[", "{"):
            stack.append("obj" if t == "{" and prev in _OBJECT_AFTER else t)
        elif t in (")", "]", "}"):
            if not stack:
                raise ValueError(f"mangle_js: unbalanced {t!r}")
            stack.pop()
        elif t.startswith("`"):
            new = [(_rename_template(t, names), sp)]
        elif t in names and not _is_property(texts, i):
            in_object = bool(stack) and stack[-1] == "obj" and prev in ("{", ",")
            if in_object and nxt in (",", "}"):
                new = [(t, sp), (":", False), (names[t], False)]
            elif not (in_object and nxt in (":", "(")):
                new = [(names[t], sp)]
        if _is_name(t) and nxt == ":" and prev in (";", "{", "}") and stack[-1:] != ["obj"]:
            raise ValueError(f"mangle_js: labels are not supported ({t}:)")
        out.append(new)
    return out


def mangle_js(source: str) -> str:
    """:func:`squeeze_js`, and every variable the source declares renamed to a short name
    (one name for one name everywhere, so scopes and shadowing stay as they were).

    Renaming is by name, not by scope: a name is renamed wherever it stands as a variable
    (not after ``.``, not as an object key or method name; a shorthand ``{name}`` is spelled
    out). That is sound because every short name is new to the file. What it cannot tell
    apart is refused: ``switch``/``case``, classes, labels, ``with``, ``eval``, modules,
    default parameters, object destructuring, and template substitutions with braces or
    quotes; and a variable named like a global the runtime uses (see :data:`_GLOBALS`).
    """
    token_lines = [_line_tokens(line) for line in source.splitlines()]
    flat = [tok for line in token_lines for tok in line if not tok[0].startswith("/*!")]
    declared = _declared(flat)
    replacement = iter(_renamed(flat, _short_names(flat, declared)))
    out = [[tok] if tok[0].startswith("/*!") else next(replacement) for line in token_lines
           for tok in line]
    # Back into the original lines: count each line's tokens.
    lines, k = [], 0
    for line in token_lines:
        lines.append([tok for group in out[k:k + len(line)] for tok in group])
        k += len(line)
    return join_lines(_lines(lines))


_ENDS_OPEN = tuple(";{,([")
_STARTS_CLOSED = tuple("})].,")


def join_lines(source: str) -> str:
    """Join a line to the one before it where the line break cannot matter: after ``;``,
    ``{``, ``,``, ``(`` or ``[``, or before ``}``, ``)``, ``]``, ``.`` or ``,``. Automatic
    semicolon insertion only acts at a line break before a token that cannot continue the
    statement, or at one of the restricted places (after ``return``, ``break``,
    ``continue``, ``throw``, ``yield``; before ``++``, ``--``, ``=>``): none of them can be
    on either side of these. A ``/*!`` line stays a line of its own.
    """
    out: list[str] = []
    for line in source.splitlines():
        if (out and not out[-1].startswith("/*!") and not line.startswith("/*!")
                and (out[-1].endswith(_ENDS_OPEN) or line.startswith(_STARTS_CLOSED))):
            out[-1] += line
        else:
            out.append(line)
    return "\n".join(out) + "\n"


_THEME_PART = re.compile(r"^/\* @theme ([\w -]+) \*/$(.*?)^/\* @end \*/$", re.S | re.M)


def theme_parts(source: str) -> list[str]:
    """The theme names of each ``/* @theme <names> */`` part of a stylesheet, in order."""
    return [m.group(1) for m in _THEME_PART.finditer(source)]


def compact_css(source: str, themes: Iterable[str] | None = None) -> str:
    """Keep the ``/* @theme <names> */ ... /* @end */`` parts of the recognised ``themes``
    only (every part when None), drop comments (except ``/*!``) and line breaks.

    A line break goes where nothing separates two lines (``}``, ``{``, ``;``, ``,`` already
    do); elsewhere it becomes a space, so a value split over two lines keeps its parts
    apart. CSS strings must not hold ``/*``.
    """
    if re.search(r"""["'][^"'\n]*/\*""", source):
        raise ValueError("consent.css: a string holds '/*'; compact_css would corrupt it")
    wanted = None if themes is None else set(themes)
    source = _THEME_PART.sub(
        lambda m: m.group(2) if wanted is None or wanted & set(m.group(1).split()) else "",
        source)
    if "/* @theme" in source or "/* @end" in source:
        raise ValueError("consent.css: an '@theme' part is not closed by '/* @end */' on a "
                         "line of its own")
    text = re.sub(r"/\*(?!!).*?\*/", "", source, flags=re.DOTALL)
    out = ""
    for line in (line.strip() for line in text.splitlines()):
        if not line:
            continue
        if line.startswith("/*!") or not out or out.endswith("\n"):
            out += line + ("\n" if line.startswith("/*!") else "")
        else:
            out += ("" if out[-1] in "{};," or line[0] == "}" else " ") + line
    return out + "\n"

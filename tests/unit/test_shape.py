"""The code's shape (issue 10), read from the source with ``ast`` so it cannot drift: short
functions, no import circles, no layer reaching up, and the CSP vocabulary defined once."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

from consent_generator import csp_vocabulary as vocab

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("consent_generator", "mkdocs_clarity")
MAX_FUNCTION_LINES = 60


def module_files() -> dict[str, Path]:
    """Every module of both packages by dotted name (a package is its ``__init__``)."""
    out = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            out[".".join(parts)] = path
    return out


MODULES = module_files()


def _top_level_statements(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """Statements that run at import time: module level, inside ``try``/``if`` blocks, but not
    under ``if TYPE_CHECKING`` (type checkers only) nor inside functions or classes."""
    for node in body:
        if isinstance(node, ast.If):
            test = ast.unparse(node.test)
            if test in ("TYPE_CHECKING", "typing.TYPE_CHECKING"):
                yield from _top_level_statements(node.orelse)
                continue
            yield from _top_level_statements(node.body + node.orelse)
        elif isinstance(node, ast.Try):
            yield from _top_level_statements(node.body + node.orelse + node.finalbody
                                             + [s for h in node.handlers for s in h.body])
        else:
            yield node


def _resolve(name: str) -> str | None:
    """The deepest module of ours that ``name`` names (``a.b.c`` may be a name in ``a.b``)."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def imports_of(module: str, *, anywhere: bool = False) -> set[str]:
    """The modules of ours that importing ``module`` imports directly: at the top level only,
    or (``anywhere``) also inside functions and under ``TYPE_CHECKING``."""
    path = MODULES[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    tree = ast.parse(path.read_text("utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree) if anywhere else _top_level_statements(tree.body):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            names = [f"{base}.{a.name}" for a in node.names]
        for name in names:
            target = _resolve(name)
            if target is not None and target != module:
                found.add(target)
    return found


GRAPH = {m: imports_of(m) for m in MODULES}
ALL_IMPORTS = {m: imports_of(m, anywhere=True) for m in MODULES}


def _cycle_from(start: str) -> list[str] | None:
    """A path start -> ... -> start in the import graph, or None."""
    stack, seen = [(start, [start])], set()
    while stack:
        node, path = stack.pop()
        for nxt in sorted(GRAPH[node]):
            if nxt == start:
                return [*path, start]
            if nxt not in seen:
                seen.add(nxt)
                stack.append((nxt, [*path, nxt]))
    return None


def test_the_import_graph_is_read_from_the_source():
    # The reader itself must see edges, or the two tests below could never fail.
    assert "mkdocs_clarity.engine.csp" in GRAPH["mkdocs_clarity.engine.cspcheck"]
    assert "consent_generator.csp_vocabulary" in GRAPH["consent_generator.csp_sources"]
    assert "mkdocs_clarity.engine.scan" not in GRAPH["mkdocs_clarity.engine.csp"]  # TYPE_CHECKING
    assert "mkdocs_clarity.engine.scan" in ALL_IMPORTS["mkdocs_clarity.engine.csp"]
    assert _reaches("mkdocs_clarity.cli", ("mkdocs_clarity.audit",))  # a front end may


def test_no_import_circles():
    cycles = {" -> ".join(c) for m in MODULES if (c := _cycle_from(m))}
    assert not cycles, "import circles among top-level imports:\n" + "\n".join(sorted(cycles))


UPPER_LAYERS = ("mkdocs_clarity.audit", "mkdocs_clarity.verify", "mkdocs_clarity.plugin",
                "mkdocs_clarity.cli", "consent_generator.cli")


def _reaches(module: str, prefixes: tuple[str, ...]) -> list[str]:
    """What ``module`` imports, anywhere in it (a deferred import still depends), under
    ``prefixes``."""
    return sorted(t for t in ALL_IMPORTS[module]
                  if any(t == p or t.startswith(p + ".") for p in prefixes))


def test_no_layer_reaches_up():
    """The engine and the registries never import the audit/verify side or a front end, and
    consent_generator never imports mkdocs_clarity (it knows nothing of MkDocs)."""
    wrong = {}
    for module in MODULES:
        if module.startswith(("mkdocs_clarity.engine", "mkdocs_clarity.hosts",
                              "mkdocs_clarity.themes")):
            wrong[module] = _reaches(module, UPPER_LAYERS)
        elif module.startswith("consent_generator"):
            wrong[module] = _reaches(module, ("mkdocs_clarity", "consent_generator.cli"))
    assert not {m: t for m, t in wrong.items() if t}


def _functions(tree: ast.AST) -> Iterator[ast.FunctionDef | ast.AsyncFunctionDef]:
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield node


def test_functions_fit_on_a_screen():
    long = [f"{path.relative_to(ROOT)}:{fn.lineno} {fn.name}: {fn.end_lineno - fn.lineno + 1}"
            for path in MODULES.values()
            for fn in _functions(ast.parse(path.read_text("utf-8")))
            if fn.end_lineno is not None and fn.end_lineno - fn.lineno + 1 > MAX_FUNCTION_LINES]
    assert not long, f"functions over {MAX_FUNCTION_LINES} lines:\n" + "\n".join(long)


# --------------------------------------------------------------------------- CSP vocabulary

WORDS = (set(vocab.KNOWN_DIRECTIVES) | set(vocab.RETIRED_DIRECTIVES) | vocab.KEYWORDS
         | vocab.RETIRED_KEYWORDS)


def _words(node: ast.AST | None) -> int:
    """How many CSP words a literal collection holds (0 unless every element is one)."""
    if isinstance(node, ast.Call) and ast.unparse(node.func) in ("frozenset", "set", "tuple"):
        return _words(node.args[0]) if len(node.args) == 1 else 0
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)) and node.elts:
        ok = all(isinstance(e, ast.Constant) and e.value in WORDS for e in node.elts)
        return len(node.elts) if ok else 0
    if isinstance(node, ast.Dict) and node.keys:
        # a fallback map or a directive-name mapping: CSP words on both sides
        keys = _words(ast.Tuple(elts=list(node.keys), ctx=ast.Load())) if len(node.keys) > 1 \
            else int(isinstance(node.keys[0], ast.Constant) and node.keys[0].value in WORDS)
        values = [1 if isinstance(v, ast.Constant) and v.value in WORDS else _words(v)
                  for v in node.values]
        return keys + sum(values) if keys and all(values) else 0
    return 0


def vocabulary_copies() -> list[str]:
    """Module-level constants outside the vocabulary that are lists of CSP words."""
    out = []
    for module, path in MODULES.items():
        if module == "consent_generator.csp_vocabulary":
            continue
        for node in ast.parse(path.read_text("utf-8")).body:
            value = node.value if isinstance(node, (ast.Assign, ast.AnnAssign)) else None
            if _words(value) >= 2:
                out.append(f"{path.relative_to(ROOT)}:{node.lineno}: {ast.unparse(node)[:90]}")
    return out


def test_the_vocabulary_is_not_copied():
    """Directive lists, keyword sets and fallback maps are defined in csp_vocabulary only;
    everyone else imports them (or derives from them, saying why)."""
    assert not vocabulary_copies(), "\n".join(vocabulary_copies())


def test_the_copy_detector_sees_copies():
    copies = [ast.parse('X = frozenset({"\'self\'", "\'unsafe-inline\'"})'),
              ast.parse('X = ("script-src", "script-src-elem")'),
              ast.parse('X = {"script-src-elem": ("script-src", "default-src")}')]
    assert all(_words(tree.body[0].value) >= 2 for tree in copies)  # type: ignore[attr-defined]
    assert not _words(ast.parse('X = {"script-src": ("https://a.example",)}').body[0].value)  # type: ignore[attr-defined]


@pytest.mark.parametrize("name", ["META_FORBIDDEN", "OWN_KEY_DIRECTIVES", "SERIALIZE_ORDER",
                                  "FETCH_FALLBACKS", "SUBDIRECTIVE_PARENT"])
def test_vocabulary_names_are_known_directives(name):
    value = getattr(vocab, name)
    names = set(value) | {x for v in getattr(value, "values", lambda: ())() for x in
                          ((v,) if isinstance(v, str) and not v.startswith("csp.") else
                           () if isinstance(v, str) else v)}
    assert names <= set(vocab.KNOWN_DIRECTIVES)


def test_own_key_directives_are_header_only():
    assert set(vocab.OWN_KEY_DIRECTIVES) <= vocab.META_FORBIDDEN

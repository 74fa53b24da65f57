"""The functions ``dataclasses`` generates, compiled once per machine instead of once per build.

Why: ``@dataclass(frozen=True)`` writes each class's ``__init__``, ``__repr__``, ``__eq__``,
``__hash__``, ``__setattr__`` and ``__delattr__`` as source text and compiles each with
``exec``: ~0.45 ms a class, and a build imports ~60 of them (the policy model, the vendor
catalog's types, the scanner's records): ~25 ms of every fresh ``mkdocs build``, more than
the plugin's whole work on a 20-page site's pages. The text depends only on the class
definition, so its compiled code can be kept like a ``.pyc``: :func:`cached_class_code`
hands ``dataclasses`` the code object compiled earlier from the *same text* (looked up by
the text's SHA-256), from one file in the disk cache (:mod:`.disk_cache`).

Same result by construction: ``exec(text, g, ns)`` compiles ``text`` with the file name
``"<string>"`` and the compiler flags of its caller, the ``dataclasses`` module (no
``__future__`` imports); :func:`_compile` does exactly that (``dont_inherit=True``), and the
code object is then executed with the same globals and namespace. The cache file is keyed by
the interpreter's bytecode magic number and version (and the package version); a damaged
file (its SHA-256 does not match) or an unknown text is compiled as ``dataclasses`` would.
``tests/unit/test_class_code.py`` compares every generated method of every dataclass a build
imports, with and without the cache.

Trust: the file holds code objects, as Jinja's bytecode cache in the same directory already
does (:func:`consent_generator.render._bytecode_cache`) and as ``__pycache__`` does; whoever
can write the user's cache directory could already change the served runtime files.

How: ``dataclasses`` calls the builtin ``exec`` by its global name; while the context is
active, a module global of that name (the cached variant) shadows the builtin. Nothing else
changes, and where another tool already shadows it, or the cache is off, nothing is done.
"""

from __future__ import annotations

import builtins
import dataclasses
import hashlib
import importlib.util
import marshal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import CodeType
from typing import Any

from . import disk_cache

KIND = "classcode"
_LOCK = threading.Lock()
STATS = {"hits": 0, "misses": 0}
"""Functions taken from the cache / compiled, in this process (for tests and benchmarks)."""


def _compile(source: str) -> CodeType:
    """What builtin ``exec`` compiles for ``source`` when called from ``dataclasses``."""
    return compile(source, "<string>", "exec", dont_inherit=True)


def _load(raw: bytes | None) -> dict[bytes, CodeType]:
    """The cached code objects, or nothing when the file is missing, damaged or foreign."""
    if raw is None or len(raw) < 32 or hashlib.sha256(raw[32:]).digest() != raw[:32]:
        return {}
    try:
        codes = marshal.loads(raw[32:])
    except (EOFError, ValueError, TypeError):
        return {}
    if not isinstance(codes, dict) or not all(
            isinstance(k, bytes) and isinstance(v, CodeType) for k, v in codes.items()):
        return {}
    return codes


def _dump(codes: dict[bytes, CodeType]) -> bytes:
    payload = marshal.dumps(codes)
    return hashlib.sha256(payload).digest() + payload


def cache_file_key(name: str) -> str:
    """The disk-cache key of ``name``'s file: one per interpreter bytecode format."""
    return disk_cache.cache_key(KIND, (name.encode(), importlib.util.MAGIC_NUMBER,
                                       sys.version.encode()))


@contextmanager
def cached_class_code(name: str) -> Iterator[None]:
    """While active, dataclasses created in this process take their generated functions from
    the cache file ``name`` (one per caller: each keeps the entries it used)."""
    if disk_cache.cache_dir() is None or not _LOCK.acquire(blocking=False):
        yield
        return
    try:
        if "exec" in vars(dataclasses):  # someone else's shadow: leave it alone
            yield
            return
        key = cache_file_key(name)
        known: dict[bytes, CodeType] | None = None  # read at the first class, if any
        used: dict[bytes, CodeType] = {}
        missed = False

        def exec_cached(source: Any, globals: Any = None, locals: Any = None, /) -> None:
            nonlocal known, missed
            # exec() called from dataclasses runs in its globals when given none.
            globals = vars(dataclasses) if globals is None else globals
            if type(source) is not str:
                builtins.exec(source, globals, locals)
                return
            digest = hashlib.sha256(source.encode("utf-8", "surrogatepass")).digest()
            if known is None:
                known = _load(disk_cache.read(KIND, key))
            code = used.get(digest) or known.get(digest)
            if code is None:
                code = _compile(source)
                missed = True
                STATS["misses"] += 1
            else:
                STATS["hits"] += 1
            used[digest] = code
            builtins.exec(code, globals, locals)

        dataclasses.exec = exec_cached  # type: ignore[attr-defined]
        try:
            yield
        finally:
            del dataclasses.exec  # type: ignore[attr-defined]
        if missed:
            disk_cache.write(KIND, key, _dump(used))
    finally:
        _LOCK.release()

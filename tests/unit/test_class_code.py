"""The dataclasses' generated functions from the disk cache (consent_generator.class_code).

Equivalence: every generated method of every dataclass a build imports has the same code,
defaults, annotations and closure with the cache cold, warm and off (fresh interpreters);
a class made in the context behaves as one made without it. Robustness: a damaged file is
compiled again and rewritten, ``MKDOCS_CLARITY_CACHE=off`` and another tool's shadow of
``exec`` are left alone, and the shadow never outlives the context.
"""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from consent_generator import class_code, disk_cache

ROOT = Path(__file__).resolve().parents[2]

DESCRIBE = r"""
import dataclasses, json, re, sys, types
import mkdocs_clarity.plugin as plugin
from consent_generator import class_code
plugin.load_engine()

def code(c):
    return [c.co_name, c.co_qualname, c.co_filename, c.co_flags, c.co_argcount,
            c.co_posonlyargcount, c.co_kwonlyargcount, c.co_firstlineno, c.co_code.hex(),
            c.co_linetable.hex(), c.co_exceptiontable.hex(), list(c.co_names),
            list(c.co_varnames), list(c.co_freevars), list(c.co_cellvars),
            [code(k) if isinstance(k, types.CodeType) else repr(k) for k in c.co_consts]]

out = {}
for name, module in sorted(sys.modules.items()):
    if not name.startswith(("consent_generator", "mkdocs_clarity")):
        continue
    for cls in vars(module).values():
        if not (isinstance(cls, type) and dataclasses.is_dataclass(cls)
                and cls.__module__ == name):
            continue
        for attr, fn in sorted(vars(cls).items()):
            fn = getattr(fn, "__wrapped__", fn)  # __repr__ sits in a recursion guard
            if isinstance(fn, types.FunctionType) and fn.__code__.co_filename == "<string>":
                out[f"{name}.{cls.__qualname__}.{attr}"] = [
                    code(fn.__code__), repr(fn.__defaults__), repr(fn.__kwdefaults__),
                    repr(fn.__annotations__), fn.__qualname__,
                    [repr(c.cell_contents) for c in fn.__closure__ or ()]]
# Closures hold the defaults' objects: compared by repr without their addresses.
text = re.sub(r" at 0x[0-9a-f]+", " at 0x?", json.dumps(out))
print(json.dumps({"methods": json.loads(text), "stats": class_code.STATS}))
"""


def _describe(cache: str) -> dict:
    env = dict(os.environ, MKDOCS_CLARITY_CACHE=cache, PYTHONPATH=str(ROOT))
    out = subprocess.run([sys.executable, "-c", DESCRIBE], env=env, cwd=ROOT,
                         capture_output=True, text=True, check=True)
    result: dict = json.loads(out.stdout)
    return result


def test_every_generated_method_is_the_same_with_the_cache_cold_warm_and_off(tmp_path):
    off = _describe("off")
    cold = _describe(str(tmp_path))
    warm = _describe(str(tmp_path))
    assert len(off["methods"]) > 200  # the policy model, the catalog types, the engine's
    assert off["stats"] == {"hits": 0, "misses": 0}
    assert cold["stats"]["misses"] > 200 and cold["stats"]["hits"] == 0
    assert warm["stats"] == {"hits": cold["stats"]["misses"], "misses": 0}
    assert cold["methods"] == off["methods"]
    assert warm["methods"] == off["methods"]


def _make() -> type:
    @dataclasses.dataclass(frozen=True)
    class Point:
        x: int
        label: str = "p"
        tags: tuple[str, ...] = dataclasses.field(default_factory=tuple)

    return Point


def _codes(cls: type) -> dict[str, object]:
    return {name: getattr(vars(cls)[name], "__wrapped__", vars(cls)[name]).__code__
            for name in ("__init__", "__repr__", "__eq__", "__hash__", "__setattr__",
                         "__delattr__")}


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv(disk_cache.ENV, str(tmp_path))
    monkeypatch.setattr(class_code, "STATS", {"hits": 0, "misses": 0})
    return tmp_path


def test_a_class_made_in_the_context_is_the_class_made_without_it(cache):
    plain = _make()
    with class_code.cached_class_code("test"):
        cold = _make()
    with class_code.cached_class_code("test"):
        warm = _make()
    assert class_code.STATS == {"hits": 6, "misses": 6}
    for cls in (cold, warm):
        assert _codes(cls) == _codes(plain)
        p = cls(1, tags=("a",))
        assert p == cls(1, "p", ("a",)) and p != cls(2) and hash(p) == hash(cls(1, tags=("a",)))
        assert repr(p) == "_make.<locals>.Point(x=1, label='p', tags=('a',))"
        with pytest.raises(dataclasses.FrozenInstanceError):
            p.x = 2  # type: ignore[misc]
        with pytest.raises(TypeError, match="missing 1 required positional argument: 'x'"):
            cls()
        assert [f.name for f in dataclasses.fields(cls)] == ["x", "label", "tags"]


def test_a_damaged_file_is_compiled_again_and_rewritten(cache):
    with class_code.cached_class_code("test"):
        _make()
    (entry,) = (cache / class_code.KIND).iterdir()
    data = bytearray(entry.read_bytes())
    data[-10] ^= 0xFF
    entry.write_bytes(bytes(data))
    with class_code.cached_class_code("test"):
        damaged = _make()
    assert class_code.STATS == {"hits": 0, "misses": 12}
    assert _codes(damaged) == _codes(_make())
    with class_code.cached_class_code("test"):
        _make()
    assert class_code.STATS == {"hits": 6, "misses": 12}


def test_foreign_bytes_are_not_code(cache):
    assert class_code._load(None) == {}
    assert class_code._load(b"short") == {}
    assert class_code._load(class_code._dump({b"k": compile("1", "<string>", "exec")}))
    import hashlib
    import marshal

    payload = marshal.dumps({b"k": "not code"})
    assert class_code._load(hashlib.sha256(payload).digest() + payload) == {}


def test_cache_off_and_foreign_shadows_are_left_alone(monkeypatch, tmp_path):
    monkeypatch.setenv(disk_cache.ENV, "off")
    with class_code.cached_class_code("test"):
        assert "exec" not in vars(dataclasses)
    monkeypatch.setenv(disk_cache.ENV, str(tmp_path))
    theirs = object()
    monkeypatch.setattr(dataclasses, "exec", theirs, raising=False)
    with class_code.cached_class_code("test"):
        assert vars(dataclasses)["exec"] is theirs
    assert not (tmp_path / class_code.KIND).exists()


def test_the_shadow_never_outlives_the_context(cache):
    with pytest.raises(RuntimeError), class_code.cached_class_code("test"):
        assert "exec" in vars(dataclasses)
        raise RuntimeError
    assert "exec" not in vars(dataclasses)


def test_an_edited_class_gets_its_own_code_not_the_cached_one(cache):
    """The cache is keyed by the generated text: a class whose fields changed since the
    cache was written (an edited checkout) is compiled anew, and both stay correct."""
    def make(extra: bool) -> type:
        if extra:
            @dataclasses.dataclass(frozen=True)
            class Point:
                x: int
                y: int = 0
        else:
            @dataclasses.dataclass(frozen=True)  # type: ignore[no-redef]
            class Point:
                x: int
        return Point

    with class_code.cached_class_code("test"):
        old = make(False)
    with class_code.cached_class_code("test"):
        new = make(True)
    assert class_code.STATS["misses"] == 12  # six functions each, nothing reused wrongly
    assert repr(new(1, 2)).endswith("Point(x=1, y=2)") and new(1) != new(1, 2)
    assert repr(old(1)).endswith("Point(x=1)")
    with pytest.raises(TypeError):
        old(1, 2)

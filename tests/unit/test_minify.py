"""minify.py: the runtime's build-time minification keeps what the code means (issue 13).

The mangler is judged by Node itself where it is installed: a program exercising every
construct the runtime uses (shorthand properties, methods, keys, spread, array patterns,
template substitutions, shadowing, closures, catch bindings) prints the same result before
and after. The served runtime keeps every string, regex and property name, in order.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from consent_generator import minify, render
from consent_generator.services import catalog
from mkdocs_clarity.engine.site import apply_site

NODE = shutil.which("node")
needs_node = pytest.mark.skipif(NODE is None, reason="node not installed")

PROGRAM = r"""
const out = [];
const total = (list, start) => list.reduce((sum, item) => sum + item, start);
function make(name, size) {
  const label = `${name}:${size * 2}`, extra = [name, size];
  let count = 0;
  const api = {name, label, count: () => ++count, size: size,
               grow(by) { return size + by; }, extra};
  return api;
}
const thing = make('box', 21);
out.push(thing.name, thing.label, thing.count(), thing.count(), thing.grow(1), thing.extra);
const pairs = [['a', 1], ['b', 2]].map(([key, value]) => key + value);
out.push(pairs, total([1, 2, 3], 10));
const wrap = (...args) => args.length + args[0];
out.push(wrap(5, 6, 7));
try { JSON.parse('{'); } catch (e) { out.push(e instanceof SyntaxError); }
const name = 'outer';
{ const name = 'inner'; out.push(name); }
out.push(name, typeof undefinedThing, /a b/.test('xa by'), 10 / 2 / 5);
const obj = {out: 1, total: 2}; out.push(obj.out + obj.total, Object.keys(obj));
let n = 3; n = n - -1; out.push(n, n++ + +n);
const state = {w: 1}; const w = 7, on = true;
const vendor = {w, state, on};
out.push(vendor.w, vendor.state.w, vendor.on);
console.log(JSON.stringify(out));
"""


def _run_node(source: str, tmp_path: Path) -> str:
    assert NODE is not None
    path = tmp_path / "p.js"
    path.write_text(source)
    done = subprocess.run([NODE, str(path)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout


@needs_node
def test_mangled_program_computes_the_same(tmp_path):
    mangled = minify.mangle_js(minify.compact_js(PROGRAM))
    assert _run_node(mangled, tmp_path) == _run_node(PROGRAM, tmp_path)
    assert len(mangled) < len(minify.squeeze_js(minify.compact_js(PROGRAM)))
    assert "vendor" not in mangled and "thing" not in mangled  # renamed, really
    assert "{w:" in mangled and ".grow(" in mangled  # shorthand spelled out, property kept
    assert minify.mangle_js(PROGRAM) == minify.mangle_js(PROGRAM)  # deterministic


def _shape(js: str) -> list[str]:
    """Everything a renaming must leave alone, in order: strings, regexes, numbers, property
    names and punctuation (shorthand properties add ':' tokens, so those are left out)."""
    kept = []
    for line in js.splitlines():
        tokens = [t for t, _ in minify._line_tokens(line)]
        for k, t in enumerate(tokens):
            if t.startswith("`"):  # a template's text, not its substitutions
                kept.append(re.sub(r"\$\{[^}]*\}", "${}", t))
            elif minify._is_property(tokens, k) or not re.fullmatch(r"[A-Za-z_$][\w$]*|:", t):
                kept.append(t)
    return kept


def test_served_runtime_keeps_strings_regexes_and_properties():
    for adapters in (render.site_adapters(catalog().values()), ()):
        source = render.runtime_source(adapters)
        plain = minify.squeeze_js(minify.compact_js(source))
        served = render.adapter_assets(adapters)[0].content.decode()
        # Line breaks may go (join_lines), tokens may not.
        assert _shape(served) == _shape(plain)
        assert len(served) < len(plain) * 0.9


@pytest.mark.parametrize("source, message", [
    ("switch (a) { case 1: break; }\n", "switch"),
    ("class A {}\n", "class"),
    ("const f = (a = 1) => a;\n", "default values"),
    ("const {a} = b;\n", "unsupported declaration"),
    ("const t = `${a ? 'x' : 'y'}`;\n", "template"),
    ("const location = 1;\n", "named like a global"),
    ("{ outer: for (;;) break outer; }\n", "labels"),
])
def test_mangle_refuses_what_it_cannot_rename_safely(source, message):
    with pytest.raises(ValueError, match=message):
        minify.mangle_js(source)


def test_join_lines_only_where_the_break_cannot_matter():
    src = "/*! k */\na();\nb(\nc)\n.then(d)\nreturn\nx\ny\n++z\n"
    assert minify.join_lines(src) == "/*! k */\na();b(c).then(d)\nreturn\nx\ny\n++z\n"


def test_compact_css_keeps_the_recognised_themes_parts_only():
    css = ("/*! keep */\n.a {\n  color: red;\n}\n/* @theme material zensical */\n"
           ".md{x:1}\n/* @end */\n/* @theme mkdocs */\n.bs{y:2}\n/* @end */\n"
           ".b{margin:0\n  auto}\n")
    assert minify.theme_parts(css) == ["material zensical", "mkdocs"]
    assert minify.compact_css(css, ()) == "/*! keep */\n.a {color: red;}.b{margin:0 auto}\n"
    assert ".md{x:1}" in minify.compact_css(css, ["zensical"])
    assert ".bs" not in minify.compact_css(css, ["zensical"])
    assert ".md" in minify.compact_css(css) and ".bs" in minify.compact_css(css)
    with pytest.raises(ValueError, match="@end"):
        minify.compact_css("/* @theme mkdocs */\n.bs{y:2}\n")


def test_runtime_css_carries_only_the_sites_theme():
    base = render.runtime_assets()[1]
    material = render.runtime_assets(themes=["material"])[1]
    mkdocs = render.runtime_assets(themes=["mkdocs"])[1]
    assert len({base.path, material.path, mkdocs.path}) == 3
    assert b"data-md-color-scheme" not in base.content and b"data-bs-theme" not in base.content
    assert b"data-md-color-scheme=slate" in material.content
    assert b"data-bs-theme" not in material.content
    assert b"data-bs-theme=dark" in mkdocs.content and b"wy-nav" not in mkdocs.content
    head = render.render_head(render_policy(), lang="en", root="", themes=["material"])
    assert f'href="{render.runtime_assets(render_policy(), themes=["material"])[1].path}"' \
        in head


def render_policy():
    from consent_generator.model import Policy
    return Policy()


def test_apply_links_and_writes_the_css_of_the_recognised_theme(tmp_path):
    from consent_generator.model import Policy
    site = tmp_path / "site"
    site.mkdir()
    for name in ("index.html", "other.html"):
        (site / name).write_text(
            '<!doctype html><html><head><meta name="generator" content="mkdocs-1.6.1, '
            'mkdocs-material-9.5.0"><title>x</title></head><body><p>x</p></body></html>')
    report = apply_site(site, Policy(), jobs=1)
    assert report.themes.themes == ["material"]
    css = render.runtime_assets(Policy(), themes=["material"])[1]
    assert (site / css.path).read_bytes() == css.content
    for name in ("index.html", "other.html"):
        assert css.path in (site / name).read_text()
    assert not (site / render.runtime_assets(Policy())[1].path).exists()

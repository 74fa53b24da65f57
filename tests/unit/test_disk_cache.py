"""The on-disk cache of the minified runtime and the compiled banner template: a hit gives the
same bytes as a fresh render, any changed input is a miss, and a broken or unwritable cache
never breaks a render."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from consent_generator import disk_cache, render
from consent_generator.model import Policy


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    where = tmp_path / "cache"
    monkeypatch.setenv(disk_cache.ENV, str(where))
    monkeypatch.setattr(render, "_ASSETS_CACHE", {})  # the in-process memo would hide the disk
    return where


@pytest.fixture
def runtime_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The runtime sources in a directory the test may edit."""
    copy = tmp_path / "runtime"
    shutil.copytree(render.RUNTIME_DIR, copy)
    monkeypatch.setattr(render, "RUNTIME_DIR", copy)
    monkeypatch.setattr(render, "ADAPTERS_DIR", copy / "adapters")
    return copy


def entries(cache: Path) -> list[Path]:
    return sorted((cache / "runtime").glob("*")) if (cache / "runtime").exists() else []


def test_a_hit_serves_exactly_what_a_fresh_render_gives(cache: Path,
                                                        monkeypatch: pytest.MonkeyPatch):
    first = render.runtime_assets(Policy(), themes=["material"])
    assert len(entries(cache)) == 1
    render._ASSETS_CACHE.clear()
    made = []
    real = render._make_assets
    monkeypatch.setattr(render, "_make_assets", lambda *a: made.append(a) or real(*a))
    second = render.runtime_assets(Policy(), themes=["material"])
    assert second == first and made == []  # served from disk, not minified again
    monkeypatch.setenv(disk_cache.ENV, "off")
    render._ASSETS_CACHE.clear()
    assert render.runtime_assets(Policy(), themes=["material"]) == first and len(made) == 1


def test_a_changed_source_misses_the_cache(cache: Path, runtime_copy: Path):
    before = render.runtime_assets(Policy())
    render._ASSETS_CACHE.clear()
    js = runtime_copy / "consent.js"
    js.write_text(js.read_text(encoding="utf-8") + "\nvar cacheProbe = 1;\n", encoding="utf-8")
    after = render.runtime_assets(Policy())
    assert b"cacheProbe" not in before[0].content
    assert after[0].content != before[0].content and after[0].path != before[0].path
    assert len(entries(cache)) == 2


@pytest.mark.parametrize("change", ["themes", "guard", "version", "producer"])
def test_every_other_input_is_in_the_key(cache: Path, monkeypatch: pytest.MonkeyPatch,
                                         tmp_path: Path, change: str):
    render.runtime_assets(Policy())
    render._ASSETS_CACHE.clear()
    if change == "themes":
        render.runtime_assets(Policy(), themes=["mkdocs"])
    elif change == "guard":
        render.runtime_assets(guard=True)
    elif change == "version":
        monkeypatch.setattr(disk_cache, "__version__", "0.0.0-probe")
        render.runtime_assets(Policy())
    else:  # an edited minifier in a checkout, same version
        minify = tmp_path / "minify.py"
        minify.write_bytes((render.PACKAGE_DIR / "minify.py").read_bytes() + b"\n# edited\n")
        monkeypatch.setattr(render, "_PRODUCERS", (render.PACKAGE_DIR / "render.py", minify))
        render.runtime_assets(Policy())
    assert len(entries(cache)) == 2


def test_a_damaged_entry_is_a_miss_and_is_replaced(cache: Path):
    good = render.runtime_assets(Policy())
    (entry,) = entries(cache)
    for damage in (b"", b"not json", entry.read_bytes().replace(b"var", b"let", 1)):
        entry.write_bytes(damage)
        render._ASSETS_CACHE.clear()
        assert render.runtime_assets(Policy()) == good
        assert entry.read_bytes() != damage


def test_an_unwritable_cache_does_not_fail_the_render(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    monkeypatch.setenv(disk_cache.ENV, str(blocker / "cache"))
    monkeypatch.setattr(render, "_ASSETS_CACHE", {})
    render._env.cache_clear()
    try:
        assert render.runtime_assets(Policy())
        assert "consent-generator:body" in render.render_body(Policy(), lang="en")
    finally:
        render._env.cache_clear()


def test_cache_location_honours_xdg_and_can_be_turned_off(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv(disk_cache.ENV, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", "/x/cache")
    assert disk_cache.cache_dir() == Path("/x/cache/mkdocs-clarity")
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", "/home/u")
    assert disk_cache.cache_dir() == Path("/home/u/.cache/mkdocs-clarity")
    for off in ("off", "0", "no", "OFF"):
        monkeypatch.setenv(disk_cache.ENV, off)
        assert disk_cache.cache_dir() is None


def test_the_banner_template_is_compiled_once_across_processes(cache: Path):
    render._env.cache_clear()
    try:
        body = render.render_body(Policy(), lang="en")
        assert list((cache / "jinja").glob("*/*.cache"))
        render._env.cache_clear()  # a new process: a new environment, the same bytecode
        assert render.render_body(Policy(), lang="en") == body
    finally:
        render._env.cache_clear()


def _service_texts() -> list[tuple[str, str]]:
    """Every catalog snippet and script URL rendered with its params' examples."""
    from consent_generator.services import catalog

    out = []
    for spec in catalog().values():
        params = {p.name: p.example for p in spec.params}
        for kind, source in (("js", spec.snippet), ("url", spec.script_src)):
            if source:
                out.append((kind, render._service_template(kind, source).render(**params)))
    return out


def test_service_templates_from_the_bytecode_cache_render_as_from_string(cache: Path):
    """Cold (compiled, stored), warm (loaded from the cache by a new environment) and
    uncached: the same text as a plain ``from_string`` template with the same options."""
    from jinja2 import Environment

    from consent_generator.services import catalog

    plain = []
    for spec in catalog().values():
        params = {p.name: p.example for p in spec.params}
        js = Environment(autoescape=False, finalize=render._js_string_param,
                         keep_trailing_newline=True)
        url = Environment(autoescape=False, finalize=render._url_param)
        for env, source in ((js, spec.snippet), (url, spec.script_src)):
            if source:
                kind = "js" if env is js else "url"
                plain.append((kind, env.from_string(source).render(**params)))
    assert len(plain) >= 8
    for _ in ("cold", "warm"):
        render._service_env.cache_clear()
        assert _service_texts() == plain
    assert list((cache / "jinja").rglob("*.cache"))  # the warm round read these
    render._service_env.cache_clear()


def test_an_edited_service_template_is_compiled_anew(cache: Path):
    """Templates are loaded by the SHA-256 of their text (and Jinja checks the source's
    checksum): a changed snippet never renders the cached one."""
    render._service_env.cache_clear()
    first = render._service_template("js", "a('{{ id }}');").render(id="x")
    render._service_env.cache_clear()
    second = render._service_template("js", "b('{{ id }}');").render(id="x")
    assert (first, second) == ("a('x');", "b('x');")
    render._service_env.cache_clear()

"""The MkDocs adapter: ``plugins: [search, clarity]``. Thin on purpose.

All the work happens on the *built* HTML in :func:`mkdocs_clarity.engine.site.apply_site` (so the
same engine serves ``mkdocs-clarity apply`` for any static-site generator); this module only
loads the policy early (so a bad ``consent.yml`` stops the build before anything is built),
refuses Material's own analytics/consent (a second banner and ungated tracking), adds the
runtime files to the build and asks ``mkdocs serve`` to watch the policy (and lets the
live-reload script it injects past our CSP, in served responses only).
"""

from __future__ import annotations

import hashlib
import importlib
import inspect
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority, get_plugin_logger
from mkdocs.structure.files import File, Files

from consent_generator.errors import UserError

if TYPE_CHECKING:
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.livereload import LiveReloadServer
    from mkdocs.structure.pages import Page

    from consent_generator.model import Policy
    from mkdocs_clarity.engine.site import SiteRewriter

log = get_plugin_logger(__name__)

_INJECT_HOOK = "_inject_js_into_html"
"""MkDocs 1.x ``LiveReloadServer`` method that appends the live-reload ``<script>`` to every
served HTML page. Private, but MkDocs 1.x is frozen; any other version lacks it or changes it
and :func:`_allow_live_reload` then leaves the server alone."""
_WRAPPED = "__clarity_csp__"


class ClarityConfig(base.Config):  # type: ignore[no-untyped-call]  # mkdocs: untyped hook
    """Options under ``- clarity:`` in mkdocs.yml."""

    enabled = c.Type(bool, default=True)
    """Turn the plugin off (e.g. ``enabled: !ENV [CONSENT, true]``) without removing it."""
    policy = c.Type(str, default="consent.yml")
    """The policy file, relative to mkdocs.yml."""
    jobs = c.Optional(c.Type(int))
    """Worker processes for the rewrite (default: CPU count; 1 = none)."""


RUN_LAST = -1000
"""Event priority of the rewrite (``on_post_build``, and ``on_post_page``, which plans each
page from the text MkDocs then writes): after every other plugin, whatever the
order under ``plugins:``, so pages written in their ``on_post_build`` (mkdocs-redirects'
redirect pages, say) get the policy too. MkDocs runs higher priorities first; default 0;
plugins that want to be last use -100 (mkdocs-static-i18n, whose on_post_build builds the
other languages), so ours is lower still."""


def _material_conflicts(extra: dict[str, Any]) -> list[str]:
    """What Material's built-in consent would do behind our back, and the fix (its analytics
    follow the one theme-analytics rule: :mod:`mkdocs_clarity.themes.analytics`)."""
    problems = []
    if extra.get("consent") if isinstance(extra, dict) else None:
        problems.append(
            "mkdocs.yml: extra.consent turns on Material's own cookie consent, which would show "
            "a second banner. Remove extra.consent from mkdocs.yml; its title/description go "
            "to consent.yml under ui.texts, its cookies under services.")
    return problems


def allow_injected_script(before: bytes, after: bytes) -> bytes:
    """``after`` (the page as MkDocs' live-reload server will send it) with our CSP ``<meta>``
    also allowing the inline script(s) the server inserted into ``before``.

    Why: the server injects its script *after* our rewrite, so the site-wide policy has no
    hash for it and Chromium refuses it (a console violation and no live reload). Only the
    exact inserted scripts are allowed, by sha256 (the epoch and request id in MkDocs' call
    make the hash unique per response), never ``'unsafe-inline'``. Anything but script
    elements inserted at one place, or a page without our meta, is returned unchanged:
    better a blocked reload than a guessed policy.
    """
    from mkdocs_clarity.engine.csp import Csp
    from mkdocs_clarity.engine.rewrite import meta_tag
    from mkdocs_clarity.engine.scan import scan_page

    added = len(after) - len(before)
    at = before.rfind(b"</body>")
    if at < 0:
        at = len(before)
    if added <= 0 or after[:at] != before[:at] or after[at + added:] != before[at:]:
        return after
    block = after[at:at + added]
    if not (block.startswith(b"<script") and block.rstrip().endswith(b"</script>")):
        return after
    try:
        scripts = scan_page(block.decode("utf-8"), "").inline_scripts
        page = after.decode("utf-8")
    except UnicodeDecodeError:
        return after
    hashes = [s.hash for s in scripts if s.executable]
    if not hashes:
        return after  # e.g. only <script src>: 'self' already allows it
    ours = [m for m in scan_page(page, "").csp_metas if m.ours]
    if not ours:
        return after  # header delivery only, or not a page we rewrote
    allow = Csp.parse("script-src " + " ".join(hashes))
    for meta in reversed(ours):  # later offsets first: earlier ones stay valid
        policy = Csp.parse(meta.content).merge(allow)
        page = page[:meta.start] + meta_tag(policy, meta.original) + page[meta.end:]
    return page.encode("utf-8")


def _allow_live_reload(server: object) -> bool:
    """Wrap the serve server's script injection with :func:`allow_injected_script`.

    Only the live server's responses change; the built files (and ``mkdocs build``) never
    see the hash. Returns False, with a debug log, where the private hook is missing.
    """
    inject = getattr(server, _INJECT_HOOK, None)
    if not callable(inject):
        log.debug("%s has no %s (not MkDocs 1.x?): live reload stays blocked by the CSP",
                  type(server).__name__, _INJECT_HOOK)
        return False
    if getattr(inject, _WRAPPED, False):
        return True
    original: Callable[..., Any] = inject

    def inject_allowed(content: Any, *args: Any, **kwargs: Any) -> Any:
        out = original(content, *args, **kwargs)
        if not isinstance(content, bytes) or not isinstance(out, bytes):
            return out
        try:
            return allow_injected_script(content, out)
        except Exception as exc:  # a dev-server response must never turn into a 500
            log.warning("could not allow the live-reload script in the CSP: %s", exc)
            return out

    setattr(inject_allowed, _WRAPPED, True)
    setattr(server, _INJECT_HOOK, inject_allowed)
    return True


ENGINE_MODULES = (
    "consent_generator.policy", "consent_generator.render", "mkdocs_clarity.engine.site",
    "mkdocs_clarity.engine.siteurl", "mkdocs_clarity.engine.cspcheck",
    "mkdocs_clarity.engine.findings", "mkdocs_clarity.themes.analytics")
"""What every build imports (the policy loader, the engine and what they import)."""


def load_engine() -> None:
    """Import every module a build uses, at once.

    Why here and not at the top of this module: MkDocs imports the plugin for every command
    and config check, and a disabled plugin needs none of it; ``on_config`` calls this first.
    A second call costs nothing (the modules are imported). No DOM library: BeautifulSoup
    and soupsieve are imported only for a selector that needs them."""
    if all(module in sys.modules for module in ENGINE_MODULES):
        return  # a `mkdocs serve` rebuild: imported by the first build
    for module in ENGINE_MODULES:
        importlib.import_module(module)


_POLICY_CACHE: dict[Path, tuple[bytes, Policy]] = {}
"""policy file -> (sha256 of its bytes, the validated policy): ``mkdocs serve`` reloads the
config on every change, and a policy whose bytes did not change is not validated again."""


def _load_policy_cached(path: Path, load: Callable[[Path], Policy],
                        check_masking: Callable[[Any], object]) -> Policy:
    """The policy at ``path``, validated (selectors compiled) once per content of the file.

    The key is the file's bytes, not its mtime, so an edit is never missed however fast it
    follows the last one; a file that cannot be read goes straight to ``load`` for its error.
    The result is the *same* Policy object while the bytes stay the same, which lets the
    rewrite reuse what it rendered for it (see ``site.renderer_for``)."""
    try:
        digest = hashlib.sha256(path.read_bytes()).digest()
    except OSError:
        return load(path)
    cached = _POLICY_CACHE.get(path)
    if cached is not None and cached[0] == digest:
        return cached[1]
    policy = load(path)
    check_masking(policy.masking)
    _POLICY_CACHE[path] = (digest, policy)
    return policy


def _last_post_page(config: MkDocsConfig, plugin: object) -> bool:
    """Whether ``plugin``'s on_post_page runs last, so what it sees is what MkDocs writes."""
    handlers = config.plugins.events.get("post_page") or []
    last = inspect.unwrap(handlers[-1]) if handlers else None  # a profiler's wrapper, say
    return getattr(last, "__self__", None) is plugin


class ClarityPlugin(BasePlugin[ClarityConfig]):  # type: ignore[no-untyped-call]  # as above
    """Consent-first analytics: gating, a strict site-wide CSP and Clarity masking."""

    supports_multiple_instances = False

    def __init__(self) -> None:
        self.policy: Policy | None = None
        self.policy_path: Path | None = None
        self._command = "build"
        self._rewriter: SiteRewriter | None = None
        self._written: str | None = None
        self._from_output = False
        """Pages are planned from the text ``on_post_page`` gets (see there)."""

    def on_startup(self, *, command: str, dirty: bool) -> None:
        self._command = command

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        if not self.config.enabled:
            return config
        load_engine()
        from consent_generator.policy import PolicyError, load_policy
        from mkdocs_clarity.engine.masking import compile_masking

        base_dir = Path(config.config_file_path or ".").resolve().parent
        self.policy_path = (base_dir / self.config.policy).resolve()
        try:
            self.policy = _load_policy_cached(self.policy_path, load_policy, compile_masking)
        except PolicyError as exc:
            raise PluginError(f"clarity: the consent policy has problems:\n{exc}") from None
        except UserError as exc:
            raise PluginError(f"clarity: {self.policy_path}: {exc}") from None
        conflicts = _material_conflicts(dict(config.extra or {}))
        conflicts += self._theme_analytics(config)
        if conflicts:
            raise PluginError("clarity: " + "\n".join(conflicts))
        for w in self.policy.warnings:
            log.warning(str(w))
        return config

    def _theme_analytics(self, config: MkDocsConfig) -> list[str]:
        """The theme's own analytics: the same id as consent.yml is dropped from the config
        (the consent runtime loads it, once, after consent); anything else is an error."""
        from mkdocs_clarity.themes import analytics

        found = analytics.from_config(config)
        assert self.policy is not None
        problems = analytics.check(self.policy, found, built=False)
        if found and not problems:
            analytics.drop_from_config(config)
            log.info("%s: %s is loaded by the consent runtime after consent (declared in %s)",
                     found[0].setting, found[0].measurement_id,
                     analytics.policy_line(self.policy))
        return problems

    @event_priority(RUN_LAST)
    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        """The runtime as build files: served by ``mkdocs serve`` and copied like any asset.
        Last, like the rewrite: a plugin that walks the files expecting sources on disk
        (mkdocs-static-i18n reads every ``abs_src_path``) never meets our generated ones."""
        if not self.config.enabled:
            return files
        from consent_generator import render
        from mkdocs_clarity.themes import config_facts, theme_names

        themes = theme_names(config_facts(config))  # pages linking another CSS get it too
        for asset in render.runtime_assets(self.policy, guard=self.policy.csp.trusted_types,  # type: ignore[union-attr]
                                           themes=themes):
            if files.get_file_from_path(asset.path) is None:
                files.append(File.generated(config, asset.path, content=asset.content))
        self._start(config, len(files.documentation_pages()), last=_last_post_page(config, self))
        return files

    def _start(self, config: MkDocsConfig, pages: int, last: bool = False) -> None:
        from mkdocs_clarity.engine.site import PARALLEL_THRESHOLD, SiteRewriter, default_jobs
        from mkdocs_clarity.engine.siteurl import parse_site_url

        self._close()
        # `mkdocs serve` builds in a thread next to the live-reload server: forking a
        # multi-threaded process is unsafe, and dev sites are small, so rewrite in-process.
        jobs = 1 if self._command == "serve" else self.config.jobs
        # Small sites: plan from on_post_page's text in this process. Large ones: a worker
        # plans each page from disk while MkDocs renders the next, which hides that work
        # in wall time on a second core (see site.PARALLEL_THRESHOLD).
        self._from_output = last and (pages < PARALLEL_THRESHOLD or default_jobs(jobs) == 1)
        # Like MkDocs' own 404 page: absolute links when site_url says where the site lives;
        # the same reading of a site URL as `mkdocs-clarity apply --site-url`.
        origin = base_path = None
        if config.site_url:
            try:
                site = parse_site_url(config.site_url, "site_url")
            except UserError as exc:
                raise PluginError(f"clarity: {exc}") from None
            origin, base_path = site.origin, site.base_path
        self._written = None
        if self.policy is None:  # on_config loads it whenever the plugin is enabled
            raise PluginError("clarity: the consent policy was not loaded")
        from mkdocs_clarity.themes import config_facts

        self._rewriter = SiteRewriter(config.site_dir, self.policy, jobs=jobs,
                                      site_origin=origin, base_path=base_path,
                                      expected_pages=0 if self._from_output else pages,
                                      theme_facts=config_facts(config))

    def _close(self) -> None:
        if self._rewriter is not None:
            self._rewriter.close()
            self._rewriter = None

    @event_priority(RUN_LAST)
    def on_post_page(self, output: str, *, page: Page, config: MkDocsConfig) -> str:
        """Pass 1 for this page, from ``output``: the text MkDocs writes next, when no other
        plugin's ``on_post_page`` runs after ours. That saves reading and decoding every page
        again (and, on large sites, a worker pool during the build).

        Nothing is written here: pages are rewritten in on_post_build, once every page is
        planned and the site-wide CSP is known; a failure there stops the build before the
        first page is rewritten (MkDocs' own output stays as it was written), and a page
        changed on disk since it was planned makes the site be planned again from disk.
        The planning itself waits for on_post_build while the texts fit the budget for kept
        texts (``SiteRewriter._plan_later``): in one run it costs less, and so does MkDocs'
        rendering without it in between; a page that cannot be gated then fails the build
        there, with the same message.
        Otherwise the *previous* page (written by now) is planned from disk, in a worker on
        large sites; whatever was not planned is planned in on_post_build."""
        if self._rewriter is None:
            return output
        try:
            if self._from_output:
                self._rewriter.plan_output(page.file.dest_uri, output)
            else:
                if self._written is not None:
                    self._rewriter.submit(self._written)
                self._written = page.file.dest_uri
        except UserError as exc:  # a page that cannot be gated: MkDocs' own error format
            raise PluginError(f"clarity: {exc}") from None
        return output

    def on_build_error(self, *, error: Exception) -> None:
        self._close()

    def on_shutdown(self) -> None:
        self._close()

    def on_serve(self, server: LiveReloadServer, *, config: MkDocsConfig,
                 builder: Callable[..., Any]) -> LiveReloadServer:
        """Rebuild when the policy changes (it is not under docs/), and let the live-reload
        script MkDocs injects into served pages run under our CSP."""
        if self.config.enabled and self.policy_path is not None:
            server.watch(str(self.policy_path))
            # Unconditional: a rebuild may switch csp.delivery to meta; pages without our
            # meta pass through unchanged.
            _allow_live_reload(server)
        return server

    @event_priority(RUN_LAST)
    def on_post_build(self, *, config: MkDocsConfig) -> None:
        if not self.config.enabled or self.policy is None:
            return
        if self._rewriter is None:
            self._start(config, 0)
        started = time.perf_counter()
        try:
            report = self._rewriter.finish(  # type: ignore[union-attr]
                strict=bool(config.get("strict")))  # mkdocs --strict: a weakening is an error
        except UserError as exc:
            raise PluginError(f"clarity: {exc}") from None
        finally:
            self._close()
        notes = set(report.gating_notes)
        for w in report.warnings:
            # Auto-gating is the plugin doing its job: info, so --strict builds still pass;
            # `mkdocs-clarity audit` lists every gated element for review.
            (log.info if w in notes else log.warning)(w)
        log.info("rewrote %d of %d pages in %.2f s; CSP %d bytes, %d hashes",
                 report.pages_changed, report.pages, time.perf_counter() - started,
                 report.policy_bytes, report.hashes)

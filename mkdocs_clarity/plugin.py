"""The MkDocs adapter: ``plugins: [search, clarity]``. Thin on purpose.

All the work happens on the *built* HTML in :func:`mkdocs_clarity.site.apply_site` (so the
same engine serves ``mkdocs-clarity apply`` for any static-site generator); this module only
loads the policy early (so a bad ``consent.yml`` stops the build before anything is built),
refuses Material's own analytics/consent (a second banner and ungated tracking), adds the
runtime files to the build and asks ``mkdocs serve`` to watch the policy.
"""

from __future__ import annotations

import time
from pathlib import Path
from urllib.parse import urlsplit

from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, get_plugin_logger
from mkdocs.structure.files import File, Files

from consent_generator import render
from consent_generator.errors import UserError
from consent_generator.model import Policy

log = get_plugin_logger(__name__)


class ClarityConfig(base.Config):
    """Options under ``- clarity:`` in mkdocs.yml."""

    enabled = c.Type(bool, default=True)
    """Turn the plugin off (e.g. ``enabled: !ENV [CONSENT, true]``) without removing it."""
    policy = c.Type(str, default="consent.yml")
    """The policy file, relative to mkdocs.yml."""
    jobs = c.Optional(c.Type(int))
    """Worker processes for the rewrite (default: CPU count; 1 = none)."""


def _material_conflicts(extra: dict) -> list[str]:
    """What Material's built-in analytics/consent would do behind our back, and the fix."""
    problems = []
    analytics = extra.get("analytics") if isinstance(extra, dict) else None
    if analytics:
        provider = analytics.get("provider") if isinstance(analytics, dict) else None
        prop = analytics.get("property") if isinstance(analytics, dict) else None
        move = "services:\n    google-analytics: {category: analytics, measurement_id: " \
               f'"{prop or "G-XXXXXXXXXX"}"}}'
        problems.append(
            f"mkdocs.yml: extra.analytics (provider: {provider}) makes Material load "
            "analytics itself, outside the consent banner and the CSP. Remove extra.analytics "
            f"from mkdocs.yml and declare it in consent.yml instead:\n  {move}")
    if extra.get("consent") if isinstance(extra, dict) else None:
        problems.append(
            "mkdocs.yml: extra.consent turns on Material's own cookie consent, which would show "
            "a second banner. Remove extra.consent from mkdocs.yml; its title/description go "
            "to consent.yml under ui.texts, its cookies under services.")
    return problems


class ClarityPlugin(BasePlugin[ClarityConfig]):
    """Consent-first analytics: gating, a strict site-wide CSP and Clarity masking."""

    supports_multiple_instances = False

    def __init__(self) -> None:
        self.policy: Policy | None = None
        self.policy_path: Path | None = None
        self._command = "build"
        self._rewriter = None
        self._written: str | None = None

    def on_startup(self, *, command: str, dirty: bool) -> None:
        self._command = command

    def on_config(self, config):
        if not self.config.enabled:
            return config
        from consent_generator.policy import PolicyError, load_policy

        from .masking import compile_masking

        base_dir = Path(config.config_file_path or ".").resolve().parent
        self.policy_path = (base_dir / self.config.policy).resolve()
        try:
            self.policy = load_policy(self.policy_path)
            compile_masking(self.policy.masking)
        except PolicyError as exc:
            raise PluginError(f"clarity: the consent policy has problems:\n{exc}") from None
        except UserError as exc:
            raise PluginError(f"clarity: {self.policy_path}: {exc}") from None
        conflicts = _material_conflicts(dict(config.extra or {}))
        if conflicts:
            raise PluginError("clarity: " + "\n".join(conflicts))
        for w in self.policy.warnings:
            log.warning(str(w))
        return config

    def on_files(self, files: Files, *, config) -> Files:
        """The runtime as build files: served by ``mkdocs serve`` and copied like any asset."""
        if not self.config.enabled:
            return files
        for asset in render.runtime_assets():
            if files.get_file_from_path(asset.path) is None:
                files.append(File.generated(config, asset.path, content=asset.content))
        self._start(config, len(files.documentation_pages()))
        return files

    def _start(self, config, pages: int) -> None:
        from .site import SiteRewriter

        self._close()
        # `mkdocs serve` builds in a thread next to the live-reload server: forking a
        # multi-threaded process is unsafe, and dev sites are small, so rewrite in-process.
        jobs = 1 if self._command == "serve" else self.config.jobs
        parts = urlsplit(config.site_url or "")
        origin = f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else None
        # Like MkDocs' own 404 page: absolute links when site_url says where the site lives.
        base_path = (parts.path or "/") if config.site_url else None
        if base_path is not None and not base_path.endswith("/"):
            base_path += "/"
        self._written = None
        self._rewriter = SiteRewriter(config.site_dir, self.policy, jobs=jobs,
                                      site_origin=origin, base_path=base_path,
                                      expected_pages=pages)

    def _close(self) -> None:
        if self._rewriter is not None:
            self._rewriter.close()
            self._rewriter = None

    def on_post_page(self, output: str, *, page, config) -> str:
        """Plan the *previous* page (MkDocs wrote it right after its on_post_page) in a worker
        while MkDocs renders this one: pass 1 of the rewrite overlaps the build. Pages are
        rewritten in on_post_build, once the site-wide CSP is known; whatever was not
        submitted is planned there from disk."""
        if self._rewriter is not None:
            if self._written is not None:
                self._rewriter.submit(self._written)
            self._written = page.file.dest_uri
        return output

    def on_build_error(self, *, error: Exception) -> None:
        self._close()

    def on_shutdown(self) -> None:
        self._close()

    def on_serve(self, server, *, config, builder):
        if self.config.enabled and self.policy_path is not None:
            server.watch(str(self.policy_path))
        return server

    def on_post_build(self, *, config) -> None:
        if not self.config.enabled or self.policy is None:
            return
        if self._rewriter is None:
            self._start(config, 0)
        started = time.perf_counter()
        try:
            report = self._rewriter.finish()  # type: ignore[union-attr]
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

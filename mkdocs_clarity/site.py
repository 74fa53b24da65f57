"""Apply a policy to a whole built site: scan every page, build ONE site-wide CSP, rewrite.

Two passes because the policy must be the union over all pages before any page can carry it
(Material's instant navigation keeps the first page's policy). Pass 1 reads each page once,
scans it and plans its splices (:func:`rewrite.plan_page`); only the small plan is kept, never
the page, so memory stays flat in page count. Pass 2 re-reads each page, applies its plan
with the final CSP and writes it atomically (temp file + ``os.replace``) only when its bytes
change. Large sites are processed by a process pool (the work is CPU-bound regex scanning).

Pages are decoded as UTF-8 with ``surrogateescape`` so that any byte, valid UTF-8 or not,
round-trips unchanged.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import multiprocessing.pool
import os
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from functools import lru_cache
from itertools import chain
from pathlib import Path
from typing import TYPE_CHECKING, TypedDict

from consent_generator import render
from consent_generator.atomic import write_atomic
from consent_generator.errors import UserError
from consent_generator.model import Policy

from .csp import Csp, SiteCsp, SiteCspBuilder
from .masking import CompiledMasking, compile_masking
from .rewrite import Gated, PagePlan, Renderer, apply_plan, plan_page, strip_injected
from .themes import Facts, ThemeReport, analytics, decide, page_facts


class ThemeAnalyticsError(UserError):
    """The theme loads its own Google Analytics (see :mod:`mkdocs_clarity.themes.analytics`)."""

if TYPE_CHECKING:
    from .hosts import HeaderFile
    from .scan import PageScan

Progress = Callable[[str, int, int], None]
"""``progress(phase, done, total)``: ``"scan"`` once per page planned in pass 1 (all of them
for ``mkdocs-clarity apply``; the plugin plans most pages during the build), then ``"write"``
once per page of pass 2. Both passes read every page, so a bar showing only one would sit
still for half the run."""

PARALLEL_THRESHOLD = 48
"""Below this many pages a pool costs more than it saves."""


@dataclass
class SiteReport:
    """What :func:`apply_site` did (or would do, with ``dry_run``)."""

    site_dir: Path
    csp: SiteCsp
    pages: int = 0
    """HTML files seen."""
    changed: list[str] = field(default_factory=list)
    """Pages whose bytes changed (written, or that would be written in a dry run)."""
    not_pages: list[str] = field(default_factory=list)
    """HTML fragments without html/head/body, left untouched."""
    gated_elements: list[tuple[str, Gated]] = field(default_factory=list)
    """(page, gated element) for every tracker made inert."""
    masked: int = 0
    """Mask attributes added."""
    warnings: list[str] = field(default_factory=list)
    """Every warning, auto-gating notes included."""
    gating_notes: list[str] = field(default_factory=list)
    """The auto-gating notes (``page:line: <service> <kind> auto-gated into '<category>'``)."""
    assets: list[str] = field(default_factory=list)
    """Runtime assets written (paths relative to the site root)."""
    header_files: list[HeaderFile] = field(default_factory=list)
    """``hosts.HeaderFile`` for every header file written (header deliveries)."""
    dry_run: bool = False
    workers: int = 0
    """Worker processes used (0: everything ran in this process, e.g. a small site)."""
    themes: ThemeReport = field(default_factory=ThemeReport)
    """Recognised themes and the sources their run-time features added (themes/)."""

    @property
    def meta_policy(self) -> Csp:
        return self.csp.meta_policy

    @property
    def pages_changed(self) -> int:
        return len(self.changed)

    @property
    def pages_unchanged(self) -> int:
        return self.pages - len(self.changed) - len(self.not_pages)

    @property
    def gated(self) -> int:
        return len(self.gated_elements)

    @property
    def policy_bytes(self) -> int:
        return len(self.csp.meta_policy.serialize().encode())

    @property
    def hashes(self) -> int:
        return sum(1 for _, sources in self.csp.policy.directives for s in sources
                   if s.startswith("'sha"))


# -- worker side --------------------------------------------------------------------------------

class _WorkerState(TypedDict, total=False):
    policy: Policy
    site_dir: str
    masking: CompiledMasking
    renderer: Renderer
    base_path: str | None


_STATE: _WorkerState = {}

Stamp = tuple[str, int, int]
"""How pass 2 knows a page is still what pass 1 planned: ``("stat", size, mtime_ns)``."""
Planned = tuple[str, PagePlan, "PageScan", Stamp, frozenset[str]]
"""Pass 1's result for one page: (rel, plan, scan, stamp)."""


def _init(policy: Policy, site_dir: str, masking: CompiledMasking,
          worker: bool = False, base_path: str | None = None) -> None:
    _STATE.update(_WorkerState(policy=policy, site_dir=site_dir, masking=masking,
                               renderer=Renderer(policy), base_path=base_path))
    if worker:
        # Workers run beside MkDocs' own rendering: on a busy machine the build comes first,
        # the scan takes the cycles left over (the build waits for it only at the end).
        with contextlib.suppress(OSError):
            os.nice(10)


def _read(path: str) -> tuple[bytes, os.stat_result]:
    with open(path, "rb") as f:
        st = os.fstat(f.fileno())
        data = f.read()
    return data, st


def _decode(data: bytes) -> str:
    return data.decode("utf-8", "surrogateescape")


def _plan_text(rel: str, text: str) -> tuple[PagePlan, PageScan, frozenset[str]]:
    root = _STATE["base_path"] if rel == "404.html" else None
    text = strip_injected(text)
    plan, scan = plan_page(text, rel, _STATE["policy"],
                           masking=_STATE["masking"],
                           renderer=_STATE["renderer"],
                           root=root)
    # The scan travels back only for the CSP: drop what only the rewrite needed.
    facts = page_facts(text) if plan.is_page else frozenset()
    return plan, replace(scan, opaque=(), tag_index={}), facts


def _plan_file(rel: str) -> Planned:
    data, st = _read(os.path.join(_STATE["site_dir"], rel))
    plan, scan, facts = _plan_text(rel, _decode(data))
    return rel, plan, scan, ("stat", st.st_size, st.st_mtime_ns), facts


def _plan_files(rels: list[str]) -> list[Planned]:
    """:func:`_plan_file` for a batch (one pool task, one result message)."""
    return [_plan_file(rel) for rel in rels]


@lru_cache(maxsize=4)
def _parse_csp(text: str) -> Csp:
    return Csp.parse(text)


def _apply_one(args: tuple[str, PagePlan, Stamp, str | None, bool]) -> tuple[str, bool, bool]:
    """Pass 2 for one page -> (rel, changed, stale). A stale page (changed on disk since it
    was planned) is left alone; the driver then redoes the site from disk."""
    rel, plan, stamp, csp_text, dry_run = args
    path = os.path.join(_STATE["site_dir"], rel)
    data, st = _read(path)
    if ("stat", st.st_size, st.st_mtime_ns) != stamp:
        return rel, False, True
    text = _decode(data)
    csp = _parse_csp(csp_text) if csp_text is not None else None
    out = apply_plan(strip_injected(text), plan, csp, _STATE["renderer"])
    if out == text:
        return rel, False, False
    if not dry_run:
        write_atomic(path, out.encode("utf-8", "surrogateescape"))
    return rel, True, False


# -- driver -------------------------------------------------------------------------------------

def html_files(site_dir: Path) -> list[str]:
    """Every ``*.html`` under ``site_dir`` (relative, ``/`` separators, sorted for stable
    output and provenance order)."""
    out = []
    for root, dirs, files in os.walk(site_dir):
        dirs.sort()
        for name in sorted(files):
            if name.endswith((".html", ".htm")):
                rel = os.path.relpath(os.path.join(root, name), site_dir)
                out.append(rel.replace(os.sep, "/"))
    return out


class SiteRewriter:
    """The two passes, usable incrementally.

    :meth:`submit` hands a page that MkDocs has just written to the pool *while MkDocs is
    still building*: MkDocs renders on one core, so pass 1 runs on the others and only pass 2
    (read, splice, write) remains after the build. Workers read the file themselves (the page
    cache makes that nearly free) so the build process never pickles page text.
    :meth:`finish` plans whatever was not submitted (404.html, HTML copied from docs/, every
    page for ``mkdocs-clarity apply``) from disk, so the result never depends on what was
    submitted: a page that changed on disk after it was planned makes the site be redone.
    """

    BATCH = 16
    """Pages per pool task during the build. Every task costs the build process two wake-ups
    of the pool's helper threads (the task handler sends it, the result handler unpickles the
    answer), and each one makes MkDocs' rendering thread hand over the GIL: one task per page
    measured ~20 context switches per page in the MkDocs process on a 10,000-page build;
    batches divide that by the batch size while the workers trail the build by a few pages."""
    MAX_BATCH = 4 * BATCH
    """Pages waiting for the batch in flight, at most (then the build waits for it): bounds
    memory whatever the site size."""

    def __init__(self, site_dir: Path | str, policy: Policy, *, jobs: int | None = None,
                 site_origin: str | None = None, base_path: str | None = None,
                 expected_pages: int = 0, theme_facts: Facts = frozenset()) -> None:
        self.site_dir = Path(site_dir)
        self._config_facts = theme_facts
        """What the MkDocs config says about the theme (the plugin's front end)."""
        self._facts: set[str] = set(theme_facts)
        self.base_path = base_path
        self.policy = policy
        self.site_origin = site_origin
        self.masking = compile_masking(policy.masking)
        if jobs is None:
            jobs = min(os.cpu_count() or 1, 8)
        self.jobs = jobs
        self._pool: multiprocessing.pool.Pool | None = None
        self._pending: deque[multiprocessing.pool.AsyncResult[list[Planned]]] = deque()
        self._batch: list[str] = []
        self._planned: dict[str, tuple[PagePlan, Stamp]] = {}
        self._changed: set[str] = set()
        """Pages written so far (kept across a redo, which finds them already rewritten)."""
        self._builder = SiteCspBuilder(policy, site_origin=site_origin)
        _init(policy, str(self.site_dir), self.masking, False, base_path)
        if jobs > 1 and expected_pages >= PARALLEL_THRESHOLD:
            self._start_pool()

    def _start_pool(self) -> None:
        if self._pool is None:
            ctx = multiprocessing.get_context("fork")
            self._pool = ctx.Pool(self.jobs, initializer=_init,
                                  initargs=(self.policy, str(self.site_dir), self.masking, True,
                                            self.base_path))

    def submit(self, rel: str) -> None:
        """Plan page ``rel`` (already written under the site dir) in a worker, soon: pages
        go to the pool in batches of :attr:`BATCH` (the last, partial batch in :meth:`finish`)."""
        if self._pool is None:
            self._store(_plan_file(rel))
            return
        # One batch in flight at a time, so during the build at most one worker runs beside
        # MkDocs (one worker keeps up easily: planning a page costs a fraction of rendering
        # it). On two cores a second busy worker shares MkDocs' core, and even niced its time
        # slices and the cache they evict slow MkDocs down (10,000 pages: MkDocs-process CPU
        # 146.6 s -> 142.6 s with this limit). Pass 2, after the build, uses every worker.
        self._batch.append(rel)
        while self._pending and (self._pending[0].ready() or len(self._batch) >= self.MAX_BATCH):
            self._store_all(self._pending.popleft().get())
        if not self._pending and len(self._batch) >= self.BATCH:
            self._send_batch()

    def _send_batch(self) -> None:
        if self._batch and self._pool is not None:
            self._pending.append(self._pool.apply_async(_plan_files, (self._batch,)))
        self._batch = []

    def _store_all(self, results: list[Planned]) -> None:
        for result in results:
            self._store(result)

    def _store(self, result: Planned) -> None:
        """Keep the plan; the scan goes into the CSP builder right away and is dropped."""
        rel, plan, scan, stamp, facts = result
        self._planned[rel] = (plan, stamp)
        self._facts |= facts
        if plan.is_page:
            self._builder.add(scan)

    def close(self) -> None:
        self._batch = []
        if self._pool is not None:
            self._pool.terminate()
            self._pool.join()
            self._pool = None

    def finish(self, *, dry_run: bool = False, progress: Progress | None = None) -> SiteReport:
        try:
            report = self._run(dry_run, progress, first_attempt=True)
            if report is None:  # a submitted page changed on disk: redo from disk
                self._planned.clear()
                self._facts = set(self._config_facts)
                self._builder = SiteCspBuilder(self.policy, site_origin=self.site_origin)
                report = self._run(dry_run, progress, first_attempt=False)
            assert report is not None
            return report
        finally:
            self.close()

    def _run(self, dry_run: bool, progress: Progress | None,
             first_attempt: bool) -> SiteReport | None:
        self._send_batch()
        while self._pending:
            self._store_all(self._pending.popleft().get())
        files = html_files(self.site_dir)
        total = len(files)
        if self.jobs > 1 and total >= PARALLEL_THRESHOLD:
            self._start_pool()
        pool = self._pool
        todo = [rel for rel in files if rel not in self._planned]
        fresh = (pool.imap_unordered(_plan_file, todo, chunksize=8) if pool is not None
                 else map(_plan_file, todo))
        for done, result in enumerate(fresh, 1):
            self._store(result)
            if progress:
                progress("scan", done, len(todo))

        warnings: list[str] = []
        notes: list[str] = []
        gated: list[tuple[str, Gated]] = []
        not_pages: list[str] = []
        masked = 0
        tasks = []
        themes = decide(self._facts, self.site_dir)
        problems = analytics.check(self.policy, analytics.from_facts(self._facts), built=True)
        if problems:
            raise ThemeAnalyticsError("\n".join(problems))
        self._builder.add_theme_needs(themes.needs)
        site_csp = self._builder.result()
        meta = site_csp.meta_policy.serialize() if "meta" in self.policy.csp.delivery else None
        for rel in files:  # sorted: reports list pages in a stable order
            plan, stamp = self._planned.pop(rel)
            # Fragments go through pass 2 too: only there is a file checked against what was
            # planned (a page read mid-write looks like an empty fragment).
            tasks.append((rel, plan, stamp, meta, dry_run))
            if not plan.is_page:
                not_pages.append(rel)
                continue
            warnings.extend(plan.warnings)
            notes.extend(plan.gating_notes)
            gated.extend((rel, g) for g in plan.gated)
            masked += plan.masked
        if pool is not None:
            # This process would only wait: it takes its share of pass 2 too.
            share = len(tasks) // (self.jobs + 1)
            mine, theirs = tasks[:share], tasks[share:]
            async_results = pool.imap_unordered(_apply_one, theirs, chunksize=8)
            results: Iterable[tuple[str, bool, bool]] = chain(map(_apply_one, mine),
                                                              async_results)
        else:
            results = map(_apply_one, tasks)
        stale = []
        for done, (rel, did_change, is_stale) in enumerate(results, 1):
            if is_stale:
                stale.append(rel)
            elif did_change:
                self._changed.add(rel)
            if progress:
                progress("write", done, len(tasks))
        changed = sorted(self._changed)
        if stale:
            if not first_attempt:
                raise RuntimeError(f"pages changed while being rewritten: {stale[:5]}")
            return None

        assets = []
        for asset in render.runtime_assets(self.policy):
            target = self.site_dir / asset.path
            if target.exists() and target.read_bytes() == asset.content:
                continue
            assets.append(asset.path)
            if not dry_run:
                target.parent.mkdir(parents=True, exist_ok=True)
                write_atomic(str(target), asset.content)

        header_files = _export_headers(self.site_dir, site_csp, self.policy, dry_run,
                                       self.site_origin)
        warnings.extend(site_csp.warnings)
        warnings.extend(themes.warnings)
        return SiteReport(site_dir=self.site_dir, csp=site_csp, pages=total, changed=changed,
                          not_pages=not_pages, gated_elements=gated, masked=masked,
                          warnings=list(dict.fromkeys(warnings)), gating_notes=notes,
                          assets=assets,
                          header_files=header_files, dry_run=dry_run,
                          workers=self.jobs if pool is not None else 0, themes=themes)


def apply_site(site_dir: Path | str, policy: Policy, *, jobs: int | None = None,
               dry_run: bool = False, progress: Progress | None = None,
               site_origin: str | None = None, base_path: str | None = None) -> SiteReport:
    """Apply ``policy`` to every HTML file under ``site_dir`` (see the module docstring).

    ``jobs``: worker processes (default: the CPU count, at most 8; 1 = in this process).
    ``site_origin``: the site's own origin (``https://example.org``), so its absolute URLs are
    covered by ``'self'``. ``base_path``: the site's URL path (``/`` or ``/docs/``), used for
    the links injected into ``404.html``, which is served at any depth (relative links would
    break there); without it 404.html gets relative links like any root page.
    Raises :class:`~mkdocs_clarity.masking.MaskingError` for a masking selector that is not
    CSS, before touching any file.
    """
    rewriter = SiteRewriter(site_dir, policy, jobs=jobs, site_origin=site_origin,
                            base_path=base_path)
    return rewriter.finish(dry_run=dry_run, progress=progress)


def _export_headers(site_dir: Path, site_csp: SiteCsp, policy: Policy, dry_run: bool,
                    site_origin: str | None = None) -> list[HeaderFile]:
    """Header deliveries (netlify, vercel, ...) get the *full* policy, which may carry what a
    ``<meta>`` cannot (frame-ancestors, report-uri/report-to), and the security headers
    (HSTS only when ``site_origin`` is https)."""
    if set(policy.csp.delivery) <= {"meta"}:
        return []
    from . import hosts

    https = None if site_origin is None else site_origin.lower().startswith("https:")
    return hosts.export(site_dir, site_csp.policy, policy.csp, headers=policy.headers,
                        https=https, dry_run=dry_run)

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

import codecs
import contextlib
import os
import re
import signal
import sys
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, TypedDict

from consent_generator import render
from consent_generator.atomic import write_atomic
from consent_generator.errors import UserError
from consent_generator.model import Policy
from mkdocs_clarity.engine.csp import Csp, SiteCsp, SiteCspBuilder
from mkdocs_clarity.engine.embeds import THIRD_PARTY
from mkdocs_clarity.engine.masking import CompiledMasking, compile_masking
from mkdocs_clarity.engine.pages import is_page_name
from mkdocs_clarity.engine.rewrite import (
    Gated,
    PagePlan,
    Renderer,
    apply_plan,
    plan_page,
    splice,
    splice_order,
    strip_injected,
)
from mkdocs_clarity.themes import Facts, ThemeReport, analytics, decide, page_facts, unmet


class ThemeAnalyticsError(UserError):
    """The theme loads its own Google Analytics (see :mod:`mkdocs_clarity.themes.analytics`)."""


if TYPE_CHECKING:
    from concurrent.futures import Future, ProcessPoolExecutor

    from mkdocs_clarity.engine.scan import PageScan
    from mkdocs_clarity.hosts import HeaderFile
    from mkdocs_clarity.themes import ThemeNeed

Progress = Callable[[str, int, int], None]
"""``progress(phase, done, total)``: ``"scan"`` once per page planned in pass 1 (all of them
for ``mkdocs-clarity apply``; the plugin plans most pages during the build), then ``"write"``
once per page of pass 2. Both passes read every page, so a bar showing only one would sit
still for half the run."""

PARALLEL_THRESHOLD = 500
"""Below this many pages a pool costs more than it saves. Measured (issue 15, 2 cores): at
150 Material pages planning and rewriting in-process took 0.27 s CPU, a 2-worker pool
0.40-0.42 s CPU for no shorter wall time; at 1,000 pages (~320 KB each) the in-process work
is ~6 s, which the pool overlaps with MkDocs' rendering (wall 1.27x -> ~1.05x)."""


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


class SiteError(UserError):
    """The site cannot be applied as it is; raised before anything is written."""


class Interrupted(UserError):
    """SIGINT/SIGTERM during the writes: the pages in flight were finished, nothing half
    written; :attr:`exit_code` 130 as shells expect."""

    exit_code = 130


# -- worker side --------------------------------------------------------------------------------

class _WorkerState(TypedDict, total=False):
    policy: Policy
    site_dir: str
    masking: CompiledMasking
    renderer: Renderer
    base_path: str | None
    site_origin: str | None


_STATE: _WorkerState = {}
_STOP = threading.Event()
"""Set by SIGINT/SIGTERM in the driver: pages not yet started are left for the next run."""

Stamp = tuple[str, int, int, int]
"""How pass 2 knows a page is still what pass 1 planned: ``("stat", size, mtime_ns, chars)``;
``chars`` is the length of the planned text, or -1 when the plan was made from the file
itself (then the stat alone says it is unchanged)."""
Planned = tuple[str, PagePlan, "PageScan", Stamp, frozenset[str]]
Task = tuple[str, PagePlan, Stamp, "str | None", bool, tuple[str, ...], "str | None"]
"""Pass 2's input for one page: (rel, plan, stamp, meta policy text, dry_run, the site's
recognised themes: which theme parts the runtime CSS its head links carries, and the page's
text when pass 1 kept it: see :attr:`SiteRewriter.TEXT_BUDGET`)."""
"""Pass 1's result for one page: (rel, plan, scan, stamp, theme facts)."""


def _init(policy: Policy, site_dir: str, masking: CompiledMasking,
          worker: bool = False, base_path: str | None = None,
          site_origin: str | None = None) -> None:
    _STATE.update(_WorkerState(policy=policy, site_dir=site_dir, masking=masking,
                               renderer=renderer_for(policy), base_path=base_path,
                               site_origin=site_origin))
    if worker:
        # Ctrl-C reaches the whole process group: the driver alone decides what to finish.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        # Forked under the driver's handler: the pool's terminate() must still end a worker,
        # but not halfway through writing a page, which would leave its temporary file (the
        # executor terminates the other workers when one of them dies).
        signal.signal(signal.SIGTERM, _exit_on_term)
        # Workers run beside MkDocs' own rendering: on a busy machine the build comes first,
        # the scan takes the cycles left over (the build waits for it only at the end).
        with contextlib.suppress(OSError):
            os.nice(10)


_WRITING: list[int] = []
"""Non-empty while this worker writes a page; then holds the SIGTERM that came meanwhile."""


def _exit_on_term(signum: int, frame: object) -> None:
    """End the worker now, or right after the page it is writing (see :func:`_write`)."""
    if _WRITING:
        _WRITING.append(signum)
    else:
        os._exit(128 + signum)


def _write(path: str, data: bytes | Iterable[bytes]) -> None:
    """``write_atomic``, never cut short by a SIGTERM (which then ends the worker after it)."""
    _WRITING.append(0)
    try:
        write_atomic(path, data)
    finally:
        signum = max(_WRITING)
        _WRITING.clear()
        if signum:
            os._exit(128 + signum)


_RENDERERS: dict[int, tuple[Policy, Renderer]] = {}


def renderer_for(policy: Policy) -> Renderer:
    """One :class:`Renderer` per Policy object, so its rendered head/body blocks survive
    ``mkdocs serve`` rebuilds (the plugin hands the same Policy back while consent.yml's bytes
    are unchanged). Only the latest policy is kept: an edited policy replaces it."""
    cached = _RENDERERS.get(id(policy))
    if cached is None or cached[0] is not policy:
        _RENDERERS.clear()
        cached = _RENDERERS[id(policy)] = (policy, Renderer(policy))
    return cached[1]


def _read(path: str) -> tuple[bytes, os.stat_result]:
    with open(path, "rb") as f:
        st = os.fstat(f.fileno())
        data = f.read()
    return data, st


Codec = tuple[str, bytes]
"""How a page's bytes become text and back: (Python codec, byte-order mark kept as is)."""
_UTF8: Codec = ("utf-8", b"")
_META_CHARSET = re.compile(rb"<meta[^>]*?charset\s*=\s*[\"']?\s*([A-Za-z0-9._:-]+)", re.I)
_WHATWG_ALIASES = {"latin1": "cp1252", "iso-8859-1": "cp1252", "iso8859-1": "cp1252",
                   "ascii": "cp1252", "us-ascii": "cp1252", "l1": "cp1252",
                   "iso-8859-9": "cp1254", "latin5": "cp1254", "tis-620": "cp874"}
"""WHATWG Encoding labels that do not mean what Python's codec of that name means."""


def page_codec(data: bytes, rel: str = "") -> Codec:
    """The encoding a browser would use for ``data``: a UTF-16 byte-order mark, else the
    ``<meta charset>`` in the first 1024 bytes, else UTF-8 (what MkDocs writes).

    Decoding a windows-1252 or UTF-16 page as UTF-8 would hash its inline scripts wrongly
    (browsers hash the decoded text) and, for UTF-16, find nothing at all: so the page is
    read and written back in its own encoding. A label no codec knows is a :class:`SiteError`.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return ("utf-16-le" if data[:1] == b"\xff" else "utf-16-be", data[:2])
    if data.startswith(b"\xef\xbb\xbf"):
        return _UTF8
    m = _META_CHARSET.search(data[:1024])
    if m is None:
        return _UTF8
    label = m.group(1).decode("ascii").lower()
    name = _WHATWG_ALIASES.get(label, label)
    try:
        info = codecs.lookup(name)
    except LookupError:
        raise SiteError(f"{rel}: declares the encoding {label!r}, which is not known; save the "
                        "page as UTF-8 (or fix the <meta charset>)") from None
    if info.name in ("utf-8", "utf-16", "utf-16-le", "utf-16-be"):
        return _UTF8  # a UTF-16 label without a byte-order mark means UTF-8 (WHATWG)
    return (info.name, b"")


def _decode(data: bytes, codec: Codec = _UTF8) -> str:
    return data[len(codec[1]):].decode(codec[0], "surrogateescape")


def _encode(text: str, codec: Codec) -> bytes:
    """Back into the page's encoding; text the encoding lacks (an inserted banner string)
    becomes character references, which HTML reads back as the same characters."""
    if codec == _UTF8:
        return text.encode("utf-8", "surrogateescape")
    try:
        return codec[1] + text.encode(codec[0], "surrogateescape")
    except UnicodeEncodeError:
        return codec[1] + text.encode(codec[0], "xmlcharrefreplace")


def _plan_text(rel: str, text: str) -> tuple[PagePlan, PageScan, frozenset[str]]:
    """Pass 1 for one page's text (from disk: the scan is slimmed to be pickled back)."""
    return _plan_stripped(rel, strip_injected(text), slim=True)


def _plan_stripped(rel: str, text: str, *, slim: bool
                   ) -> tuple[PagePlan, PageScan, frozenset[str]]:
    """Pass 1 for a text stripped of earlier runs' blocks. ``slim``: drop the scan's parts
    only the rewrite needed (its comment/raw-text spans and tag index), for a scan that is
    pickled back from a worker; :meth:`SiteRewriter.plan_output` hands its scan straight to
    the CSP builder, which reads neither, so it skips the copy (a 30-field dataclass: 11 µs
    a page)."""
    root = _STATE["base_path"] if rel == "404.html" else None
    plan, scan = plan_page(text, rel, _STATE["policy"],
                           masking=_STATE["masking"],
                           renderer=_STATE["renderer"],
                           root=root,
                           # the site's own absolute URLs are no third-party embeds
                           site_url=_STATE.get("site_origin"))
    # The scan travels back only for the CSP: drop what only the rewrite needed.
    facts = page_facts(text) if plan.is_page else frozenset()
    return plan, (replace(scan, opaque=(), tag_index={}) if slim else scan), facts


def _plan_unsealed(rel: str, text: str) -> _Unsealed:
    """Pass 1 for the text :meth:`SiteRewriter.plan_output` was given (not stamped yet)."""
    stripped = strip_injected(text)
    plan, scan, facts = _plan_stripped(rel, stripped, slim=False)
    return _Unsealed(rel, plan, scan, facts, text, stripped is text)


def _plan_file(rel: str) -> Planned:
    data, st = _read(os.path.join(_STATE["site_dir"], rel))
    text = _decode(data, page_codec(data, rel))
    del data  # a huge page: never hold its bytes and its text at once longer than needed
    plan, scan, facts = _plan_text(rel, text)
    return rel, plan, scan, ("stat", st.st_size, st.st_mtime_ns, -1), facts


def _plan_files(rels: list[str]) -> list[Planned]:
    """:func:`_plan_file` for a batch (one pool task, one result message)."""
    return [_plan_file(rel) for rel in rels]


@lru_cache(maxsize=4)
def _parse_csp(text: str) -> Csp:
    return Csp.parse(text)


def _apply_one(args: Task) -> tuple[str, bool, bool]:
    """Pass 2 for one page -> (rel, changed, stale). A stale page (changed on disk since it
    was planned) is left alone; the driver then redoes the site from disk."""
    rel, plan, stamp, csp_text, dry_run, themes, kept = args
    _STATE["renderer"].use_themes(themes)
    path = os.path.join(_STATE["site_dir"], rel)
    if kept is not None:  # the file is these very bytes while its stat is the stamp's
        st = os.stat(path)
    else:
        data, st = _read(path)
    if ("stat", st.st_size, st.st_mtime_ns) != stamp[:3]:
        return rel, False, True
    if _STOP.is_set():
        return rel, False, False  # interrupted: the driver says the site is partly applied
    if kept is not None:
        codec, text = _UTF8, kept
    else:
        codec = page_codec(data, rel)
        text = _decode(data, codec)
        del data  # peak memory of a huge page: see bench/huge_page.py
        if stamp[3] >= 0 and len(text) != stamp[3]:
            return rel, False, True  # not the text that was planned (SiteRewriter.plan_output)
    csp = _parse_csp(csp_text) if csp_text is not None else None
    # A kept text had no earlier run's blocks (SiteRewriter._seal): stripping is a no-op.
    stripped = text if kept is not None else strip_injected(text)
    if codec != _UTF8:  # a codec may be stateful: the page is encoded in one piece
        out = apply_plan(stripped, plan, csp, _STATE["renderer"])
        if out == text:
            return rel, False, False
        del text, stripped
        if not dry_run:
            _write(path, _encode(out, codec))
        return rel, True, False
    ordered = splice_order(plan)  # sorted once for the comparison and the write
    if _same(splice(stripped, plan, csp, _STATE["renderer"], ordered), text):
        return rel, False, False
    if not dry_run:  # streamed: the rewritten page never exists as one string or bytes
        _write(path, _utf8_chunks(splice(stripped, plan, csp, _STATE["renderer"], ordered)))
    return rel, True, False


def _same(pieces: Iterable[str], text: str) -> bool:
    """Whether ``pieces`` put together are ``text``, without putting them together (a
    rewritten page differs within its first pieces, an unchanged one is compared once)."""
    pos = 0
    for piece in pieces:
        if not text.startswith(piece, pos):
            return False
        pos += len(piece)
    return pos == len(text)


_CHUNK_BYTES = 1 << 16
"""Bytes written at a time by :func:`_utf8_chunks` (small: the chunk and its pieces are
alive at once; a 1 MB chunk was a 1 MB page's whole output)."""


def _utf8_chunks(pieces: Iterable[str]) -> Iterator[bytes]:
    """``pieces`` encoded as the page was decoded (UTF-8, ``surrogateescape``: each character
    is encoded alone, so where the pieces and chunks are cut does not change a byte).

    Each piece is encoded on its own, then the bytes joined: the page's slices are mostly
    ASCII, which encodes as a copy, while one non-ASCII piece (the banner's text) made the
    joined page a two-byte string that encoded character by character (58 KB page: join
    and encode 41 µs -> encode pieces and join bytes ~8 µs)."""
    chunk: list[bytes] = []
    size = 0
    for piece in pieces:
        data = piece.encode("utf-8", "surrogateescape")
        chunk.append(data)
        size += len(data)
        if size >= _CHUNK_BYTES:
            yield b"".join(chunk)
            chunk, size = [], 0
    yield b"".join(chunk)


# -- driver -------------------------------------------------------------------------------------

def html_files(site_dir: Path) -> list[str]:
    """Every ``*.html`` under ``site_dir`` (relative, ``/`` separators, sorted for stable
    output and provenance order)."""
    return site_files(site_dir)[0]


def site_files(site_dir: Path) -> tuple[list[str], list[str]]:
    """``(pages, problems)``: every regular ``*.html``/``*.htm`` file, and why each symlink
    among them (a symlinked directory, a dangling or any other link) cannot be applied.

    A link is never followed or written through: it may point outside the site, and a page
    reachable by two paths would be planned twice with different relative links.
    """
    out, problems = [], []
    for root, dirs, files in os.walk(site_dir):
        dirs.sort()
        for name in list(dirs):
            if os.path.islink(os.path.join(root, name)):
                dirs.remove(name)
                rel = os.path.relpath(os.path.join(root, name), site_dir).replace(os.sep, "/")
                problems.append(f"{rel}/: a symlinked directory (pages under it would be "
                                "left ungated); replace it with a copy (cp -rL) or remove it")
        for name in sorted(files):
            if is_page_name(name):
                full = os.path.join(root, name)
                rel = os.path.relpath(full, site_dir).replace(os.sep, "/")
                if os.path.islink(full):
                    what = "a dangling symlink" if not os.path.exists(full) else "a symlink"
                    problems.append(f"{rel}: {what}; replace it with the file it should be "
                                    "(cp -L) or remove it")
                else:
                    out.append(rel)
    return out, problems


def default_jobs(jobs: int | None) -> int:
    """Worker processes for ``jobs`` (None: the CPU count, at most 8)."""
    return min(os.cpu_count() or 1, 8) if jobs is None else jobs


class _Unsealed(NamedTuple):
    """A page planned by :meth:`SiteRewriter.plan_output` before MkDocs wrote it."""

    rel: str
    plan: PagePlan
    scan: PageScan
    facts: frozenset[str]
    text: str
    clean: bool
    """The text held no earlier run's blocks: the condition to keep it for pass 2."""


class SiteRewriter:
    """The two passes, usable incrementally.

    :meth:`plan_output` plans a page from the text MkDocs is about to write (the plugin), so
    pass 1 reads and decodes nothing: only pass 2 (read, splice, write) remains after the
    build. :meth:`submit` plans a page already on disk (in a worker when there is a pool).
    :meth:`finish` plans whatever was not planned yet (404.html, HTML copied from docs/, every
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
        self.masking = compile_masking(policy.masking, policy.services)
        self.jobs = jobs = default_jobs(jobs)
        self._pool: ProcessPoolExecutor | None = None
        self._pending: deque[Future[list[Planned]]] = deque()
        self._batch: list[str] = []
        self._unsealed: _Unsealed | None = None
        """The page last planned by :meth:`plan_output`: not on disk yet when planned (and
        whether its text held no earlier run's blocks, the condition to keep it)."""
        self._unplanned: tuple[str, str] | None = None
        """(rel, text) of the page last given to :meth:`plan_output` when its planning was
        put off (:meth:`_plan_later`): not on disk yet either."""
        self._later: list[tuple[str, str, os.stat_result]] = []
        """Pages written and stamped whose planning is put off, in page order."""
        self._later_cost = 0
        """Bytes of the texts in :attr:`_later` and :attr:`_unplanned`."""
        self._planned: dict[str, tuple[PagePlan, Stamp]] = {}
        self._texts: dict[str, str] = {}
        """Pages' texts kept by :meth:`_keep` for pass 2."""
        self._text_budget = self.TEXT_BUDGET
        self._fragment_trackers: list[str] = []
        self._strict = False
        self._changed: set[str] = set()
        """Pages written so far (kept across a redo, which finds them already rewritten)."""
        self._builder = SiteCspBuilder(policy, site_origin=site_origin)
        _init(policy, str(self.site_dir), self.masking, False, base_path, site_origin)
        if jobs > 1 and expected_pages >= PARALLEL_THRESHOLD:
            self._start_pool()

    def _start_pool(self) -> None:
        # concurrent.futures, not multiprocessing.Pool: a worker that dies (SIGKILL, the OOM
        # killer) breaks the executor and every pending result raises BrokenProcessPool,
        # where Pool silently replaces the worker and waits forever for its lost task.
        if self._pool is None:
            import multiprocessing  # with concurrent.futures ~10 ms: only when a pool pays
            from concurrent.futures import ProcessPoolExecutor

            self._pool = ProcessPoolExecutor(
                self.jobs, mp_context=multiprocessing.get_context("fork"), initializer=_init,
                initargs=(self.policy, str(self.site_dir), self.masking, True, self.base_path,
                          self.site_origin))

    def plan_output(self, rel: str, text: str) -> None:
        """Plan page ``rel`` from ``text``, the exact text about to be written there (the
        plugin's last ``on_post_page``), in this process: no read, no decode, no pickling.

        The page is on disk only after this returns, so its stamp is taken at the next call
        (:meth:`_seal`); pass 2 also checks the decoded file has the planned length (MkDocs
        writes characters UTF-8 cannot encode as references). The last page's plan is
        kept in :meth:`finish` only if the file then holds exactly its text (other plugins'
        ``on_post_build`` may have changed it before anyone could take its stamp): see
        :meth:`_seal_last`.

        Planning is put off while the texts waiting fit the budget for kept texts
        (:meth:`_plan_later`); otherwise this page is planned now, after those waiting."""
        self._seal()
        cost = sys.getsizeof(text)
        if self._later_cost + cost <= self._text_budget:
            self._unplanned = (rel, text)
            self._later_cost += cost
            return
        self._plan_later()
        self._unsealed = _plan_unsealed(rel, text)

    def _plan_later(self) -> None:
        """Plan the pages :meth:`plan_output` put off, in page order, and store each under
        the stamp :meth:`_seal` took: what planning each at once would have stored, in the
        same order (a plan depends on the page's text alone, and the CSP builder and the
        plans see the pages in the same order).

        Why later: planned in one run, after MkDocs rendered the pages, the scan and masking
        keep the processor's caches to themselves; planned between two of MkDocs' renders,
        the same work took ~1.6x its time in a loop, and MkDocs' own rendering slowed too.
        The texts are held meanwhile within :attr:`TEXT_BUDGET`, which they would use anyway
        once kept for pass 2 (the same string objects); a page that cannot wait is planned
        at once. A page that cannot be gated then fails the build in ``on_post_build``
        (same message, naming the page), before any page is rewritten."""
        later, self._later, self._later_cost = self._later, [], 0
        for rel, text, st in later:
            page = _plan_unsealed(rel, text)
            self._store_unsealed(page, st, len(text))

    def _seal(self) -> None:
        """Stamp the page planned last by :meth:`plan_output` (written since) and keep it;
        a page whose planning was put off waits in :attr:`_later` with its stamp."""
        waiting, self._unplanned = self._unplanned, None
        if waiting is not None:
            try:
                st = os.stat(os.path.join(self.site_dir, waiting[0]))
            except OSError:
                self._later_cost -= sys.getsizeof(waiting[1])
                return  # not written (MkDocs skips an empty page): planned from disk, if any
            self._later.append((*waiting, st))
            return
        page, self._unsealed = self._unsealed, None
        if page is None:
            return
        try:
            st = os.stat(os.path.join(self.site_dir, page.rel))
        except OSError:
            return  # not written (MkDocs skips an empty page): planned from disk, if any
        self._store_unsealed(page, st, len(page.text))

    def _store_unsealed(self, page: _Unsealed, st: os.stat_result, chars: int) -> None:
        """Store a :meth:`plan_output` plan under the file's stat (``chars``: see
        :data:`Stamp`), and keep its text for pass 2 when it held no earlier run's blocks
        (pass 2 then need not strip it again: :func:`_apply_one`)."""
        stamp = ("stat", st.st_size, st.st_mtime_ns, chars)
        self._store((page.rel, page.plan, page.scan, stamp, page.facts))
        if page.clean:
            self._keep(page.rel, page.text, st.st_size)

    TEXT_BUDGET = 32 << 20
    """Bytes of page text :meth:`plan_output` may keep for pass 2, which then neither reads
    nor decodes those pages (150 Material pages are ~13 MB); pages beyond it are read back
    as usual, so memory stays bounded whatever the site size."""

    def _keep(self, rel: str, text: str, size: int) -> None:
        """Keep ``text`` for pass 2 when the file holds exactly its UTF-8 bytes: MkDocs writes
        ``text`` as UTF-8 (a character it cannot encode, a lone surrogate, changes the size)
        and pass 2 would decode the file as UTF-8 (no other ``<meta charset>``)."""
        cost = sys.getsizeof(text)
        if cost > self._text_budget:
            return
        try:
            if size != (len(text) if text.isascii() else len(text.encode("utf-8"))):
                return
            if page_codec(text[:1024].encode("utf-8"), rel) != _UTF8:
                return
        except (UnicodeEncodeError, SiteError):
            return  # pass 2 reads the file, and says what is wrong with it
        self._texts[rel] = text
        self._text_budget -= cost

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
        with _worker_errors():
            while self._pending and (self._pending[0].done()
                                     or len(self._batch) >= self.MAX_BATCH):
                self._store_all(self._pending.popleft().result())
        if not self._pending and len(self._batch) >= self.BATCH:
            self._send_batch()

    def _send_batch(self) -> None:
        if self._batch and self._pool is not None:
            self._pending.append(self._pool.submit(_plan_files, self._batch))
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
        elif vendors := [t for t in scan.trackers if t.service != THIRD_PARTY]:
            # A head-less fragment cannot carry the runtime: what it loads would stay live.
            # (A template partial with a badge is no embed of any page: not refused.)
            t = vendors[0]
            self._fragment_trackers.append(
                f"{rel}:{t.line}: loads {t.service} but has no <head>/<body>, so it cannot "
                "be gated; remove the tracker from it or make it a full page")

    def close(self) -> None:
        self._batch = []
        self._unsealed = None
        self._unplanned = None
        self._later, self._later_cost = [], 0
        self._texts.clear()
        if self._pool is not None:
            # Queued tasks are dropped; the ones running (a batch each) finish first.
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def finish(self, *, dry_run: bool = False, progress: Progress | None = None,
               strict: bool = False, interruptible: bool = False) -> SiteReport:
        """Plan everything, check everything, then write (assets, pages, header files).

        ``strict``: page-policy sources dropped because they would weaken the site's policy
        are errors, not warnings. ``interruptible``: SIGINT/SIGTERM during the writes finish
        the pages in flight and raise :class:`Interrupted` (the CLI; needs the main thread).
        """
        self._strict = strict
        try:
            with _stop_on_signals(interruptible):
                report = self._run(dry_run, progress, first_attempt=True)
                if report is None:  # a submitted page changed on disk: redo from disk
                    self._planned.clear()
                    self._texts.clear()
                    self._fragment_trackers.clear()
                    self._facts = set(self._config_facts)
                    self._builder = SiteCspBuilder(self.policy, site_origin=self.site_origin)
                    report = self._run(dry_run, progress, first_attempt=False)
            assert report is not None
            return report
        finally:
            self.close()

    def _plan_all(self, progress: Progress | None) -> list[str]:
        """Pass 1 for every page not planned yet; the site's problems found on the way."""
        self._seal_last()
        files, problems = site_files(self.site_dir)
        with _worker_errors():
            self._send_batch()
            while self._pending:
                self._store_all(self._pending.popleft().result())
            todo = [rel for rel in files if rel not in self._planned]
            if self.jobs > 1 and len(files) >= PARALLEL_THRESHOLD:
                self._start_pool()
            for done, result in enumerate(self._plan_todo(todo), 1):
                self._store(result)
                if progress:
                    progress("scan", done, len(todo))
        problems += self._fragment_trackers
        problems += _unwritable(self.site_dir, files)
        if problems:
            raise SiteError("nothing was written; fix these first:\n  " + "\n  ".join(problems))
        return files

    def _seal_last(self) -> None:
        """Keep the plan of the page :meth:`plan_output` planned last only if the file holds
        exactly its text now.

        Its stamp could not be taken after MkDocs wrote it (no later ``on_post_page``), and
        other plugins' ``on_post_build`` may have changed it since. So the file is read and
        decoded as :func:`_plan_file` reads it (one ``fstat`` and one read of one open file).
        When that text is the planned text, planning it from disk would give this very plan
        (:func:`_plan_text` depends on the text alone) with this very stamp, so the plan is
        stored under it: one read and one compare instead of a second scan (~1.5 ms on a
        Material page). Anything else (an edit of any length, an unreadable file, a charset
        error) leaves the page to be planned from disk, which reports what is wrong. The
        pages whose planning was put off are planned first (page order)."""
        self._plan_later()
        waiting, self._unplanned = self._unplanned, None
        page, self._unsealed = self._unsealed, None
        if page is not None:
            rel, text = page.rel, page.text
        elif waiting is not None:
            rel, text = waiting
        else:
            return
        try:
            data, st = _read(os.path.join(self.site_dir, rel))
            same = _decode(data, page_codec(data, rel)) == text
        except (OSError, SiteError):
            return
        del data
        if same:
            self._store_unsealed(page or _plan_unsealed(rel, text), st, -1)

    def _plan_todo(self, todo: list[str]) -> Iterable[Planned]:
        """Pass 1 for pages not planned yet, by the pool (batches of 8) when there is one."""
        if self._pool is None:
            return map(_plan_file, todo)
        from concurrent.futures import as_completed

        batches = [self._pool.submit(_plan_files, todo[i:i + 8])
                   for i in range(0, len(todo), 8)]
        return (result for batch in as_completed(batches) for result in batch.result())

    def _check_policy(self, site_csp: SiteCsp) -> None:
        """The site policy is never weaker than promised: refuse it before any write."""
        errors = list(site_csp.errors)
        if self._strict:
            errors += [f"(strict) {w}" for w in site_csp.weakened]
        if errors:
            raise SiteError("the site's CSP cannot be emitted, nothing was written:\n  "
                            + "\n  ".join(errors))

    def _run(self, dry_run: bool, progress: Progress | None,
             first_attempt: bool) -> SiteReport | None:
        files = self._plan_all(progress)
        themes = self._themes()
        site_csp = self._builder.result()
        self._check_policy(site_csp)
        themes.warnings += unmet_needs(site_csp.policy, themes.needs)
        # Every other output is planned (and each host's limits checked) before any write.
        header_files = _export_headers(self.site_dir, site_csp, self.policy, dry_run=True,
                                       site_origin=self.site_origin)
        assets = _planned_assets(self.site_dir, self.policy, tuple(themes.themes))
        tasks, summary = self._tasks(files, site_csp, dry_run, tuple(themes.themes))
        if _STOP.is_set():
            raise Interrupted(f"interrupted before anything was written to {self.site_dir}; "
                              "run apply again")
        if not dry_run:  # the runtime exists before any page references it
            for path, content in assets:
                write_atomic(str(self.site_dir / path), content)
        stale = self._write_pages(tasks, progress)
        if stale:
            if not first_attempt:
                raise RuntimeError(f"pages changed while being rewritten: {stale[:5]}")
            return None
        if _STOP.is_set():
            raise Interrupted(
                f"interrupted: the site in {self.site_dir} is partly applied "
                f"({len(self._changed)} page(s) written, each one whole; no temporary files "
                "left). Run apply again to complete it.")
        if not dry_run:
            for f in header_files:
                if f.changed:
                    write_atomic(f.path, f.content)
        warnings, notes, gated, not_pages, masked = summary
        warnings.extend(site_csp.warnings)
        warnings.extend(themes.warnings)
        return SiteReport(site_dir=self.site_dir, csp=site_csp, pages=len(files),
                          changed=sorted(self._changed), not_pages=not_pages,
                          gated_elements=gated, masked=masked,
                          warnings=list(dict.fromkeys(warnings)), gating_notes=notes,
                          assets=[path for path, _ in assets], header_files=header_files,
                          dry_run=dry_run,
                          workers=self.jobs if self._pool is not None else 0, themes=themes)

    def _themes(self) -> ThemeReport:
        """What the site's theme loads at run time, from every page's facts; its own analytics
        are checked against the policy before anything is written."""
        themes = decide(self._facts, self.site_dir)
        problems = analytics.check(self.policy, analytics.from_facts(self._facts), built=True)
        if problems:
            raise ThemeAnalyticsError("\n".join(problems))
        self._builder.add_theme_needs(themes.needs)
        return themes

    def _tasks(self, files: list[str], site_csp: SiteCsp, dry_run: bool,
               themes: tuple[str, ...]) -> tuple[list[Task], tuple[Any, ...]]:
        warnings: list[str] = []
        notes: list[str] = []
        gated: list[tuple[str, Gated]] = []
        not_pages: list[str] = []
        masked = 0
        tasks: list[Task] = []
        meta = site_csp.meta_policy.serialize() if "meta" in self.policy.csp.delivery else None
        for rel in files:  # sorted: reports list pages in a stable order
            plan, stamp = self._planned.pop(rel)
            # Fragments go through pass 2 too: only there is a file checked against what was
            # planned (a page read mid-write looks like an empty fragment).
            # A worker would be sent the text: reading it there costs less than pickling it.
            kept = self._texts.pop(rel, None) if self._pool is None else None
            tasks.append((rel, plan, stamp, meta, dry_run, themes, kept))
            if not plan.is_page:
                not_pages.append(rel)
                continue
            warnings.extend(plan.warnings)
            notes.extend(plan.gating_notes)
            gated.extend((rel, g) for g in plan.gated)
            masked += plan.masked
        return tasks, (warnings, notes, gated, not_pages, masked)

    def _write_pages(self, tasks: list[Task], progress: Progress | None) -> list[str]:
        """Pass 2. Pages go out in small batches so that, once interrupted, only the batches
        already handed to a worker are finished (each page whole, by ``write_atomic``)."""
        pool = self._pool
        results: Iterable[tuple[str, bool, bool]]
        if pool is not None:
            chunks = [tasks[i:i + 8] for i in range(0, len(tasks), 8)]
            results = _bounded(pool, chunks, 2 * self.jobs)
        else:
            results = map(_apply_one, tasks)
        stale = []
        with _worker_errors():
            for done, (rel, did_change, is_stale) in enumerate(results, 1):
                if is_stale:
                    stale.append(rel)
                elif did_change:
                    self._changed.add(rel)
                if progress:
                    progress("write", done, len(tasks))
        return stale


def unmet_needs(csp: Csp, needs: Iterable[ThemeNeed]) -> list[str]:
    """Theme needs the final policy does not allow (see :func:`mkdocs_clarity.themes.unmet`)."""
    from mkdocs_clarity.engine.embeds import source_matches

    def allows(directive: str, source: str) -> bool:
        sources = csp.effective(directive) or ()
        return source in sources or any(source_matches(s, source) for s in sources
                                        if not source.startswith("'"))

    return unmet(allows, needs)


def _apply_chunk(chunk: list[Task]) -> list[tuple[str, bool, bool]]:
    return [_apply_one(task) for task in chunk]


def _bounded(pool: ProcessPoolExecutor, chunks: list[list[Task]],
             in_flight: int) -> Iterator[tuple[str, bool, bool]]:
    """Results of :func:`_apply_chunk` over ``chunks`` with at most ``in_flight`` chunks
    queued; none is queued once :data:`_STOP` is set (the queued ones finish)."""
    waiting: deque[Future[list[tuple[str, bool, bool]]]] = deque()
    todo = iter(chunks)
    while True:
        while len(waiting) < in_flight and not _STOP.is_set():
            chunk = next(todo, None)
            if chunk is None:
                break
            waiting.append(pool.submit(_apply_chunk, chunk))
        if not waiting:
            return
        if not waiting[0].done() and not _STOP.is_set():
            # This process would only wait: it takes a chunk itself meanwhile.
            chunk = next(todo, None)
            if chunk is not None:
                yield from _apply_chunk(chunk)
                continue
        yield from waiting.popleft().result()


@contextlib.contextmanager
def _stop_on_signals(enabled: bool) -> Iterator[None]:
    """SIGINT/SIGTERM set :data:`_STOP` instead of killing the run mid-write."""
    _STOP.clear()
    if not enabled or threading.current_thread() is not threading.main_thread():
        yield
        return
    handler = lambda signum, frame: _STOP.set()  # noqa: E731
    old = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, previous in old.items():
            signal.signal(sig, previous)


@contextlib.contextmanager
def _worker_errors() -> Iterator[None]:
    """A worker's failure is one clear error, not a remote traceback or a BrokenPipe."""
    try:
        yield
    except (UserError, KeyboardInterrupt):
        raise
    except Exception as exc:
        pools = sys.modules.get("concurrent.futures.process")  # imported once a pool started
        if pools is not None and isinstance(exc, pools.BrokenProcessPool):
            raise SiteError("a worker process died (killed by a signal, or out of memory); "
                            "each page already written is whole and the others were left as "
                            "they were: run again") from None
        raise SiteError(f"a worker process failed: {type(exc).__name__}: {exc}; nothing "
                        "after the failure was written (run apply again once fixed)") from exc


def _unwritable(site_dir: Path, files: list[str]) -> list[str]:
    """Directories a page would be replaced in but cannot be (checked before any write)."""
    dirs = sorted({os.path.dirname(rel) for rel in files})
    return [f"{d or '.'}/: not writable; pages there cannot be replaced (fix its permissions)"
            for d in dirs if not os.access(site_dir / d, os.W_OK | os.X_OK)]


def _planned_assets(site_dir: Path, policy: Policy,
                    themes: tuple[str, ...]) -> list[tuple[str, bytes]]:
    """The runtime files (CSS for the recognised ``themes``) whose bytes differ from what
    the site has."""
    out = []
    for asset in render.runtime_assets(policy, guard=policy.csp.trusted_types, themes=themes):
        target = site_dir / asset.path
        if target.exists() and target.read_bytes() == asset.content:
            continue
        if target.parent.exists() and not os.access(target.parent, os.W_OK):
            raise SiteError(f"{asset.path}: its directory is not writable; nothing was written")
        out.append((asset.path, asset.content))
    return out


def apply_site(site_dir: Path | str, policy: Policy, *, jobs: int | None = None,
               dry_run: bool = False, progress: Progress | None = None,
               site_origin: str | None = None, base_path: str | None = None,
               strict: bool = False, interruptible: bool = False) -> SiteReport:
    """Apply ``policy`` to every HTML file under ``site_dir`` (see the module docstring).

    ``jobs``: worker processes (default: the CPU count, at most 8; 1 = in this process).
    ``site_origin``: the site's own origin (``https://example.org``), so its absolute URLs are
    covered by ``'self'``. ``base_path``: the site's URL path (``/`` or ``/docs/``), used for
    the links injected into ``404.html``, which is served at any depth (relative links would
    break there); without it 404.html gets relative links like any root page.
    Raises :class:`~mkdocs_clarity.engine.masking.MaskingError` for a masking selector that is not
    CSS, before touching any file.
    """
    rewriter = SiteRewriter(site_dir, policy, jobs=jobs, site_origin=site_origin,
                            base_path=base_path)
    return rewriter.finish(dry_run=dry_run, progress=progress, strict=strict,
                           interruptible=interruptible)


def _export_headers(site_dir: Path, site_csp: SiteCsp, policy: Policy, *,
                    dry_run: bool, site_origin: str | None = None) -> list[HeaderFile]:
    """Header deliveries (netlify, vercel, ...) get the *full* policy, which may carry what a
    ``<meta>`` cannot (frame-ancestors, report-uri/report-to), and the security headers
    (HSTS only when ``site_origin`` is https)."""
    if set(policy.csp.delivery) <= {"meta"}:
        return []
    from mkdocs_clarity import hosts

    https = None if site_origin is None else site_origin.lower().startswith("https:")
    return hosts.export(site_dir, site_csp.policy, policy.csp, headers=policy.headers,
                        https=https, dry_run=dry_run)

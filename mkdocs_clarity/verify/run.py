"""Run the scenarios over the chosen pages in parallel workers, and build the report.

One Chromium behind one loopback server, ``jobs`` workers each taking the next page: a worker
is one browser context with two long-lived tabs (:mod:`.scenarios`), so at most ``jobs`` pages
are open at once, and a page keeps only capped records once done: memory does not grow with
the site.
"""

from __future__ import annotations

import asyncio
import fnmatch
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from consent_generator.model import Policy
from mkdocs_clarity.engine.siteurl import SiteUrl, detect_site_url
from mkdocs_clarity.verify.findings import findings
from mkdocs_clarity.verify.launch import CHROMIUM_ARGS, UsageError, find_browser, require_playwright
from mkdocs_clarity.verify.model import PageResult, VerifyReport
from mkdocs_clarity.verify.scenarios import (
    Page,
    Tab,
    Worker,
    accept_navigate_revoke,
    fresh_then_reject,
    gpc_visit,
    worker_session,
)
from mkdocs_clarity.verify.serve import SiteFiles, ThirdParties

DEFAULT_SITE_URL = "https://localhost/"
"""Where a site is served when nothing says: a secure origin, so Secure cookies still work."""
DEFAULT_JOBS = 2
"""Pages checked at once. With no fixed sleeps a worker keeps the browser busy most of the
time: measured on two cores, two workers were as fast as three and spent less CPU per page."""

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class VerifyOptions:
    """What to verify and how (the command's options)."""

    site_dir: Path
    policy: Policy | None = None
    site_url: SiteUrl | None = None
    pages: tuple[str, ...] = ()
    """``()`` or ``("all",)``: every page; ``("N",)``: N pages spread over the site; else globs
    over site-relative paths (``guide/*``, ``index.html``)."""
    browser: str | None = None
    jobs: int | None = None


def select_pages(files: list[str], spec: tuple[str, ...]) -> list[str]:
    """The pages ``--pages`` asks for, in site order."""
    if not spec or spec == ("all",):
        return files
    if len(spec) == 1 and spec[0].isdigit():
        n = int(spec[0])
        if n < 1:
            raise UsageError("--pages 0: ask for at least one page")
        if n >= len(files):
            return files
        step = len(files) / n  # spread over the site, the home page first
        return [files[int(i * step)] for i in range(n)]
    chosen = [f for f in files if any(fnmatch.fnmatch(f, g) for g in spec)]
    if not chosen:
        raise UsageError(f"--pages {' '.join(spec)}: no page of the site matches; pages are "
                         "site-relative paths such as index.html or guide/*")
    return chosen


def _service_categories(site: Path, files: list[str], policy: Policy | None) -> dict[str, str]:
    """service key -> category: the policy's, else what the pages' consent configuration says
    they were built with."""
    if policy is not None:
        return {s.key: s.category for s in policy.services}
    from mkdocs_clarity.audit import _consent_services

    return dict(_consent_services(site, [site / f for f in files]))


def _header_csp(site: Path) -> str:
    """The CSP the site's header files deliver (Netlify/Cloudflare ``_headers``...), if any."""
    from mkdocs_clarity import hosts

    for values in hosts.read_site_headers(site).values():
        csp = str(values.get(hosts.CSP.lower(), ""))
        if csp:
            return csp
    return ""


def verify_site(opts: VerifyOptions, progress: Progress | None = None) -> VerifyReport:
    """Verify the built site in ``opts.site_dir``; raise :class:`UsageError` when it cannot run
    here (no site, no Playwright, no browser)."""
    site = opts.site_dir
    if not site.is_dir():
        raise UsageError(f"{site}: not a directory; pass the built site (e.g. site/)")
    from mkdocs_clarity.engine.site import html_files

    files = html_files(site)
    if not files:
        raise UsageError(f"{site}: no HTML page found; build the site first")
    require_playwright()
    browser = find_browser(opts.browser)
    chosen = select_pages(files, opts.pages)
    site_url = opts.site_url or detect_site_url(site)
    served = SiteFiles(site, site_url.url if site_url else DEFAULT_SITE_URL, _header_csp(site))
    parties = ThirdParties(opts.policy)
    categories = _service_categories(site, files, opts.policy)
    results, shot = asyncio.run(_run(browser, served, parties, categories, chosen,
                                     opts.jobs or DEFAULT_JOBS, progress))
    return VerifyReport(
        site=str(site), site_url=served.origin + served.base,
        site_url_source=site_url.source if site_url else "default (pass --site-url)",
        browser=browser,
        vendors=[{"key": k, "category": c} for k, c in categories.items()],
        pages=results, findings=findings(results, categories),
        declared_hosts=list(parties.declared), screenshot=shot)


async def _run(browser_path: str, site: SiteFiles, parties: ThirdParties,
               categories: dict[str, str], pages: list[str], jobs: int,
               progress: Progress | None) -> tuple[list[PageResult], bytes | None]:
    from playwright.async_api import Error, async_playwright

    from mkdocs_clarity.verify.loopback import LoopbackServer

    results: list[PageResult | None] = [None] * len(pages)
    shots: list[bytes | None] = [None]
    queue = iter(enumerate(pages))
    done = 0
    with LoopbackServer(site, parties) as server:
        async with async_playwright() as pw:
            try:
                browser = await pw.chromium.launch(
                    executable_path=browser_path, headless=True,
                    args=[*CHROMIUM_ARGS, *server.chromium_args()])
            except Error as exc:
                raise UsageError(f"could not start the browser {browser_path}: "
                                 f"{str(exc).splitlines()[0]}; pass --browser PATH") from None

            async def worker() -> None:
                nonlocal done
                async with worker_session(browser, site) as session:
                    for i, rel in queue:
                        page = Page(site, parties, PageResult(rel, site.url_of(rel)),
                                    categories=categories)
                        shot = await _check(page, session, screenshot=i == 0)
                        if i == 0:
                            shots[0] = shot
                        results[i] = page.result
                        done += 1
                        if progress:
                            progress(done, len(pages))

            await asyncio.gather(*(worker() for _ in range(max(1, min(jobs, len(pages))))))
            await browser.close()
    return [r for r in results if r is not None], shots[0]


async def _check(page: Page, session: Worker, screenshot: bool) -> bytes | None:
    """All states of one page; a state that fails to run is recorded as a page error (the
    run goes on)."""
    shot = None
    steps: list[tuple[str, Tab, Any]] = [
        ("fresh", session.plain, lambda: fresh_then_reject(page, session.plain, screenshot)),
        ("accept", session.plain, lambda: accept_navigate_revoke(page, session.plain)),
        ("gpc", session.gpc, lambda: gpc_visit(page, session.gpc))]
    for name, tab, step in steps:
        if name == "accept" and not page.result.banner:
            continue
        try:
            got = await step()
            shot = got if name == "fresh" else shot
        except Exception as exc:
            page.result.add(page.result.errors,
                            (tab.state or name, f"verify could not run this state: "
                                                f"{str(exc).splitlines()[0]}"))
    return shot

"""Drive each page through every state by the banner's own buttons, in long-lived tabs.

A worker keeps one browser context and two tabs for its whole run: a plain tab and a tab with
Global Privacy Control on (``Sec-GPC: 1`` and ``navigator.globalPrivacyControl``). Each page
is checked in three visits, each by a first-time visitor: (fresh -> Reject all -> reload) and
(Accept all -> one in-site navigation and back -> revoke in the preferences -> reload) in the
plain tab, (fresh with GPC -> Accept all) in the GPC tab.

Why long-lived tabs: creating a browser context and a tab (a renderer process) per page cost
more than loading the page. Why it is still a first visit: a visit ends by leaving the page
for an empty page on the site's origin, so its unload handlers run while it is still charged),
then the context's cookies, the site's storage (local and session storage, IndexedDB, caches)
and the tab's window name are cleared, and the next visit refuses to start while any cookie is left. What
stays is the HTTP cache of the site's own files, as for a visitor browsing from page to page;
pages and third-party answers are never cached, so every request is seen.

A tab's ``state`` is set *before* each action, so every request and violation that action
causes is charged to it; only the tab's own events are charged to its visit.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from mkdocs_clarity.verify.model import PageResult, Request, Violation
from mkdocs_clarity.verify.serve import (
    GPC_SCRIPT,
    INIT_SCRIPT,
    RAN_BINDING,
    REPORT_BINDING,
    SiteFiles,
    ThirdParties,
)

QUIET_S = 0.1
"""A page has settled when none of its requests is pending and none started or ended for this
long (after the load event: what deferred scripts, the runtime and the theme start)."""
SETTLE_MAX_S = 3.0
"""A page that never goes quiet (a long poll) is recorded for this long, then the run goes on."""
VENDOR_WAIT_S = 4.0
"""How long Accept all may take to load every expected vendor before one is reported missing."""
ACTION_TIMEOUT_MS = 5000
LEAK_TRIES = 20
"""Times a visit clears cookies left by the previous one (50 ms apart) before it gives up."""

BANNER = "#cc-banner"
PREFS = "#cc-prefs"

_EXPECTED_JS = """() => [...new Set([...document.querySelectorAll('[data-consent-service]')]
  .map(e => e.getAttribute('data-consent-service')))]"""

_LINK_JS = """([origin, base, here]) => {
  const ok = (a) => { try { const u = new URL(a.href, location.href);
      return u.origin === origin && u.pathname.startsWith(base) && u.pathname !== here &&
             !/\\.(?!html?$)[a-z0-9]+$/i.test(u.pathname) && !a.hasAttribute('download') &&
             !a.closest('#cc-banner,#cc-prefs'); } catch (e) { return false; } };
  const a = [...document.querySelectorAll('nav a[href], a[href]')].find(ok);
  if (!a) return null;
  window.__mkcVerifyMark = 1;
  a.click();
  return new URL(a.href, location.href).href;
}"""


class LeakError(RuntimeError):
    """A visit cannot start as a first visit (a cookie survived clearing)."""


@dataclass
class Page:
    """The page under check: the site, who is who, and where to record."""

    site: SiteFiles
    parties: ThirdParties
    result: PageResult
    categories: dict[str, str] = field(default_factory=dict)
    """service key -> category, from the page's consent configuration."""
    ran: set[tuple[str, str]] = field(default_factory=set)
    """(state, vendor) whose stub script ran."""


class Tab:
    """A long-lived tab dedicated to one kind of visitor (plain or GPC), and the recorder of
    the visit it is running: requests, violations, errors and what is still loading."""

    def __init__(self, tab: Any, cdp: Any, site: SiteFiles) -> None:
        self.tab = tab
        self.cdp = cdp
        self.site = site
        self.page: Page | None = None
        """The page whose visit runs now; ``None`` between visits (nothing is charged)."""
        self.state = ""
        self.pending: set[Any] = set()
        self.last = 0.0
        """Loop time of the last request started or ended."""
        tab.set_default_timeout(ACTION_TIMEOUT_MS)
        tab.on("request", self._request)
        tab.on("requestfinished", self._done)
        tab.on("requestfailed", self._done)
        tab.on("pageerror", lambda e: self.error(str(e)))
        tab.on("console", self._console)

    def enter(self, state: str) -> None:
        """From now on, what happens in this tab is charged to ``state``."""
        self.state = state
        if self.page:
            self.page.result.states.append(state)

    def error(self, message: str) -> None:
        if self.page:
            self.page.result.add(self.page.result.errors, (self.state, message))

    def _now(self) -> float:
        return asyncio.get_running_loop().time()

    def _request(self, request: Any) -> None:
        self.pending.add(request)
        self.last = self._now()
        page, url = self.page, request.url
        if page is None or page.site.owns(url) or not url.startswith(("http:", "https:")):
            return
        vendor = page.parties.vendor_of(url)
        page.result.add(page.result.requests,
                        Request(self.state, url, urlsplit(url).hostname or "",
                                request.resource_type, vendor, page.parties.is_declared(url)))

    def _done(self, request: Any) -> None:
        self.pending.discard(request)
        self.last = self._now()

    def _console(self, message: Any) -> None:
        text = message.text
        if self.page and ("trusted type" in text.lower() or "trusted-types" in text.lower()):
            self.page.result.add(self.page.result.console, (self.state, text))

    async def settle(self) -> None:
        """Wait until the page's network is quiet (see :data:`QUIET_S`)."""
        end = self._now() + SETTLE_MAX_S
        while self._now() < end:
            idle = self._now() - self.last
            if not self.pending and idle >= QUIET_S:
                return
            await asyncio.sleep(0.02 if self.pending else QUIET_S - idle)

    async def load(self, url: str | None = None) -> None:
        """Load ``url`` (or reload) and let it settle."""
        if url is None:
            await self.tab.reload(wait_until="load")
        else:
            await self.tab.goto(url, wait_until="load")
        await self.settle()

    async def click(self, selector: str) -> None:
        await self.tab.locator(selector).first.click()
        await self.settle()

    @asynccontextmanager
    async def visit(self, page: Page) -> AsyncIterator[Tab]:
        """One first-time visitor's visit of ``page`` in this tab (see the module's doc)."""
        await self._no_cookie_left()
        # The front tab: a tab behind another one gets one animation frame a second, which
        # is not how a visitor sees a page (and makes every click wait for it).
        await self.tab.bring_to_front()
        self.page, self.state, self.pending = page, "", set()
        try:
            yield self
        finally:
            await self._forget()

    async def _no_cookie_left(self) -> None:
        """A cookie the last page wrote as it was left reaches the cookie store a moment
        later, possibly after it was cleared: clear until none is left."""
        for _ in range(LEAK_TRIES):
            if not await self.tab.context.cookies():
                return
            await self.tab.context.clear_cookies()
            await asyncio.sleep(0.05)
        raise LeakError("a cookie of the previous visit could not be cleared")

    async def _forget(self) -> None:
        """Leave the page for the site's empty page (the page's unload handlers run, still
        charged to this visit), then clear everything a page can keep about a visitor. Web
        storage is cleared from that same-origin page too: it is written in the renderer, so
        clearing there comes after anything the page wrote while it was left."""
        try:
            await self.tab.goto(self.site.blank_url)
        finally:
            self.page, self.state = None, ""
        await self.tab.evaluate(
            "() => { localStorage.clear(); sessionStorage.clear(); window.name = ''; }")
        await self.tab.context.clear_cookies()
        await self.cdp.send("Storage.clearDataForOrigin",
                            {"origin": self.site.origin, "storageTypes": "all"})


@dataclass
class Worker:
    """One browser context and its two tabs, kept for all the pages a worker checks."""

    ctx: Any
    plain: Tab
    gpc: Tab


@asynccontextmanager
async def worker_session(browser: Any, site: SiteFiles) -> AsyncIterator[Worker]:
    """A browser context (a fresh profile: no cookies, no service worker) wired to the
    recorder of whichever tab a report comes from, with its plain and GPC tabs."""
    ctx = await browser.new_context(service_workers="block")
    try:
        tabs: dict[Any, Tab] = {}

        def tab_of(source: Any) -> Tab | None:
            return tabs.get(source.get("page"))

        def ran(source: Any, url: str) -> None:
            tab = tab_of(source)
            vendor = tab.page.parties.vendor_of(url) if tab and tab.page else None
            if tab and tab.page and vendor:
                tab.page.ran.add((tab.state, vendor))

        def violation(source: Any, d: dict[str, Any]) -> None:
            tab = tab_of(source)
            if tab is None or tab.page is None:
                return
            tab.page.result.add(tab.page.result.violations, Violation(
                tab.state, str(d.get("directive", "")), str(d.get("blocked", "")),
                str(d.get("source", "")), int(d.get("line") or 0), str(d.get("sample", ""))))

        await ctx.expose_binding(RAN_BINDING, ran)
        await ctx.expose_binding(REPORT_BINDING, violation)
        await ctx.add_init_script(INIT_SCRIPT)
        made = []
        for gpc in (False, True):
            tab = await ctx.new_page()
            if gpc:
                await tab.add_init_script(GPC_SCRIPT)
                await tab.set_extra_http_headers({"Sec-GPC": "1"})
            tabs[tab] = Tab(tab, await ctx.new_cdp_session(tab), site)
            made.append(tabs[tab])
        yield Worker(ctx, made[0], made[1])
    finally:
        await ctx.close()


async def fresh_then_reject(page: Page, tab: Tab, screenshot: bool) -> bytes | None:
    """Fresh visit: what loads before any choice. Then Reject all, and a reload (what loads
    for a visitor who said no). Also reads which services the page gates."""
    shot = None
    async with tab.visit(page):
        tab.enter("fresh")
        await tab.load(page.result.url)
        page.result.banner = await tab.tab.locator(BANNER).is_visible()
        page.result.expected = [k for k in await tab.tab.evaluate(_EXPECTED_JS)
                                if k in page.categories]
        if screenshot:
            shot = await tab.tab.screenshot()
        if page.result.banner:
            tab.enter("reject")
            await tab.click(f"{BANNER} [data-consent-action=reject]")
            await tab.load()
    return shot


async def accept_navigate_revoke(page: Page, tab: Tab) -> None:
    """Accept all: each expected service must really load. One in-site navigation (instant
    where the theme has it) and back. Then revoke in the preferences and reload: nothing may
    load."""
    async with tab.visit(page):
        tab.enter("accept")
        await tab.load(page.result.url)
        await tab.click(f"{BANNER} [data-consent-action=accept]")
        await _wait_vendors(page)
        page.result.loaded = sorted(_loaded(page, "accept"))
        tab.enter("navigate")
        await _navigate(page, tab)
        if page.result.navigated_to:
            await _back(page, tab)  # still accepted: revoke on the page under test
        await tab.settle()  # accepted loads are done, not revoke's
        tab.enter("revoke")
        await _open_preferences(tab.tab)
        await tab.click(f"{PREFS} [data-consent-action=reject]")
        await tab.load()


async def gpc_visit(page: Page, tab: Tab) -> None:
    """GPC on: a fresh visit loads nothing; Accept all then loads no service in the category
    GPC refuses (the runtime's ``marketing``)."""
    async with tab.visit(page):
        tab.enter("gpc")
        await tab.load(page.result.url)
        if page.result.banner and await tab.tab.locator(BANNER).is_visible():
            tab.enter("gpc-accept")
            await tab.click(f"{BANNER} [data-consent-action=accept]")


def _loaded(page: Page, state: str) -> set[str]:
    """Services that loaded in ``state``: a stub script that ran, or a frame document."""
    frames = {r.vendor for r in page.result.requests
              if r.state == state and r.kind == "document" and r.vendor}
    return {v for s, v in page.ran if s == state} | {v for v in frames if v}


async def _wait_vendors(page: Page) -> None:
    loop = asyncio.get_running_loop()
    end = loop.time() + VENDOR_WAIT_S
    while loop.time() < end and not set(page.result.expected) <= _loaded(page, "accept"):
        await asyncio.sleep(0.05)


async def _navigate(page: Page, tab: Tab) -> None:
    here = tab.tab.url.split("#")[0]
    path = "/" + here.split("/", 3)[3] if here.count("/") >= 3 else "/"
    target = await tab.tab.evaluate(_LINK_JS, [page.site.origin, page.site.base, path])
    if not target:
        return
    page.result.navigated_to = target
    try:
        await tab.tab.wait_for_url(lambda u: u.split("#")[0] != here, timeout=ACTION_TIMEOUT_MS)
        await tab.tab.wait_for_load_state("load")
        await tab.settle()
        page.result.instant = bool(await tab.tab.evaluate("window.__mkcVerifyMark === 1"))
    except Exception as exc:  # a link that goes nowhere is the site's business, not a crash
        tab.error(f"navigation did not happen: {exc}")


async def _back(page: Page, tab: Tab) -> None:
    """Back to the page under test: the history entry when navigation was instant (no full
    load, as a visitor's Back button), else a plain load."""
    if page.result.instant:
        try:
            await tab.tab.go_back()
            await tab.tab.wait_for_function("u => location.href.split('#')[0] === u",
                                            arg=page.result.url, timeout=ACTION_TIMEOUT_MS)
            await tab.settle()
            return
        except Exception:  # fall back to a full load; the check itself is unaffected
            pass
    await tab.load(page.result.url)


async def _open_preferences(tab: Any) -> None:
    """The visitor's way back: a ``data-consent-open`` control (the footer link) when the page
    shows one, else the ``#consent-preferences`` fragment."""
    opener = tab.locator("[data-consent-open]:visible, a[href$='#consent-preferences']:visible")
    if await opener.count():
        await opener.first.click()
    else:
        await tab.evaluate("location.hash = 'consent-preferences'")
    await tab.locator(PREFS).wait_for(state="visible")

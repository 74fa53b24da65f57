"""Drive one page through every state in fresh browser contexts, by the banner's own buttons.

One fresh context per page, three tabs that each start like a first visit (cookies and site
storage cleared): (fresh visit -> Reject all -> reload), (Accept all -> one in-site navigation and
back -> revoke in the preferences -> reload), (GPC on: fresh visit -> Accept all). Sharing the
context halves the cost of a page (creating a browser profile is the dearest step) without
letting one state see another's consent. The recorder's ``state`` is set
*before* each action, so every request and violation that action causes is charged to it.
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
    third_party_answer,
)

SETTLE_MS = 150
"""After the load event: time for deferred scripts, the runtime and what they start."""
VENDOR_WAIT_S = 4.0
"""How long Accept all may take to load every expected vendor before one is reported missing."""
ACTION_TIMEOUT_MS = 5000

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


@dataclass
class Page:
    """Everything a scenario needs: the browser, the site, who is who, and where to record."""

    browser: Any
    site: SiteFiles
    parties: ThirdParties
    result: PageResult
    categories: dict[str, str] = field(default_factory=dict)
    """service key -> category, from the page's consent configuration."""
    state: str = "fresh"
    ran: set[tuple[str, str]] = field(default_factory=set)
    """(state, vendor) whose stub script ran."""

    def enter(self, state: str) -> None:
        """From now on, what happens is charged to ``state``."""
        self.state = state
        self.result.states.append(state)


async def _route(page: Page, route: Any) -> None:
    request = route.request
    url = request.url
    if page.site.owns(url):
        answer = page.site.answer(url)
    elif url.startswith(("http:", "https:")):
        host = urlsplit(url).hostname or ""
        vendor = page.parties.vendor_of(url)
        page.result.add(page.result.requests,
                        Request(page.state, url, host, request.resource_type, vendor,
                                page.parties.is_declared(url)))
        answer = third_party_answer(url, request.resource_type, vendor)
    else:
        await route.continue_()
        return
    await route.fulfill(status=answer.status, content_type=answer.content_type,
                        body=answer.body, headers=dict(answer.headers))


@asynccontextmanager
async def context(page: Page) -> AsyncIterator[Any]:
    """The page's browser context (a fresh profile: no cookies, no cache, no service worker),
    wired to the recorder. Its states run in tabs opened by :func:`_tab`."""
    ctx = await page.browser.new_context(service_workers="block")
    try:
        def ran(_source: Any, url: str) -> None:
            vendor = page.parties.vendor_of(url)
            if vendor:
                page.ran.add((page.state, vendor))

        def violation(_source: Any, d: dict[str, Any]) -> None:
            page.result.add(page.result.violations, Violation(
                page.state, str(d.get("directive", "")), str(d.get("blocked", "")),
                str(d.get("source", "")), int(d.get("line") or 0), str(d.get("sample", ""))))

        await ctx.expose_binding(RAN_BINDING, ran)
        await ctx.expose_binding(REPORT_BINDING, violation)
        await ctx.add_init_script(INIT_SCRIPT)
        await ctx.route("**/*", lambda route: _route(page, route))
        yield ctx
    finally:
        await ctx.close()


@asynccontextmanager
async def _tab(page: Page, ctx: Any, *, gpc: bool = False,
               clear: bool = True) -> AsyncIterator[Any]:
    """A new tab that starts like a first visit: the context's cookies and the site's storage
    (local and session storage, IndexedDB, caches) cleared first, so states do not leak into
    each other; with ``gpc``, Global Privacy Control on (header and ``navigator``)."""
    tab = await ctx.new_page()
    try:
        if clear:
            await ctx.clear_cookies()
            cdp = await ctx.new_cdp_session(tab)
            await cdp.send("Storage.clearDataForOrigin",
                           {"origin": page.site.origin, "storageTypes": "all"})
            await cdp.detach()
        if gpc:
            await tab.add_init_script(GPC_SCRIPT)
            await tab.set_extra_http_headers({"Sec-GPC": "1"})
        tab.set_default_timeout(ACTION_TIMEOUT_MS)
        tab.on("pageerror", lambda e: page.result.add(page.result.errors, (page.state, str(e))))
        tab.on("console", lambda m: _console(page, m))
        yield tab
    finally:
        await tab.close()


def _console(page: Page, message: Any) -> None:
    text = message.text
    if "trusted type" in text.lower() or "trusted-types" in text.lower():
        page.result.add(page.result.console, (page.state, text))


async def _load(tab: Any, url: str | None = None) -> None:
    if url is None:
        await tab.reload(wait_until="load")
    else:
        await tab.goto(url, wait_until="load")
    await tab.wait_for_timeout(SETTLE_MS)


async def _click(tab: Any, selector: str) -> None:
    await tab.locator(selector).first.click()
    await tab.wait_for_timeout(SETTLE_MS)


async def fresh_then_reject(page: Page, ctx: Any, screenshot: bool) -> bytes | None:
    """Fresh visit: what loads before any choice. Then Reject all, and a reload (what loads
    for a visitor who said no). Also reads which services the page gates."""
    shot = None
    async with _tab(page, ctx, clear=False) as tab:
        page.enter("fresh")
        await _load(tab, page.result.url)
        page.result.banner = await tab.locator(BANNER).is_visible()
        page.result.expected = [k for k in await tab.evaluate(_EXPECTED_JS)
                                if k in page.categories]
        if screenshot:
            shot = await tab.screenshot()
        if page.result.banner:
            page.enter("reject")
            await _click(tab, f"{BANNER} [data-consent-action=reject]")
            await _load(tab)
    return shot


async def accept_navigate_revoke(page: Page, ctx: Any) -> None:
    """Accept all: each expected service must really load. One in-site navigation (instant
    where the theme has it) and back. Then revoke in the preferences and reload: nothing may
    load."""
    async with _tab(page, ctx) as tab:
        page.enter("accept")
        await _load(tab, page.result.url)
        await _click(tab, f"{BANNER} [data-consent-action=accept]")
        await _wait_vendors(page)
        page.result.loaded = sorted(_loaded(page, "accept"))
        page.enter("navigate")
        await _navigate(page, tab)
        if page.result.navigated_to:
            await _back(page, tab)  # still accepted: revoke on the page under test
        await tab.wait_for_load_state("networkidle")  # accepted loads are done, not revoke's
        page.enter("revoke")
        await _open_preferences(tab)
        await _click(tab, f"{PREFS} [data-consent-action=reject]")
        await _load(tab)


async def gpc_visit(page: Page, ctx: Any) -> None:
    """GPC on: a fresh visit loads nothing; Accept all then loads no service in the category
    GPC refuses (the runtime's ``marketing``)."""
    async with _tab(page, ctx, gpc=True) as tab:
        page.enter("gpc")
        await _load(tab, page.result.url)
        if page.result.banner and await tab.locator(BANNER).is_visible():
            page.enter("gpc-accept")
            await _click(tab, f"{BANNER} [data-consent-action=accept]")


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


async def _navigate(page: Page, tab: Any) -> None:
    here = tab.url.split("#")[0]
    path = "/" + here.split("/", 3)[3] if here.count("/") >= 3 else "/"
    target = await tab.evaluate(_LINK_JS, [page.site.origin, page.site.base, path])
    if not target:
        return
    page.result.navigated_to = target
    try:
        await tab.wait_for_url(lambda u: u.split("#")[0] != here, timeout=ACTION_TIMEOUT_MS)
        await tab.wait_for_load_state("load")
        await tab.wait_for_timeout(SETTLE_MS)
        page.result.instant = bool(await tab.evaluate("window.__mkcVerifyMark === 1"))
    except Exception as exc:  # a link that goes nowhere is the site's business, not a crash
        page.result.add(page.result.errors, ("navigate", f"navigation did not happen: {exc}"))


async def _back(page: Page, tab: Any) -> None:
    """Back to the page under test: the history entry when navigation was instant (no full
    load, as a visitor's Back button), else a plain load."""
    if page.result.instant:
        try:
            await tab.go_back()
            await tab.wait_for_function("u => location.href.split('#')[0] === u",
                                        arg=page.result.url, timeout=ACTION_TIMEOUT_MS)
            await tab.wait_for_timeout(SETTLE_MS)
            return
        except Exception:  # fall back to a full load; the check itself is unaffected
            pass
    await _load(tab, page.result.url)


async def _open_preferences(tab: Any) -> None:
    """The visitor's way back: a ``data-consent-open`` control (the footer link) when the page
    shows one, else the ``#consent-preferences`` fragment."""
    opener = tab.locator("[data-consent-open]:visible, a[href$='#consent-preferences']:visible")
    if await opener.count():
        await opener.first.click()
    else:
        await tab.evaluate("location.hash = 'consent-preferences'")
    await tab.locator(PREFS).wait_for(state="visible")

"""The consent runtime judged by Microsoft's real Clarity client (issue 13).

clarity-js (npm, pinned) is served for ``scripts.clarity.ms``, its tag by a local stand-in,
uploads are answered 204 and decoded with clarity-decode (tests/harness/clarity_real.py).
gtag.js is not on npm: its stub publishes Consent Mode as ``google_tag_data.ics``, which the
real Clarity client listens to. Judged in every scenario: no upload after a revoke except the
final flush of the consented page, no Clarity storage after a revoke, no Clarity request under
GPC, and Google's and Clarity's consent states equal after every step (a stopped Clarity
counts as analytics denied: it neither records nor stores).
"""

from __future__ import annotations

import re
import time
from dataclasses import replace

import pytest

from consent_generator.model import Policy
from tests.build.sites import serve_fixture, wait_until
from tests.harness import clarity_real as cr
from tests.harness import consent_pages as cp
from tests.harness.browser import CHROMIUM_ARGS, STUBS, chromium_path, new_session
from tests.harness.server import serve

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(cr.available() is not None, reason=str(cr.available()))]

GPC_INIT = ("Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', "
            "{get: () => true, configurable: true});")
BODY = """
<p class="post-title">A public heading</p>
<form><label>Secret <input id="secret" value="hunter2-secret"></label></form>
<p><a href="../other/" id="other">Another page</a></p>
"""
ACTIVITY = """() => { const p = document.createElement('p');
  p.textContent = 'activity ' + Date.now(); document.querySelector('main').append(p);
  window.scrollBy(0, 40); document.body.click(); }"""
NONE_STORED = {"cookies": [], "local": [], "session": []}


def _policy(order: str = "clarity-first", **changes) -> Policy:
    clarity = cp.service("clarity", project_id="abcde12345")
    ga = cp.service("google-analytics", measurement_id="G-TEST123")
    services = (clarity, ga) if order == "clarity-first" else (ga, clarity)
    return replace(Policy(services=services), **changes)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("clarity-judge")
    cp.write_assets(root)
    pages = {"a": _policy(), "other": _policy(), "gtag-first": _policy("gtag-first"),
             "optout": _policy(mode="opt-out"), "rev2": _policy(revision=2)}
    for name, pol in pages.items():
        cp.write_page(root, name, pol, body_extra=BODY)
    with serve(root) as url:
        yield url


@pytest.fixture(scope="module")
def cached_site(site, tmp_path_factory):
    """The same pages without ``Cache-Control: no-store`` (which keeps pages out of the
    back/forward cache)."""
    root = tmp_path_factory.mktemp("clarity-judge-bfcache")
    cp.write_assets(root)
    for name in ("a", "other"):
        cp.write_page(root, name, _policy(), body_extra=BODY)
    with serve(root, no_store=False) as url:
        yield url


@pytest.fixture
def judged(browser):
    """A fresh context with the real Clarity client attached; yields (session, judge)."""
    s = new_session(browser)
    judge = cr.attach(s)
    yield s, judge
    s.context.close()


# --- helpers -----------------------------------------------------------------------------

def goto(s, url: str) -> None:
    s.page.goto(url)
    wait_until(s.page, "window.siteConsent !== undefined")


def clarity_live(s) -> dict | None:
    """The running client's own consent state, or None when it does not run."""
    return s.page.evaluate("""() => { let st = null;
      try { window.clarity('metadata', (d, u, c) => { st = c || {}; }, false, false, true); }
      catch (e) {}
      return st; }""")


def google(s) -> dict:
    return s.page.evaluate("window.__gtagConsent || {}")


def assert_one_state(s) -> None:
    """Google's and Clarity's consent states agree."""
    g, c = google(s), clarity_live(s)
    if c is None:
        assert g.get("analytics_storage", "denied") == "denied", (g, "Clarity stopped")
        return
    assert c["analytics_Storage"] == g["analytics_storage"], (c, g)
    assert c["ad_Storage"] == g["ad_storage"], (c, g)


def wait_uploads(judge, n: int, s, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while len(judge.uploads) < n:
        if time.monotonic() > deadline:
            raise AssertionError(f"expected {n} uploads, got {len(judge.uploads)}")
        s.page.evaluate(ACTIVITY)
        s.page.wait_for_timeout(200)


def quiet_window(s, seconds: float = 3.0) -> None:
    """Page activity for longer than the client's upload delay (1 s) and restart delay
    (250 ms): a running client would upload in this window."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        s.page.evaluate(ACTIVITY)
        s.page.wait_for_timeout(250)


def clarity_storage(s) -> dict:
    return s.page.evaluate(cr.STORAGE)


def accept_and_record(s, judge) -> None:
    s.page.get_by_role("button", name="Accept all").click()
    wait_until(s.page, cr.RUNNING)
    wait_uploads(judge, 1, s)


def revoke(s) -> None:
    s.page.locator("#open-btn").click()
    s.page.get_by_role("dialog").get_by_role("button", name="Reject all").click()


def assert_only_final_flush(judge, before: int) -> None:
    """Uploads after a revoke: at most the consented page's last payload."""
    earlier = judge.decoded(0)[:before]
    later = judge.decoded(before)
    assert len(later) <= 1, [p["envelope"] for p in later]
    for p in later:
        env = p["envelope"]
        assert env["end"] == 1, env  # the client's "last payload" flag
        assert (env["sessionId"], env["pageNum"]) == (
            earlier[-1]["envelope"]["sessionId"], earlier[-1]["envelope"]["pageNum"])


def assert_clean(s) -> None:
    assert s.csp_violations() == []
    assert s.page_errors == []


def datalayer(s) -> list:
    return s.page.evaluate("window.dataLayer.map(a => Array.from(a).slice(0, 2))")


# --- scenarios ---------------------------------------------------------------------------

def test_fresh_visit_downloads_nothing(judged, site):
    s, judge = judged
    goto(s, site + "a/")
    s.page.wait_for_timeout(500)
    assert judge.requests == []
    assert clarity_live(s) is None
    assert clarity_storage(s) == NONE_STORED
    assert datalayer(s) == [["consent", "default"]]
    assert_one_state(s)
    assert_clean(s)


@pytest.mark.parametrize("page", ["a", "gtag-first"])
def test_accept_all_records_with_one_state(judged, site, page):
    s, judge = judged
    goto(s, site + page + "/")
    accept_and_record(s, judge)
    wait_until(s.page, "window.__gtagConsent && window.__gtagConsent.analytics_storage")
    assert_one_state(s)
    live = clarity_live(s)
    assert (live["analytics_Storage"], live["ad_Storage"]) == ("granted", "granted")
    # What the client uploaded: consent granted, masked input text absent.
    events = cr.consent_events(judge.decoded())
    assert events and events[-1]["analytics_Storage"] == 1 and events[-1]["ad_Storage"] == 1
    assert not any("hunter2" in u for u in judge.uploads)
    stored = clarity_storage(s)
    assert "_clck" in stored["cookies"] and "_cltk" in stored["session"]
    # Google: default, then the update, and gtag.js's config only after it.
    layer = datalayer(s)
    assert layer[:2] == [["consent", "default"], ["consent", "update"]]
    assert [c[0] for c in layer].index("config") > 1
    assert_clean(s)


def test_clarity_listener_hears_google_and_agrees(judged, site):
    s, judge = judged
    goto(s, site + "a/")
    accept_and_record(s, judge)
    before = len(judge.uploads)
    s.page.evaluate("window.siteConsent.deny(['marketing'])")
    wait_uploads(judge, before + 1, s)
    assert_one_state(s)
    events = cr.consent_events(judge.decoded(before))
    # clarity-js's own Consent Mode listener concluded the same state as our consentv2.
    gcm = [e for e in events if e["source"] == cr.SOURCE_GCM]
    assert gcm and gcm[-1]["analytics_Storage"] == 1 and gcm[-1]["ad_Storage"] == 0, events
    assert all(e["ad_Storage"] == 0 and e["analytics_Storage"] == 1 for e in events), events
    assert_clean(s)


def test_reject_all_downloads_nothing(judged, site):
    s, judge = judged
    goto(s, site + "a/")
    s.page.get_by_role("button", name="Reject all").click()
    quiet_window(s, 1.5)
    assert judge.requests == []
    assert datalayer(s) == [["consent", "default"], ["consent", "update"]]
    assert clarity_storage(s) == NONE_STORED
    assert_one_state(s)
    assert_clean(s)


def test_accept_then_revoke_stops_recording_and_clears_storage(judged, site):
    s, judge = judged
    goto(s, site + "a/")
    accept_and_record(s, judge)
    before = len(judge.uploads)
    s.page.evaluate("window.__stay = true")
    revoke(s)
    quiet_window(s)
    assert s.page.evaluate("window.__stay") is True  # the page stayed
    assert clarity_live(s) is None
    assert_only_final_flush(judge, before)
    assert clarity_storage(s) == NONE_STORED
    assert not {"_clck", "_clsk"} & set(s.cookies())
    # No cookieless restart: no consent event after the revoke says "denied but recording".
    assert all(e["analytics_Storage"] == 1 for e in cr.consent_events(judge.decoded()))
    assert_one_state(s)
    assert_clean(s)


def test_revoke_then_close_and_reopen(judged, site):
    s, judge = judged
    goto(s, site + "a/")
    accept_and_record(s, judge)
    revoke(s)
    before_requests, before_uploads = len(judge.requests), len(judge.uploads)
    s.page.close()
    s.page = s.context.new_page()
    s.page.on("pageerror", lambda e: s.page_errors.append(str(e)))
    goto(s, site + "a/")
    quiet_window(s, 1.5)
    new = [u for u in judge.requests[before_requests:] if not u.endswith("/collect")]
    assert new == []  # no tag, no client
    assert len(judge.uploads) - before_uploads <= 1  # the closed page's final flush at most
    assert clarity_live(s) is None
    assert clarity_storage(s) == NONE_STORED
    assert_one_state(s)
    assert_clean(s)


def test_gpc_means_no_clarity_at_all(browser, site):
    s = new_session(browser)
    try:
        judge = cr.attach(s)
        s.context.add_init_script(GPC_INIT)
        goto(s, site + "a/")
        s.page.get_by_role("button", name="Accept all").click()
        wait_until(s.page, "window.__gtagConsent && window.__gtagConsent.analytics_storage")
        quiet_window(s, 1.5)
        assert judge.requests == []
        assert google(s)["analytics_storage"] == "granted"
        assert google(s)["ad_storage"] == "denied"
        assert clarity_storage(s) == NONE_STORED
        assert ".gpc." in s.cookies()["site_consent"]  # the record says GPC was on
        s.page.evaluate("window.siteConsent.open()")
        s.page.locator("#cc-prefs summary", has_text="Services (2)").click()
        note = s.page.get_by_text(
            "Off — your browser asked not to be tracked (Global Privacy Control).")
        assert note.is_visible()
        assert_clean(s)
    finally:
        s.context.close()


def test_opt_out_records_until_the_visitor_says_no(judged, site):
    s, judge = judged
    goto(s, site + "optout/")
    wait_until(s.page, cr.RUNNING)
    wait_uploads(judge, 1, s)
    assert_one_state(s)
    before = len(judge.uploads)
    s.page.get_by_role("button", name="Reject all").click()
    quiet_window(s)
    assert clarity_live(s) is None
    assert_only_final_flush(judge, before)
    assert clarity_storage(s) == NONE_STORED
    assert_one_state(s)
    assert_clean(s)


def test_revision_raised_asks_again_and_clears_clarity(judged, site):
    s, judge = judged
    goto(s, site + "a/")
    accept_and_record(s, judge)
    assert clarity_storage(s) != NONE_STORED
    before = len([u for u in judge.requests if not u.endswith("/collect")])
    goto(s, site + "rev2/")
    assert s.page.locator("#cc-banner").is_visible()
    quiet_window(s, 1.5)
    assert len([u for u in judge.requests if not u.endswith("/collect")]) == before
    assert clarity_live(s) is None
    assert clarity_storage(s) == NONE_STORED
    assert_one_state(s)
    assert_clean(s)


# --- script arrival order ------------------------------------------------------------------

def _hold_gtag(s) -> list:
    held: list = []
    s.context.route(re.compile(r"googletagmanager\.com/gtag/js"),
                    lambda route, request: held.append(route))
    return held


def _release_gtag(held: list) -> None:
    for route in held:
        route.fulfill(status=200, content_type="application/javascript",
                      body=(STUBS / "gtag.js").read_text())


def test_clarity_before_gtag_then_revoke_while_gtag_loads(judged, site):
    s, judge = judged
    held = _hold_gtag(s)
    goto(s, site + "a/")
    accept_and_record(s, judge)  # Clarity runs; gtag.js has not arrived
    assert held and google(s) == {}
    live = clarity_live(s)
    assert (live["analytics_Storage"], live["ad_Storage"]) == ("granted", "granted")
    before = len(judge.uploads)
    revoke(s)
    _release_gtag(held)
    wait_until(s.page, "window.__gtagConsent && window.__gtagConsent.analytics_storage")
    quiet_window(s)
    assert google(s)["analytics_storage"] == "denied"
    assert clarity_live(s) is None
    assert_only_final_flush(judge, before)
    assert clarity_storage(s) == NONE_STORED
    assert_one_state(s)
    assert_clean(s)


def test_gtag_before_clarity_then_revoke_while_clarity_loads(browser, site):
    s = new_session(browser)
    try:
        judge = cr.attach(s, hold=("client",))
        goto(s, site + "gtag-first/")
        s.page.get_by_role("button", name="Accept all").click()
        wait_until(s.page, "window.__gtagConsent && "
                           "window.__gtagConsent.analytics_storage === 'granted'")
        # The tag ran and asked for the client, which is held back: Clarity is still loading.
        deadline = time.monotonic() + 10
        while "client" not in judge.held:
            assert time.monotonic() < deadline, judge.requests
            s.page.wait_for_timeout(50)
        revoke(s)
        cr.release(judge, "client")
        quiet_window(s)
        assert judge.uploads == []  # it never started
        assert clarity_live(s) is None
        assert clarity_storage(s) == NONE_STORED
        assert_one_state(s)
        assert_clean(s)
    finally:
        s.context.close()


@pytest.fixture(scope="module")
def bfcache_browser(browser):
    """A second Chromium with the back/forward cache on (Playwright turns it off by default)."""
    b = browser.browser_type.launch(executable_path=chromium_path(), headless=True,
                                    args=CHROMIUM_ARGS,
                                    ignore_default_args=["--disable-back-forward-cache"])
    yield b
    b.close()


def test_bfcache_restore_does_not_restart_a_revoked_clarity(bfcache_browser, cached_site):
    s = new_session(bfcache_browser)
    try:
        _bfcache_scenario(s, cr.attach(s), cached_site)
    finally:
        s.context.close()


def _bfcache_scenario(s, judge, site: str) -> None:
    s.context.add_init_script("window.addEventListener('pageshow', e => "
                              "{ window.__restored = e.persisted; });")
    goto(s, site + "a/")
    accept_and_record(s, judge)
    s.page.locator("#other").click()
    wait_until(s.page, "location.pathname.endsWith('/other/') && !!window.siteConsent")
    revoke(s)
    quiet_window(s, 1.0)
    before = len(judge.uploads)
    s.page.go_back(wait_until="commit")  # a restore fires pageshow, not load
    wait_until(s.page, "location.pathname.endsWith('/a/') && !!window.siteConsent")
    if not s.page.evaluate("window.__restored"):
        reasons = s.page.evaluate("JSON.stringify(performance.getEntriesByType('navigation')"
                                  "[0].notRestoredReasons)")
        pytest.fail(f"the page was not restored from the back/forward cache: {reasons}")
    quiet_window(s)
    assert clarity_live(s) is None
    assert len(judge.uploads) == before
    assert clarity_storage(s) == NONE_STORED
    assert_one_state(s)
    assert_clean(s)


# --- Material, instant navigation ------------------------------------------------------------

@pytest.fixture(scope="module")
def material(tmp_path_factory):
    with serve_fixture("material", tmp_path_factory.mktemp("clarity-material")) as served:
        yield served


def test_revoke_then_instant_navigation_keeps_clarity_stopped(judged, material):
    s, judge = judged
    base, _ = material
    goto(s, base)
    accept_and_record(s, judge)
    before = len(judge.uploads)
    s.page.evaluate("window.__noReload = 'same document'")
    s.page.evaluate("window.siteConsent.deny(['analytics'])")  # marketing: embeds would reload
    s.page.locator("article a", has_text="guide").first.click()
    s.page.wait_for_url(re.compile(r"/guide/$"))
    assert s.page.evaluate("window.__noReload") == "same document"  # instant, no reload
    quiet_window(s)
    assert clarity_live(s) is None
    assert_only_final_flush(judge, before)
    assert clarity_storage(s) == NONE_STORED
    assert_one_state(s)
    assert s.page_errors == []

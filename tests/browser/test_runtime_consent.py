"""The consent runtime in real Chromium, under a strict ``<meta>`` CSP, vendors stubbed locally.

Pages are rendered with render_head/render_body (tests/harness/consent_pages.py) into one
temporary site served on 127.0.0.1; every test uses a fresh browser context (no cookies) and
ends by asserting zero CSP violations and zero page errors. Waits are event- or state-based.
"""

from __future__ import annotations

import json
import time
from dataclasses import replace

import pytest

from consent_generator.model import CookieConfig, Policy, UiConfig
from consent_generator.render import bundled_languages
from tests.harness import consent_pages as cp
from tests.harness.axe import run_axe, serious
from tests.harness.browser import CHROMIUM_ARGS, chromium_path, new_session
from tests.harness.server import serve

pytestmark = pytest.mark.browser

AFTER_ONE = "window.__order.push('after-one:' + (window.__one === true));"
TPL_INLINE = "window.__order.push('tpl-inline');"
GATED = f"""
<script type="text/plain" data-consent-category="analytics" data-consent-src="../js/one.js" data-test="kept" async></script>
<script type="text/plain" data-consent-category="analytics">{AFTER_ONE}</script>
<template data-consent-category="analytics"><p id="tpl-p">From a template</p><script src="../js/two.js"></script><script>{TPL_INLINE}</script></template>
<template data-consent-category="analytics"><script src="../js/two.js"></script></template>
<script type="text/plain" data-consent-category="functionality" src="../js/func.js"></script>
<script type="text/plain" data-consent-category="marketing" data-consent-src="../js/mkt.js"></script>
<iframe id="yt1" data-consent-category="marketing" data-consent-service="youtube" data-consent-src="https://www.youtube-nocookie.com/embed/one" title="Video one" width="560" height="315"></iframe>
<iframe id="yt2" data-consent-category="marketing" data-consent-service="youtube" data-consent-src="https://www.youtube-nocookie.com/embed/two" title="Video two" width="560" height="315"></iframe>
"""
GATED_INLINE = (AFTER_ONE, TPL_INLINE)
ALL = ["necessary", "functionality", "analytics", "marketing"]
VENDOR_HOSTS = r"clarity\.ms|bing\.com|google|youtube"
GPC_INIT = ("Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', "
            "{get: () => true, configurable: true});")
BANNER_WATCH = """
window.__bannerShown = false;
new MutationObserver(ms => { for (const m of ms) if (m.target.id === 'cc-banner' &&
  !m.target.hidden) window.__bannerShown = true; })
  .observe(document, {attributes: true, attributeFilter: ['hidden'], subtree: true});
"""
EVENTS = ("window.__events = []; document.addEventListener('consentchange', "
          "e => window.__events.push(e.detail.granted));")


def policy(**changes) -> Policy:
    return replace(Policy(services=cp.standard_services()), **changes)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("consent-site")
    cp.write_assets(root)
    base = policy()
    pages = {
        "optin": (base, {"body_extra": GATED, "inline_scripts": GATED_INLINE}),
        "vendors": (replace(base, ui=UiConfig(privacy_url="/privacy/")), {}),
        "rev2": (policy(revision=2), {"body_extra": GATED, "inline_scripts": GATED_INLINE}),
        "optout": (policy(mode="opt-out"), {"body_extra": GATED, "inline_scripts": GATED_INLINE}),
        "notice": (policy(mode="notice"), {"body_extra": GATED, "inline_scripts": GATED_INLINE}),
        "endpoint": (policy(record_endpoint="/consent-record"), {}),
        "override": (policy(ui=UiConfig(texts={"en": {"reject_all": "No thanks",
                                                      "category.analytics.title": "Stats"}})),
                     {}),
        # Material's dark scheme: a Material site is served the theme's CSS part.
        "slate": (base, {"body_extra": GATED, "inline_scripts": GATED_INLINE,
                         "body_attrs": ' data-md-color-scheme="slate"', "themes": ["material"]}),
        "domain": (policy(cookie=CookieConfig(domain="example.test")), {}),
        "lang-de-AT": (base, {"lang": "de-AT"}),
        "lang-sv": (base, {"lang": "sv"}),
    }
    for code in bundled_languages():
        pages[f"lang-{code}"] = (base, {"lang": code})
    for name, (pol, kwargs) in pages.items():
        cp.write_page(root, name, pol, **kwargs)
    with serve(root) as url:
        yield url


# --- helpers -----------------------------------------------------------------------------

def goto(s, url: str) -> None:
    s.page.goto(url)
    s.page.wait_for_function("() => !!window.siteConsent")


def wait(s, predicate: str) -> None:
    s.page.wait_for_function(f"() => {predicate}", timeout=10_000)


def js(s, expr: str):
    return s.page.evaluate(f"() => {expr}")


def banner(s):
    return s.page.locator("#cc-banner")


def dialog_open(s) -> bool:
    return js(s, "document.getElementById('cc-prefs').open")


def record(s) -> list[str] | None:
    value = s.cookies().get("site_consent")
    return value.split(".") if value else None


def assert_clean(s) -> None:
    assert s.csp_violations() == []
    assert s.page_errors == []


# --- before consent ------------------------------------------------------------------------

def test_opt_in_loads_nothing_before_consent(session, site):
    goto(session, site + "optin/")
    assert banner(session).is_visible()
    assert session.page.get_by_role("region", name="Cookie consent").is_visible()
    for name in ("Accept all", "Reject all", "Manage preferences"):
        assert session.page.get_by_role("button", name=name, exact=True).is_visible()
    assert session.third_party() == []
    assert js(session, "window.__order") is None
    assert js(session, "window.siteConsent.accepted('analytics')") is False
    assert js(session, "window.siteConsent.accepted('necessary')") is True
    assert "site_consent" not in session.cookies()
    # Consent Mode default is queued (locally) before any Google tag could run.
    layer = js(session, "window.dataLayer.map(a => Array.from(a))")
    assert layer[0][:2] == ["consent", "default"]
    assert {k: v for k, v in layer[0][2].items() if k != "security_storage"} == {
        "ad_storage": "denied", "ad_user_data": "denied", "ad_personalization": "denied",
        "analytics_storage": "denied", "functionality_storage": "denied",
        "personalization_storage": "denied", "wait_for_update": 500}
    assert layer[0][2]["security_storage"] == "granted"
    # Equal weight: the three choices share one style.
    classes = js(session, "[...document.querySelectorAll('#cc-banner button')].map(b => "
                          "getComputedStyle(b).backgroundColor + getComputedStyle(b).fontWeight)")
    assert len(set(classes)) == 1
    assert_clean(session)


# --- accept ------------------------------------------------------------------------------

def test_accept_all_activates_in_order_and_signals_vendors(session, site):
    goto(session, site + "optin/")
    session.page.evaluate(f"() => {{ {EVENTS} }}")
    session.page.get_by_role("button", name="Accept all").click()
    wait(session, "window.__order && window.__order.length === 6")
    wait(session, "(window.__clarityCalls || []).length > 0")
    assert js(session, "window.__order") == [
        "one", "after-one:true", "two", "tpl-inline", "func", "mkt"]
    assert js(session, "window.__count") == {"one": 1, "two": 1, "func": 1, "mkt": 1}
    assert js(session, "window.__clarityCalls") == [
        ["consentv2", {"analytics_Storage": "granted", "ad_Storage": "granted"}]]
    wait(session, "window.__gtagConsent.analytics_storage === 'granted'")
    assert js(session, "window.__gtagConsent") == {
        "ad_storage": "granted", "ad_user_data": "granted", "ad_personalization": "granted",
        "analytics_storage": "granted", "functionality_storage": "granted",
        "personalization_storage": "granted", "security_storage": "granted"}
    kinds = [c[1] for c in js(session, "window.__gtagCommands") if c[0] == "consent"]
    assert kinds == ["default", "update"]
    assert session.third_party(r"www\.clarity\.ms")
    assert session.third_party(r"googletagmanager\.com")
    # The fresh script keeps every other attribute of the gated one.
    assert js(session, "(() => { const s = document.querySelector('script[src$=\"js/one.js\"]');"
                       " return [s.dataset.test, s.async, s.type]; })()") == ["kept", True, ""]
    assert js(session, "!!document.getElementById('tpl-p')") is True
    assert js(session, "[...document.querySelectorAll('iframe')].map(f => f.src)") == [
        "https://www.youtube-nocookie.com/embed/one", "https://www.youtube-nocookie.com/embed/two"]
    assert js(session, "document.querySelectorAll('.cc-embed').length") == 0
    assert banner(session).is_hidden()
    assert js(session, "window.__events") == [ALL]
    fields = record(session)
    assert fields[0] == "1" and fields[4] == "1" and fields[5] == "~".join(ALL)
    assert fields[2] == fields[3]  # given == updated on the first choice
    # Nothing of ours carries an inline style.
    assert js(session, "document.querySelectorAll('[style]').length") == 0
    assert_clean(session)


def test_granting_again_never_runs_a_script_twice(session, site):
    goto(session, site + "optin/")
    session.page.get_by_role("button", name="Accept all").click()
    wait(session, "window.__order && window.__order.length === 6")
    js(session, "window.siteConsent.grant(['analytics', 'marketing'])")
    js(session, "window.siteConsent.open()")
    session.page.get_by_role("button", name="Save preferences").click()
    assert js(session, "window.__count") == {"one": 1, "two": 1, "func": 1, "mkt": 1}
    assert js(session, "window.__clarityTagLoads") == 1
    assert js(session, "window.__gtagLoads") == 1
    assert_clean(session)


# --- reject, revoke, remember --------------------------------------------------------------

def test_reject_all_is_remembered_without_flash(session, site):
    goto(session, site + "optin/")
    session.page.get_by_role("button", name="Reject all").click()
    assert banner(session).is_hidden()
    assert record(session)[5] == "necessary"
    session.context.add_init_script(BANNER_WATCH)
    goto(session, site + "optin/")
    assert js(session, "window.__bannerShown") is False
    assert banner(session).is_hidden()
    assert js(session, "window.siteConsent.accepted('analytics')") is False
    assert js(session, "window.__order") is None
    assert session.third_party(VENDOR_HOSTS) == []
    # Placeholders still offer the embeds.
    assert session.page.get_by_role("button", name="Load video from YouTube").count() == 2
    assert_clean(session)


def test_revoking_signals_denied_and_deletes_vendor_cookies(session, site):
    goto(session, site + "vendors/")
    session.page.get_by_role("button", name="Accept all").click()
    wait(session, "document.cookie.includes('_clck=') && document.cookie.includes('_ga_TEST123=')")
    js(session, "window.__stay = true")  # a reload would lose it
    session.page.locator("#open-btn").click()
    session.page.get_by_role("switch", name="Analytics").uncheck()
    session.page.get_by_role("switch", name="Marketing").uncheck()
    session.page.get_by_role("button", name="Save preferences").click()
    wait(session, "window.__gtagConsent.analytics_storage === 'denied'")
    assert js(session, "window.__clarityCalls")[-1] == [
        "consentv2", {"analytics_Storage": "denied", "ad_Storage": "denied"}]
    assert js(session, "window.__gtagConsent")["ad_storage"] == "denied"
    assert js(session, "window.__stay") is True
    assert not {"_clck", "_clsk", "_ga", "_ga_TEST123"} & set(session.cookies())
    assert record(session)[5] == "necessary~functionality"
    assert_clean(session)


def test_revoking_load_on_grant_code_reloads_and_it_never_runs_again(session, site):
    goto(session, site + "optin/")
    session.page.get_by_role("button", name="Accept all").click()
    wait(session, "window.__order && window.__order.length === 6")
    with session.page.expect_navigation():
        js(session, "window.siteConsent.deny(['analytics'])")
    session.page.wait_for_function("() => !!window.siteConsent")
    wait(session, "window.__order && window.__order.length === 2")
    assert js(session, "window.__order") == ["func", "mkt"]
    assert js(session, "typeof window.clarity") == "undefined"
    assert_clean(session)


def test_new_revision_asks_again(session, site):
    goto(session, site + "optin/")
    session.page.get_by_role("button", name="Accept all").click()
    wait(session, "window.__order && window.__order.length === 6")
    before = len(session.third_party())
    goto(session, site + "rev2/")
    assert banner(session).is_visible()
    assert js(session, "window.siteConsent.accepted('analytics')") is False
    assert len(session.third_party()) == before
    assert js(session, "window.__order") is None
    session.page.get_by_role("button", name="Reject all").click()
    fields = record(session)
    assert fields[4] == "2"
    assert_clean(session)


def _set_record(s, site, value: str) -> None:
    s.context.add_cookies([{"name": "site_consent", "value": value, "url": site}])


def test_valid_record_is_honoured_and_expired_one_asks_again(session, site):
    now = int(time.time())
    _set_record(session, site, cp.encode_record(ALL, given=now - 100, updated=now - 100))
    goto(session, site + "optin/")
    assert banner(session).is_hidden()
    wait(session, "(window.__clarityCalls || []).length > 0")
    session.context.clear_cookies()
    old = now - 183 * 86400
    _set_record(session, site, cp.encode_record(ALL, given=old, updated=old))
    goto(session, site + "vendors/")
    assert banner(session).is_visible()
    assert js(session, "window.siteConsent.accepted('analytics')") is False
    assert_clean(session)


@pytest.mark.parametrize("case", [
    "garbage", "1.abc", "%E0%A4%A", "bad-checksum", "tampered", "given-after-updated", "future",
])
def test_malformed_or_tampered_record_means_no_consent(session, site, case):
    now = int(time.time())
    good = cp.encode_record(ALL, given=now, updated=now)
    value = {
        "bad-checksum": good.rsplit(".", 1)[0] + ".0",
        "tampered": cp.encode_record(["necessary"], given=now, updated=now).replace(
            "necessary", "~".join(ALL), 1),
        "given-after-updated": cp.encode_record(ALL, given=now + 1000, updated=now),
        "future": cp.encode_record(ALL, given=now + 10 * 86400, updated=now + 10 * 86400),
    }.get(case, case)
    _set_record(session, site, value)
    goto(session, site + "optin/")
    assert banner(session).is_visible()
    assert js(session, "window.siteConsent.accepted('analytics')") is False
    assert session.third_party() == []
    assert_clean(session)


# --- GPC and modes -------------------------------------------------------------------------

def test_gpc_keeps_marketing_denied_after_accept_all(session, site):
    session.context.add_init_script(GPC_INIT)
    goto(session, site + "optin/")
    session.page.get_by_role("button", name="Accept all").click()
    wait(session, "window.__order && window.__order.length === 5")
    assert js(session, "window.siteConsent.accepted('marketing')") is False
    # Clarity refuses GPC visitors (clarity-js check()): it is not even downloaded (issue 13).
    assert js(session, "window.__clarityCalls") is None
    assert session.third_party(r"clarity\.ms") == []
    assert js(session, "window.__gtagConsent.ad_storage") == "denied"
    assert "mkt" not in js(session, "window.__order")
    assert session.third_party("youtube") == []
    js(session, "window.siteConsent.open()")
    page = session.page
    # .first: the dialog now also names Clarity as off under GPC (issue 13)
    assert page.get_by_text("Global Privacy Control").first.is_visible()
    marketing = page.get_by_role("switch", name="Marketing")
    assert not marketing.is_checked() and marketing.is_disabled()
    assert "marketing" not in record(session)[5]
    assert_clean(session)


def test_opt_out_runs_until_the_visitor_says_no(session, site):
    goto(session, site + "optout/")
    assert banner(session).is_visible()
    wait(session, "window.__order && window.__order.length === 6")
    wait(session, "(window.__clarityCalls || []).length > 0")
    with session.page.expect_navigation():  # load-on-grant code ran: the page reloads
        session.page.get_by_role("button", name="Reject all").click()
    goto(session, site + "optout/")
    assert banner(session).is_hidden()
    assert js(session, "window.__order") is None
    assert js(session, "window.dataLayer.length") == 1  # only the default
    assert_clean(session)


def test_opt_out_with_gpc_denies_marketing_from_the_start(session, site):
    session.context.add_init_script(GPC_INIT)
    goto(session, site + "optout/")
    wait(session, "window.__order && window.__order.length === 5")
    assert js(session, "window.siteConsent.accepted('analytics')") is True
    assert js(session, "window.siteConsent.accepted('marketing')") is False
    assert session.third_party("youtube") == []
    assert_clean(session)


def test_notice_mode_informs_and_remembers(session, site):
    goto(session, site + "notice/")
    page = session.page
    assert page.get_by_role("button", name="OK", exact=True).is_visible()
    assert page.get_by_role("button", name="Accept all").count() == 0
    wait(session, "window.__order && window.__order.length === 6")
    page.get_by_role("button", name="OK", exact=True).click()
    assert banner(session).is_hidden()
    goto(session, site + "notice/")
    assert banner(session).is_hidden()
    assert_clean(session)


# --- embeds --------------------------------------------------------------------------------

def test_iframe_placeholder_loads_once_or_always(session, site):
    goto(session, site + "optin/")
    page = session.page
    holders = page.get_by_role("group", name="YouTube")
    assert holders.count() == 2
    assert js(session, "[...document.querySelectorAll('iframe')].every(f => f.hidden && !f.src)")
    page.get_by_role("button", name="Load video from YouTube").first.click()
    wait(session, "document.getElementById('yt1').src !== ''")
    assert js(session, "document.activeElement.id") == "yt1"
    assert js(session, "document.getElementById('yt2').hidden") is True
    assert js(session, "window.siteConsent.accepted('marketing')") is False
    assert "site_consent" not in session.cookies()
    assert len(session.third_party("youtube")) == 1
    page.get_by_role("button", name="Always allow Marketing").click()
    wait(session, "document.getElementById('yt2').src !== ''")
    assert js(session, "window.siteConsent.accepted('marketing')") is True
    wait(session, "!!window.__order")  # the category's script loads too
    assert js(session, "window.__order") == ["mkt"]
    assert record(session)[5] == "necessary~marketing"
    assert js(session, "document.querySelectorAll('.cc-embed, [style]').length") == 0
    assert_clean(session)


# --- keyboard and dialog -------------------------------------------------------------------

def _focused_name(s) -> str:
    return js(s, "(document.activeElement.getAttribute('aria-label') || "
                 "(document.activeElement.labels && document.activeElement.labels[0] || "
                 "document.activeElement).textContent).trim()")


def _tab_to(s, name: str, limit: int = 30) -> None:
    for _ in range(limit):
        s.page.keyboard.press("Tab")
        if _focused_name(s) == name:
            return
    raise AssertionError(f"Tab never reached {name!r}")


def test_keyboard_only_choice(session, site):
    goto(session, site + "vendors/")
    page = session.page
    _tab_to(session, "Manage preferences")
    page.keyboard.press("Enter")
    assert dialog_open(session)
    assert js(session, "document.getElementById('cc-prefs').contains(document.activeElement)")
    assert banner(session).is_hidden()  # one set of buttons at a time
    _tab_to(session, "Analytics")
    page.keyboard.press("Space")
    _tab_to(session, "Save preferences")
    page.keyboard.press("Enter")
    assert not dialog_open(session)
    wait(session, "(window.__clarityCalls || []).length > 0")
    assert record(session)[5] == "necessary~analytics"
    assert banner(session).is_hidden()
    assert_clean(session)


def test_dialog_traps_focus_closes_on_escape_and_returns_focus(session, site):
    goto(session, site + "optin/")
    page = session.page
    page.focus("#open-btn")
    page.keyboard.press("Enter")
    assert dialog_open(session)
    inside = "document.getElementById('cc-prefs').contains(document.activeElement)"
    for key in ["Tab"] * 14 + ["Shift+Tab"] * 6:
        page.keyboard.press(key)
        assert js(session, inside), f"focus left the dialog after {key}"
    page.keyboard.press("Escape")
    assert not dialog_open(session)
    # The dialog's close event is a task of its own: wait for its handler.
    banner(session).wait_for(state="visible")  # no choice was made
    assert js(session, "document.activeElement.id") == "open-btn"
    assert "site_consent" not in session.cookies()
    assert_clean(session)


def test_switches_named_by_title_required_on_nothing_pre_ticked(session, site):
    goto(session, site + "optin/")
    js(session, "window.siteConsent.open()")
    page = session.page
    necessary = page.get_by_role("switch", name="Necessary")
    assert necessary.is_checked() and necessary.is_disabled()
    for title in ("Functionality", "Analytics", "Marketing"):
        sw = page.get_by_role("switch", name=title, exact=True)
        assert not sw.is_checked() and sw.is_enabled()
    # Per-service details from the catalog.
    page.get_by_text("Services (2)").click()
    assert page.get_by_role("heading", name="Microsoft Clarity").is_visible()
    assert page.get_by_role("cell", name="_clck").is_visible()
    page.get_by_role("button", name="Close").click()
    assert not dialog_open(session)
    assert_clean(session)


def test_fragment_and_data_consent_open_reopen_preferences(session, site):
    goto(session, site + "optin/#consent-preferences")
    assert dialog_open(session)
    assert js(session, "location.hash") == ""
    session.page.keyboard.press("Escape")
    js(session, "location.hash = 'consent-preferences'")  # hashchange
    wait(session, "document.getElementById('cc-prefs').open")
    session.page.keyboard.press("Escape")
    session.page.locator("#hash-link").click()  # a link to the fragment
    assert dialog_open(session)
    session.page.get_by_role("button", name="Reject all").click()
    assert not dialog_open(session)
    session.page.locator("#open-btn").click()
    assert dialog_open(session)
    assert_clean(session)


# --- API, proof, dynamic content -----------------------------------------------------------

def test_api_and_consentchange_event(session, site):
    goto(session, site + "vendors/")
    session.page.evaluate(f"() => {{ {EVENTS} }}")
    js(session, "window.siteConsent.grant(['analytics'])")
    assert js(session, "window.siteConsent.accepted('analytics')") is True
    assert banner(session).is_hidden()
    wait(session, "(window.__clarityCalls || []).length > 0")
    js(session, "window.siteConsent.deny('analytics')")
    assert js(session, "window.__events") == [["necessary", "analytics"], ["necessary"]]
    assert js(session, "window.siteConsent.granted()") == ["necessary"]
    assert js(session, "Object.isFrozen(window.siteConsent)") is True
    js(session, "window.siteConsent.deny(['necessary'])")  # required cannot be refused
    assert js(session, "window.siteConsent.accepted('necessary')") is True
    js(session, "window.siteConsent.open()")
    assert dialog_open(session)
    assert_clean(session)


def test_record_endpoint_receives_the_proof(session, site):
    goto(session, site + "endpoint/")
    with session.page.expect_request(lambda r: r.url.endswith("/consent-record")) as req:
        session.page.get_by_role("button", name="Accept all").click()
    request = req.value
    assert request.method == "POST"
    proof = json.loads(request.post_data)
    fields = record(session)
    assert proof["id"] == fields[1] and proof["revision"] == 1 and proof["granted"] == ALL
    assert len(proof["policy"]) == 16
    assert_clean(session)


def test_inserted_content_is_gated_like_the_first_page(session, site):
    """What Material's instant navigation does: new content arrives without a page load."""
    goto(session, site + "optin/")
    insert = """() => {
      const t = document.createElement('template');
      t.setAttribute('data-consent-category', 'analytics');
      const a = document.createElement('script'); a.src = '../js/two.js';
      const b = document.createElement('script'); b.src = '../js/three.js';
      t.content.append(a, b);
      const f = document.createElement('iframe');
      f.id = 'yt3'; f.title = 'Video three';
      f.setAttribute('data-consent-category', 'marketing');
      f.setAttribute('data-consent-service', 'youtube');
      f.setAttribute('data-consent-src', 'https://www.youtube-nocookie.com/embed/three');
      document.querySelector('main').append(t, f);
    }"""
    session.page.evaluate(insert)
    session.page.get_by_role("button", name="Load video from YouTube").nth(2).wait_for()
    assert js(session, "window.__order") is None
    session.page.get_by_role("button", name="Accept all").click()
    wait(session, "window.__order && window.__order.includes('three')")
    wait(session, "document.getElementById('yt3').src !== ''")
    # A second "navigation" brings the same scripts again plus a fresh banner copy.
    session.page.evaluate(insert.replace("yt3", "yt4"))
    session.page.evaluate("""() => {
      const old = document.getElementById('cc-banner'), copy = old.cloneNode(true);
      old.remove(); copy.hidden = true; document.body.prepend(copy);
    }""")
    wait(session, "document.getElementById('yt4').src !== ''")
    assert js(session, "window.__count") == {"one": 1, "two": 1, "three": 1, "func": 1, "mkt": 1}
    assert banner(session).is_hidden()
    assert_clean(session)


# --- languages -----------------------------------------------------------------------------

def _texts(code: str) -> dict:
    from consent_generator.render import I18N_DIR
    return json.loads((I18N_DIR / f"{code}.json").read_text(encoding="utf-8"))


def test_every_bundled_language_renders(session, site):
    page = session.page
    cases = [(code, code) for code in bundled_languages()] + [("de-AT", "de"), ("sv", "en")]
    assert {c for c, _ in cases} >= {"en", "de", "fr", "es", "it", "nl", "pt", "pl"}
    for page_lang, code in cases:
        t = _texts(code)
        goto(session, site + f"lang-{page_lang}/")
        assert page.get_by_role("region", name=t["banner_label"]).is_visible(), page_lang
        for key in ("accept_all", "reject_all", "manage"):
            assert page.get_by_role("button", name=t[key], exact=True).is_visible(), (page_lang, key)
        js(session, "window.siteConsent.open()")
        for cat in ("necessary", "functionality", "analytics", "marketing"):
            name = t[f"category.{cat}.title"]
            assert page.get_by_role("switch", name=name, exact=True).count() == 1, (page_lang, cat)
        assert page.get_by_role("button", name=t["save"], exact=True).is_visible()
        page.keyboard.press("Escape")
        assert_clean(session)


def test_policy_texts_override_bundled_ones(session, site):
    goto(session, site + "override/")
    assert session.page.get_by_role("button", name="No thanks").is_visible()
    js(session, "window.siteConsent.open()")
    assert session.page.get_by_role("switch", name="Stats").count() == 1
    assert_clean(session)


# --- accessibility, appearance -------------------------------------------------------------

@pytest.mark.parametrize("scheme", ["light", "dark", "slate"])
def test_axe_finds_nothing_serious_on_banner_and_dialog(browser, site, scheme):
    s = new_session(browser, bypass_csp=True,
                    color_scheme="light" if scheme == "slate" else scheme)
    try:
        goto(s, site + ("slate/" if scheme == "slate" else "optin/"))
        problems = serious(run_axe(s.page, ["#cc-banner", ".cc-embed"]))
        assert problems == [], problems
        js(s, "window.siteConsent.open()")
        s.page.get_by_text("Services (2)").click()
        problems = serious(run_axe(s.page, ["#cc-prefs"]))
        assert problems == [], problems
        dark = js(s, "getComputedStyle(document.getElementById('cc-prefs')).backgroundColor")
        assert (dark == "rgb(31, 32, 38)") == (scheme != "light")
        assert s.page_errors == []
    finally:
        s.context.close()


def test_reduced_motion_turns_off_the_animation(browser, site):
    s = new_session(browser, reduced_motion="reduce")
    try:
        goto(s, site + "optin/")
        assert js(s, "getComputedStyle(document.getElementById('cc-banner')).animationName") \
            == "none"
        assert js(s, "getComputedStyle(document.getElementById('cc-banner')).position") == "fixed"
        assert_clean(s)
    finally:
        s.context.close()


# --- parent domains (a browser that resolves *.example.test to the local server) -----------

@pytest.fixture(scope="module")
def domain_browser(browser):
    # A second Chromium from the same Playwright driver (only one sync driver may run).
    b = browser.browser_type.launch(
        executable_path=chromium_path(), headless=True,
        args=[*CHROMIUM_ARGS, "--host-resolver-rules=MAP *.example.test 127.0.0.1"])
    yield b
    b.close()


def test_revoke_deletes_cookies_on_every_parent_domain(domain_browser, site):
    port = site.rsplit(":", 1)[1].strip("/")
    origin = f"http://www.example.test:{port}/"
    s = new_session(domain_browser, local_hosts=("www.example.test",))
    try:
        goto(s, origin + "domain/")
        js(s, "window.siteConsent.grant(['analytics'])")
        wait(s, "document.cookie.includes('_ga_TEST123=') && document.cookie.includes('_clsk=')")
        # As if set by the vendor on another subdomain of the site.
        s.context.add_cookies([
            {"name": "_ga", "value": "parent", "domain": ".example.test", "path": "/"},
            {"name": "_clck", "value": "parent", "domain": ".example.test", "path": "/"},
        ])
        parent = [c["name"] for c in s.context.cookies() if c["domain"] == ".example.test"]
        assert {"_ga", "_clck"} <= set(parent)
        consent = [c for c in s.context.cookies() if c["name"] == "site_consent"]
        assert consent and consent[0]["domain"] == ".example.test"
        assert consent[0]["sameSite"] == "Lax" and not consent[0]["secure"]
        # Not a secure context: the id comes from getRandomValues (32 hex digits).
        assert len(consent[0]["value"].split(".")[1]) == 32
        js(s, "window.siteConsent.deny(['analytics'])")
        names = [c["name"] for c in s.context.cookies()]
        assert not {"_ga", "_ga_TEST123", "_clck", "_clsk"} & set(names), names
        assert "site_consent" in names
        assert_clean(s)
    finally:
        s.context.close()

"""consent_generator reads the URLs of ``consent.yml`` and the catalog as the browser does.

Its sources used to come from ``urllib.parse.urlsplit``, which keeps ``user@``, ``:443``,
upper-case and percent-encoded hosts in ``netloc``: ``record_endpoint: https://u@host/rec``
gave the invalid CSP source ``https://u@host``. They now go through
:mod:`consent_generator.urls` (ada-url, WHATWG), the home :mod:`mkdocs_clarity.engine.urls`
re-exports. Every case marked "old" below failed under the old code; validation of what a user
writes stays strict and names the key and the fix.
"""

from __future__ import annotations

import textwrap

import pytest

from consent_generator.csp_sources import record_endpoint_source
from consent_generator.model import Policy
from consent_generator.policy import PolicyError, parse_policy
from consent_generator.render import _safe_url
from consent_generator.services import catalog
from consent_generator.urls import UrlParts, has_credentials, http_origin, url_parts
from mkdocs_clarity.engine import urls as engine_urls


def test_the_engine_reads_urls_through_the_same_home():
    assert engine_urls.url_parts is url_parts and engine_urls.UrlParts is UrlParts
    assert engine_urls.absolute_url_parts("https://U@Host:443/a") == UrlParts(
        "https", "host", None, "/a")


@pytest.mark.parametrize(("url", "origin"), [
    ("https://u@host.example/rec", "https://host.example"),
    ("https://u:pw@host.example/rec", "https://host.example"),
    ("https://Host.Example:443/rec", "https://host.example"),
    ("https://%68ost.example/rec", "https://host.example"),
    ("https://bücher.example/rec", "https://xn--bcher-kva.example"),
    ("https://host.example:8443/rec", "https://host.example:8443"),  # control: same before
    ("https://host.example\\rec", "https://host.example"),
])
def test_the_record_endpoint_source_is_the_origin_the_beacon_reaches(url, origin):  # old
    assert record_endpoint_source(Policy(record_endpoint=url)) == origin


def test_a_same_site_record_endpoint_is_self():
    assert record_endpoint_source(Policy(record_endpoint="/api/consent")) == "'self'"
    assert record_endpoint_source(Policy()) is None


def test_http_origin_is_none_for_what_has_no_http_origin():
    for url in ("/a", "//host/a", "javascript:alert(1)", "https://host:99999/", "data:,x"):
        assert http_origin(url) is None, url
    assert not has_credentials("https://host/a@b") and has_credentials("//u@host/")


# -- a vendor's URL parameter (services.model._origin) --------------------------------------------

def test_a_default_port_keeps_posthogs_assets_host():  # old: ('https://eu.i.posthog.com:443',)
    """The snippet loads ``api_host.replace(".i.posthog.com", "-assets.i.posthog.com")``,
    so ``https://eu.i.posthog.com:443`` loads from eu-assets: the alias must still apply."""
    csp = catalog()["posthog"].csp_for({"api_host": "https://eu.i.posthog.com:443"})
    assert csp["script-src"] == ("https://eu.i.posthog.com", "https://eu-assets.i.posthog.com")


@pytest.mark.parametrize("url", ["https://Matomo.Example.org/", "https://matomo.example.org:443/"])
def test_a_matomo_url_gives_the_host_the_browser_connects_to(url):  # old: kept the spelling
    csp = catalog()["matomo"].csp_for({"url": url, "site_id": "1"})
    assert csp["connect-src"] == ("https://matomo.example.org",)


# -- a custom service's src (policy_services) -----------------------------------------------------

CUSTOM = """\
services:
  acme:
    name: Acme
    src: "{src}"
    category: analytics
    csp: {{}}
    cookies: []
"""


def _custom(src: str) -> object:
    return parse_policy(CUSTOM.format(src=src)).service("acme").csp.get("script-src")


@pytest.mark.parametrize("src", [
    "HTTPS://cdn.example.org/x.js",          # old: no source at all (the script was blocked)
    "https://CDN.example.org:443/x.js",      # old: https://CDN.example.org:443
    "https://%63dn.example.org/x.js",        # old: https://%63dn.example.org (invalid source)
])
def test_a_custom_script_is_allowed_from_the_host_the_browser_fetches(src):
    assert _custom(src) == ("https://cdn.example.org",)


def _refusal(text: str) -> str:
    with pytest.raises(PolicyError) as info:
        parse_policy(textwrap.dedent(text))
    assert len(info.value.problems) == 1, info.value.problems
    return str(info.value.problems[0])


@pytest.mark.parametrize(("src", "expected"), [
    ("https://u@cdn.example.org/x.js",  # old: accepted, source https://u@cdn.example.org
     "contains a user name or password before '@'; remove the 'user@' part"),
    ("https://cdn.example.org:99999/x.js", "is not an https URL a browser can load"),  # old: ok
    ("https://cdn%2Fexample.org/x.js", "is not an https URL a browser can load"),  # old: ok
    ("https:///cdn.example.org/x.js", "is not an https URL"),  # refused before and after
    ("https:cdn.example.org/x.js", "is not an https URL"),
])
def test_a_custom_src_the_browser_reads_otherwise_is_refused_with_its_key(src, expected):
    message = _refusal(CUSTOM.format(src=src))
    assert message.startswith("consent.yml:4:10: services.acme.src: ") and expected in message


@pytest.mark.parametrize("key", ["record_endpoint", "ui.privacy_url"])
def test_a_user_name_in_a_configured_url_is_refused_with_its_key(key):  # old: accepted
    text = (f"{key}: https://u@example.org/p\n" if "." not in key
            else "ui: {privacy_url: 'https://u@example.org/p'}\n")
    message = _refusal(text)
    assert f": {key}: " in message and "remove the 'user@' part" in message


# -- links written to the banner (render._safe_url) -----------------------------------------------

@pytest.mark.parametrize("url", ["\x01javascript:alert(1)", " \xa0javascript:alert(1)",
                                 "java\tscript:alert(1)", "JavaScript:alert(1)"])
def test_no_spelling_of_javascript_becomes_a_link(url):
    """Passed under the old code too on Python >= 3.11.4, whose ``urlsplit`` strips leading
    C0 controls; before 3.11.4 it kept ``\\x01javascript:`` as a relative link."""
    assert _safe_url(url) is None


@pytest.mark.parametrize("url", ["https://example.org/p", "/privacy/", "//example.org/p"])
def test_http_and_site_links_are_kept(url):
    assert _safe_url(url) == url

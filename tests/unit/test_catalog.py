"""The service catalog: every entry complete and well-formed; a vendor is one module."""

from __future__ import annotations

import re
import sys
import textwrap
from dataclasses import replace

import pytest
from jinja2 import Environment, StrictUndefined

from consent_generator import services
from consent_generator.csp_sources import directive_problem, source_problem
from consent_generator.model import Policy
from consent_generator.policy import PolicyError, parse_policy
from consent_generator.policy_services import check_param
from consent_generator.services import CUSTOM_ID, catalog
from consent_generator.services.model import ConsentSignal, Cookie, ServiceSpec

SIGNALS = {"clarity-consentv2", "google-consent-mode-v2", "load-on-grant"}
VENDORS = [k for k in catalog() if k != CUSTOM_ID]


def _render(template: str, params: dict[str, str]) -> str:
    return Environment(undefined=StrictUndefined).from_string(template).render(**params)


def entry_problems(spec: ServiceSpec) -> list[str]:
    """Everything that makes a catalog entry unusable; [] for a good one."""
    found = []
    if spec.signal.kind not in SIGNALS and not spec.signal.adapter:
        found.append(f"unknown consent signal {spec.signal.kind!r}")
    if not spec.signal.description:
        found.append("the consent signal is not described")
    if spec.id != CUSTOM_ID:  # the user supplies sources and cookies for custom services
        if not any(spec.csp.values()):
            found.append("no CSP sources")
        if not spec.cookies and not spec.cookieless:
            found.append("no cookies")  # a cookieless vendor says so, with its reason
        if spec.cookies and spec.cookieless:
            found.append("declares cookies but says it is cookieless")
        if not (spec.snippet or spec.script_src or spec.embed):
            found.append("loads nothing: no snippet, script_src or embed")
    for directive, sources in spec.csp_for({p.name: p.example for p in spec.params}).items():
        problem = directive_problem(directive)
        if problem:
            found.append(f"{directive}: {problem[0]}")
        for source in sources:
            problem = source_problem(directive, source)
            if problem:
                found.append(f"{directive} {source}: {problem[0]}")
    for cookie in spec.cookies:
        if not (cookie.name and cookie.lifetime and cookie.purpose):
            found.append(f"cookie {cookie.name!r} lacks name, lifetime or purpose")
        re.compile(cookie.regex)
    params = {p.name: p.example for p in spec.params}
    for param in spec.params:
        if check_param(param, param.example) is not None:
            found.append(f"the example {param.example!r} of {param.name} is not valid")
    for template in (spec.snippet, spec.script_src):
        if template:
            try:
                rendered = _render(template, params)
            except Exception as exc:  # any template error is the finding
                found.append(f"template does not render with the example params: {exc}")
                continue
            if "{{" in rendered or "{%" in rendered:
                found.append("template left markers after rendering")
    if spec.script_src and not _render(spec.script_src, params).startswith("https://"):
        found.append("script_src is not an https URL")
    for pattern in (*spec.detect.script_src, *spec.detect.inline, *spec.detect.iframe_src):
        re.compile(pattern)
    return found


@pytest.mark.parametrize("service_id", list(catalog()))
def test_entry_is_complete_and_well_formed(service_id):
    spec = catalog()[service_id]
    assert spec.id == service_id
    assert entry_problems(spec) == []
    assert spec.name and spec.provider and spec.description
    if service_id != CUSTOM_ID:
        assert spec.privacy_url.startswith("https://")
        assert spec.docs and all(url.startswith("https://") for url in spec.docs)
        assert spec.detect.script_src or spec.detect.inline or spec.detect.iframe_src
        assert spec.init is not None and spec.init.question.endswith("?")  # init asks it


def test_the_checks_catch_a_broken_entry():
    """entry_problems must fail entries that lack sources, cookies or a signal."""
    good = catalog()["clarity"]
    broken = ServiceSpec(
        id="broken", name="B", provider="P", description="d", default_category="analytics",
        privacy_url="https://p.example", csp={"script-src": ("'unsafe-inline'",),
                                              "scirpt-src": ("https://x.example",)},
        cookies=(), signal=ConsentSignal("carrier-pigeon", ""),  # type: ignore[arg-type]
        params=good.params, snippet="load('{{ projectid }}')",
    )
    found = entry_problems(broken)
    assert "no cookies" in found
    assert "unknown consent signal 'carrier-pigeon'" in found
    assert any(f.startswith("scirpt-src: unknown CSP directive") for f in found)
    assert any(f.startswith("script-src 'unsafe-inline'") for f in found)
    assert any(f.startswith("template does not render") for f in found)
    empty = ServiceSpec(id="e", name="E", provider="P", description="d",
                        default_category="analytics", privacy_url="https://p.example", csp={},
                        cookies=(Cookie("a", "1 day", "x"),),
                        signal=ConsentSignal("load-on-grant", "x"))
    assert "no CSP sources" in entry_problems(empty)
    silent = replace(empty, csp={"script-src": ("https://x.example",)}, cookies=(),
                     snippet="x()")
    assert entry_problems(silent) == ["no cookies"]
    assert entry_problems(replace(silent, cookieless="It counts by a daily hash.")) == []
    assert "declares cookies but says it is cookieless" in entry_problems(
        replace(silent, cookies=empty.cookies, cookieless="No cookie."))


def test_catalog_has_the_vendors_of_the_issue():
    assert set(catalog()) >= {"clarity", "google-analytics", "google-tag-manager", "youtube",
                              "vimeo", "custom"}
    assert services.get("clarity") is catalog()["clarity"]
    with pytest.raises(KeyError):
        services.get("nope")


def test_clarity_entry_matches_microsoft_docs():
    spec = catalog()["clarity"]
    assert spec.csp["script-src"] == ("https://www.clarity.ms", "https://scripts.clarity.ms")
    for directive in ("connect-src", "img-src"):
        assert {"https://*.clarity.ms", "https://c.bing.com"} <= set(spec.csp[directive])
    cookies = {c.name: c for c in spec.cookies}
    assert (cookies["_clck"].lifetime_days, cookies["_clck"].party) == (365, "first")
    assert (cookies["_clsk"].lifetime_days, cookies["_clsk"].party) == (1, "first")
    assert {"CLID", "MUID", "MR", "SM", "ANONCHK"} <= set(cookies)
    assert spec.signal.kind == "clarity-consentv2"
    snippet = _render(spec.snippet, {"project_id": "abcde12345"})
    assert '"https://www.clarity.ms/tag/"+i' in snippet and '"abcde12345"' in snippet


def test_google_analytics_entry_matches_google_csp_guide():
    spec = catalog()["google-analytics"]
    assert spec.csp["script-src"] == ("https://*.googletagmanager.com",)
    for host in ("https://*.google-analytics.com", "https://*.analytics.google.com",
                 "https://*.googletagmanager.com"):
        assert host in spec.csp["connect-src"]
    assert {"https://*.google-analytics.com", "https://*.googletagmanager.com"} <= set(
        spec.csp["img-src"])
    cookies = {c.name: c for c in spec.cookies}
    assert cookies["_ga"].lifetime_days == 730
    assert re.match(cookies["_ga_<container-id>"].regex, "_ga_ABCDE12345")
    assert not re.match(cookies["_ga"].regex, "_gat")
    assert spec.signal.kind == "google-consent-mode-v2"
    assert _render(spec.script_src, {"measurement_id": "G-ABCDE12345"}) == \
        "https://www.googletagmanager.com/gtag/js?id=G-ABCDE12345"


def test_tag_manager_and_embeds():
    gtm = catalog()["google-tag-manager"]
    assert "https://www.googletagmanager.com" in gtm.csp["script-src"]
    assert "frame-src" not in gtm.csp  # the <noscript> frame must not load without consent
    youtube = catalog()["youtube"]
    assert youtube.embed is not None
    assert youtube.embed.privacy_host == "www.youtube-nocookie.com"
    assert "https://www.youtube-nocookie.com" in youtube.csp["frame-src"]
    vimeo = catalog()["vimeo"]
    assert vimeo.embed is not None and ("dnt", "1") in vimeo.embed.privacy_query
    assert vimeo.csp["frame-src"] == ("https://player.vimeo.com",)
    for spec in (youtube, vimeo):
        assert spec.signal.kind == "load-on-grant"
        assert re.search(spec.detect.iframe_src[0], "https://player.vimeo.com/video/1") or \
            re.search(spec.detect.iframe_src[0], "https://www.youtube.com/embed/x")


# -- adding a vendor is one module ------------------------------------------------------------


ACME = '''
from consent_generator.services.model import ConsentSignal, Cookie, Param, ServiceSpec

SERVICE = ServiceSpec(
    id="acme-stats",
    name="Acme Stats",
    provider="Acme Inc.",
    description="Counts visits.",
    default_category="analytics",
    privacy_url="https://acme.example/privacy",
    params=(Param(name="site_id", description="Acme site id", example="AC-123",
                  pattern=r"AC-[0-9]+", pattern_hint="'AC-' and digits"),),
    snippet="acme('{{ site_id }}')",
    csp={"script-src": ("https://cdn.acme.example",),
         "connect-src": ("https://collect.acme.example",)},
    cookies=(Cookie("_acme", "1 year", "Counts a visitor once."),),
    signal=ConsentSignal(kind="load-on-grant", description="Loaded only after consent."),
)
'''


@pytest.fixture
def with_module(tmp_path, monkeypatch):
    """Drop modules into the catalog package for one test (as a vendor's PR would)."""

    def add(name: str, source: str) -> None:
        (tmp_path / f"{name}.py").write_text(textwrap.dedent(source), encoding="utf-8")
        monkeypatch.delitem(sys.modules, f"consent_generator.services.{name}", raising=False)

    monkeypatch.setattr(services, "__path__", [*services.__path__, str(tmp_path)])
    services.catalog.cache_clear()
    yield add
    services.catalog.cache_clear()
    for name in [n for n in sys.modules if n.startswith("consent_generator.services.")]:
        if tmp_path.as_posix() in (getattr(sys.modules[name], "__file__", "") or ""):
            del sys.modules[name]


def test_a_new_vendor_module_is_picked_up_everywhere(with_module):
    with_module("acme", ACME)
    assert "acme-stats" in catalog()
    spec = catalog()["acme-stats"]
    assert entry_problems(spec) == []
    policy = parse_policy("services:\n  acme-stats: {site_id: AC-42}\n")
    service = policy.service("acme-stats")
    assert (service.category, dict(service.params)) == ("analytics", {"site_id": "AC-42"})
    with pytest.raises(PolicyError, match="'X' is not a valid site_id"):
        parse_policy("services:\n  acme-stats: {site_id: X}\n")
    with pytest.raises(PolicyError, match="did you mean 'acme-stats'"):
        parse_policy("services:\n  acme-stat: {site_id: AC-1}\n")


def test_two_entries_with_one_id_are_refused(with_module):
    with_module("acme", ACME)
    with_module("acme_copy", ACME)
    with pytest.raises(RuntimeError, match="two catalog entries use the id 'acme-stats'"):
        catalog()


def test_helper_modules_without_service_are_ignored(with_module):
    with_module("_shared", "X = 1\n")
    with_module("notes", "TEXT = 'no SERVICE here'\n")
    assert set(catalog()) == set(VENDORS) | {CUSTOM_ID}


def test_cookie_table_lists_web_storage_keys_where_they_live():
    from consent_generator.cookie_table import render_cookie_table
    from tests.harness import consent_pages as cp

    pol = Policy(services=(cp.service("clarity", project_id="abcde12345"),))
    md = render_cookie_table(pol, "md")
    row = next(line for line in md.splitlines() if line.startswith("| `_cltk` |"))
    assert row.endswith("| first-party, sessionStorage |")
    assert "<td>first-party, sessionStorage</td>" in render_cookie_table(pol, "html")


def test_every_vendor_states_its_gpc_behaviour():
    for spec in catalog().values():
        if spec.id == "custom":
            continue
        assert spec.gpc.vendor and spec.gpc.source, spec.id
    assert [s.id for s in catalog().values() if s.gpc.not_loaded] == ["clarity"]

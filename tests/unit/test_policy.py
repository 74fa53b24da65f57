"""consent.yml -> Policy: defaults, and every validation message with its file:line:column."""

from __future__ import annotations

import dataclasses
import textwrap

import pytest
from jinja2 import Template

from consent_generator import policy as policy_module
from consent_generator.model import Policy
from consent_generator.policy import (
    PolicyError,
    Problem,
    default_policy_path,
    load_policy,
    parse_policy,
)

DESIGN_EXAMPLE = """\
version: 1
mode: opt-in              # opt-in (GDPR/ePrivacy) | opt-out (US-state style) | notice
revision: 1               # bump to ask everyone again
expiry_days: 182
honor_gpc: true           # Global Privacy Control denies marketing
cookie: {name: site_consent, domain: null}
record_endpoint: null
categories:
  necessary: {required: true}
  analytics: {}
  marketing: {}
services:
  clarity:          {category: analytics, project_id: "abcde12345"}
  google-analytics: {category: analytics, measurement_id: "G-ABCDE12345"}
  youtube:          {category: marketing}
masking:
  mode: balanced
  mask:   ["form", ".account"]
  unmask: [".post-title"]
csp:
  delivery: [meta]
  report_only: false
  report_uri: null
  extra: {img-src: ["https://images.example.org"]}
ui:
  language: auto
"""


def problems(text: str) -> list[str]:
    """Every problem of a policy text, as printed."""
    with pytest.raises(PolicyError) as info:
        parse_policy(textwrap.dedent(text))
    assert str(info.value) == "\n".join(str(p) for p in info.value.problems)
    return [str(p) for p in info.value.problems]


def only_problem(text: str) -> str:
    found = problems(text)
    assert len(found) == 1, found
    return found[0]


def warnings(text: str) -> list[str]:
    return [str(w) for w in parse_policy(textwrap.dedent(text)).warnings]


# -- defaults and the happy path ---------------------------------------------------------


def test_empty_file_gives_the_design_defaults():
    policy = parse_policy("")
    assert (policy.version, policy.mode, policy.revision, policy.expiry_days) == \
        (1, "opt-in", 1, 182)
    assert policy.honor_gpc is True
    assert policy.cookie.name == "site_consent" and policy.cookie.domain is None
    assert policy.record_endpoint is None
    assert [(c.id, c.required) for c in policy.categories] == [
        ("necessary", True), ("functionality", False), ("analytics", False),
        ("marketing", False)]
    assert policy.services == ()
    assert policy.masking.mode == "balanced"
    assert policy.csp.delivery == ("meta",) and policy.csp.report_only is False
    assert policy.ui.language == "auto"
    assert policy.warnings == ()


def test_comment_only_file_is_all_defaults():
    assert parse_policy("# nothing yet\n") == Policy()


def test_design_example_is_valid():
    policy = parse_policy(DESIGN_EXAMPLE)
    assert [s.key for s in policy.services] == ["clarity", "google-analytics", "youtube"]
    assert policy.service("clarity").params["project_id"] == "abcde12345"
    assert policy.service("google-analytics").params["measurement_id"] == "G-ABCDE12345"
    assert policy.service("youtube").category == "marketing"
    assert [c.id for c in policy.categories] == ["necessary", "analytics", "marketing"]
    assert policy.masking.mask == ("form", ".account")
    assert policy.masking.unmask == (".post-title",)
    assert dict(policy.csp.extra) == {"img-src": ("https://images.example.org",)}
    assert policy.warnings == ()


def test_policy_is_immutable():
    policy = parse_policy(DESIGN_EXAMPLE)
    with pytest.raises(dataclasses.FrozenInstanceError):
        policy.mode = "notice"  # type: ignore[misc]
    with pytest.raises(TypeError):
        policy.csp.extra["script-src"] = ("https://evil.example",)  # type: ignore[index]


def test_catalog_service_category_defaults_to_the_entry_default():
    policy = parse_policy("services:\n  clarity: {project_id: abcde12345}\n  vimeo:\n")
    assert policy.service("clarity").category == "analytics"
    assert policy.service("vimeo").category == "marketing"


def test_categories_given_replace_the_defaults_but_keep_necessary():
    policy = parse_policy("categories:\n  analytics: {}\n")
    assert [(c.id, c.required) for c in policy.categories] == [
        ("necessary", True), ("analytics", False)]


def test_default_policy_path(tmp_path):
    assert default_policy_path(tmp_path) == tmp_path / "consent.yml"
    assert default_policy_path(str(tmp_path)) == tmp_path / "consent.yml"


def test_load_policy_reads_a_file_and_remembers_it(tmp_path):
    path = tmp_path / "consent.yml"
    path.write_text(DESIGN_EXAMPLE, encoding="utf-8")
    policy = load_policy(path)
    assert policy.source == path
    assert policy.mode == "opt-in"


# -- the shape of a problem ---------------------------------------------------------------


def test_problem_str_matches_the_contract():
    problem = Problem("consent.yml", 12, 5, "services.clarity.projet_id",
                      "unknown key 'projet_id'", "did you mean 'project_id'?")
    assert str(problem) == ("consent.yml:12:5: services.clarity.projet_id: unknown key "
                            "'projet_id'; did you mean 'project_id'?")


def test_misspelt_param_names_line_column_and_suggests():
    text = DESIGN_EXAMPLE.replace(
        '  clarity:          {category: analytics, project_id: "abcde12345"}\n',
        "  clarity:\n    category: analytics\n    projet_id: \"abcde12345\"\n")
    found = problems(text)
    assert ("consent.yml:15:5: services.clarity.projet_id: unknown key 'projet_id'; "
            "did you mean 'project_id'?") in found
    # and the id it therefore lacks
    assert any(p.startswith("consent.yml:13:3: services.clarity: Microsoft Clarity needs its "
                            "project_id") for p in found)


def test_all_problems_are_reported_at_once_in_file_order():
    found = problems("""\
        mode: opt_in
        revision: 0
        expiry_day: 30
        honor_gpc: "yes"
        """)
    assert found == [
        "consent.yml:1:7: mode: unknown value 'opt_in'; did you mean 'opt-in'?",
        "consent.yml:2:11: revision: must be at least 1, got 0",
        "consent.yml:3:1: expiry_day: unknown key 'expiry_day'; did you mean 'expiry_days'?",
        "consent.yml:4:12: honor_gpc: expected true or false, got the text 'yes'",
    ]


def test_unknown_key_without_close_match_lists_the_keys():
    message = only_problem("colour: red\n")
    assert message.startswith("consent.yml:1:1: colour: unknown key 'colour'; expected one of "
                              "the keys: version, mode, revision")


# -- broken YAML and duplicates ---------------------------------------------------------------


def test_broken_yaml_names_its_line():
    message = only_problem("mode: opt-in\nservices:\n  clarity: {project_id: abc\nui: {}\n")
    assert message.startswith("consent.yml:4:")
    assert "broken YAML" in message
    assert "started at line 3" in message


def test_tab_indentation_is_broken_yaml_with_a_hint():
    message = only_problem("services:\n\tclarity: {}\n")
    assert message.startswith("consent.yml:2:1: broken YAML")
    assert "spaces, not tabs" in message


def test_yaml_root_must_be_a_mapping():
    assert only_problem("- a\n- b\n").startswith(
        "consent.yml:1:1: the policy must be a mapping of keys")


def test_duplicate_top_level_key():
    found = problems("mode: opt-in\nrevision: 2\nmode: notice\n")
    assert found == ["consent.yml:3:1: mode: duplicate key 'mode' (first at line 1); YAML keeps "
                     "only one of them; merge the two entries into one"]


def test_duplicate_nested_key():
    message = only_problem("""\
        services:
          clarity:
            project_id: "abcde12345"
            project_id: "fghij67890"
        """)
    assert message.startswith("consent.yml:4:5: services.clarity.project_id: duplicate key "
                              "'project_id' (first at line 3)")


def test_merge_keys_are_refused():
    message = only_problem("base: &b {category: analytics}\n")
    assert "unknown key 'base'" in message
    found = problems("""\
        services:
          youtube:
            <<: {category: marketing}
        """)
    assert found == ["consent.yml:3:5: services.youtube: YAML merge keys ('<<') are not "
                     "supported; write the keys out in full"]


def test_python_tags_are_refused_not_executed():
    message = only_problem("mode: !!python/object/apply:os.system ['true']\n")
    assert "unsupported YAML tag" in message


# -- wrong types -----------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    ("revision: one\n", "consent.yml:1:11: revision: expected a whole number, got the text 'one'"),
    ("expiry_days: true\n",
     "consent.yml:1:14: expiry_days: expected a whole number, got true (a true/false value)"),
    ("revision: 1.5\n", "consent.yml:1:11: revision: expected a whole number, got the number 1.5"),
    ("cookie: [a]\n", "consent.yml:1:9: cookie: expected a mapping (indented 'key: value' "
     "lines), got a list"),
    ("masking: {mask: form}\n", "consent.yml:1:17: masking.mask: expected a list, got the text "
     "'form'; write it as [a, b] or as lines starting with '- '"),
    ("services: [clarity]\n", "consent.yml:1:11: services: expected a mapping (indented "
     "'key: value' lines), got a list"),
    ("ui: {language: 1}\n", "consent.yml:1:16: ui.language: expected text, got the number 1; "
     "put it in quotes so YAML keeps it as text"),
])
def test_wrong_types(text, expected):
    assert only_problem(text) == expected


def test_version_must_be_1():
    assert only_problem("version: 2\n") == ("consent.yml:1:10: version: unsupported version 2; "
                                            "this consent-generator reads 'version: 1'; upgrade "
                                            "it for newer files")
    assert only_problem('version: "1"\n').startswith(
        "consent.yml:1:10: version: expected a whole number")


# -- simple keys -------------------------------------------------------------------------------


def test_mode_values():
    for mode in ("opt-in", "opt-out", "notice"):
        assert parse_policy(f"mode: {mode}\n").mode == mode
    assert only_problem("mode: optout\n").endswith("did you mean 'opt-out'?")


def test_expiry_days_is_capped_at_13_months():
    assert parse_policy("expiry_days: 395\n").expiry_days == 395
    message = only_problem("expiry_days: 400\n")
    assert message.startswith("consent.yml:1:14: expiry_days: must be at most 395, got 400")
    assert "13 months" in message and "CNIL" in message
    assert "must be at least 1" in only_problem("expiry_days: 0\n")


def test_revision_must_be_positive():
    assert parse_policy("revision: 7\n").revision == 7
    assert only_problem("revision: -1\n") == "consent.yml:1:11: revision: must be at least 1, got -1"


def test_cookie_name_must_be_a_token():
    assert parse_policy("cookie: {name: my_consent}\n").cookie.name == "my_consent"
    message = only_problem('cookie: {name: "my consent"}\n')
    assert message.startswith("consent.yml:1:16: cookie.name: 'my consent' is not a valid "
                              "cookie name")
    assert "cookie.name" in only_problem('cookie: {name: "a;b"}\n')


@pytest.mark.parametrize(("domain", "hint"), [
    (".example.org", "without the leading dot: 'example.org'"),
    ("https://example.org", "only the host name"),
    ("exa mple.org", "a host name such as example.org"),
])
def test_cookie_domain_must_be_a_hostname(domain, hint):
    message = only_problem(f'cookie:\n  domain: "{domain}"\n')
    assert message.startswith(f"consent.yml:2:11: cookie.domain: {domain!r} is not a domain name")
    assert hint in message


def test_cookie_domain_accepts_a_parent_domain():
    assert parse_policy("cookie: {domain: Docs.Example.org}\n").cookie.domain == "docs.example.org"


@pytest.mark.parametrize("endpoint", ["https://consent.example.org/record", "/api/consent"])
def test_record_endpoint_accepts_https_and_same_site_paths(endpoint):
    assert parse_policy(f"record_endpoint: {endpoint}\n").record_endpoint == endpoint


@pytest.mark.parametrize(("endpoint", "expected"), [
    ("http://example.org/r", "uses plain http; use its https:// address"),
    ("//example.org/r", "is not an https URL"),
    ("ftp://example.org/r", "is not an https URL"),
])
def test_record_endpoint_refuses_others(endpoint, expected):
    message = only_problem(f"record_endpoint: {endpoint}\n")
    assert message.startswith("consent.yml:1:18: record_endpoint: ")
    assert expected in message


# -- categories --------------------------------------------------------------------------------


def test_necessary_cannot_be_optional():
    assert only_problem("categories:\n  necessary: {required: false}\n") == (
        "consent.yml:2:25: categories.necessary.required: 'necessary' is always required: it "
        "holds what the site cannot work without; remove 'required: false'")


def test_category_ids_are_checked():
    assert "cannot name a category" in only_problem("categories:\n  Ana Lytics: {}\n")


def test_category_keys_are_checked():
    assert only_problem("categories:\n  analytics: {titel: Stats}\n") == (
        "consent.yml:2:15: categories.analytics.titel: unknown key 'titel'; did you mean "
        "'title'?")


def test_a_new_category_close_to_a_default_one_is_a_warning():
    found = warnings("categories:\n  analytcs: {title: Stats}\n")
    assert found == ["consent.yml:2:3: warning: categories.analytcs: new category 'analytcs'; "
                     "did you mean 'analytics'?"]


def test_a_new_category_without_a_title_is_a_warning():
    found = warnings("categories:\n  security: {}\n")
    assert found == ['consent.yml:2:3: warning: categories.security: no title: the banner will '
                     'show the id; add  title: "Security"']
    assert warnings("categories:\n  security: {title: Security}\n") == []


def test_unknown_category_of_a_service_suggests_one():
    assert only_problem("services:\n  youtube: {category: marketting}\n") == (
        "consent.yml:2:23: services.youtube.category: unknown category 'marketting'; "
        "did you mean 'marketing'?")


def test_default_category_missing_from_the_policy():
    message = only_problem("categories:\n  analytics: {}\nservices:\n  youtube: {}\n")
    assert message.startswith("consent.yml:4:3: services.youtube: YouTube goes under "
                              "'marketing' by default, but no such category is defined")


def test_a_service_cannot_be_necessary():
    message = only_problem("services:\n  clarity: {category: necessary, project_id: "
                           "abcde12345}\n")
    assert message.startswith("consent.yml:2:23: services.clarity.category: 'necessary' is "
                              "always on and cannot be refused, so it cannot hold a service "
                              "that tracks visitors")


# -- catalog services and their ids ------------------------------------------------------


def test_unknown_service_suggests_the_catalog_id():
    assert only_problem("services:\n  clartiy: {project_id: abcde12345}\n") == (
        "consent.yml:2:3: services.clartiy: unknown service 'clartiy'; did you mean 'clarity'?")
    assert only_problem("services:\n  google_analytics: {}\n").endswith(
        "did you mean 'google-analytics'?")


def test_unknown_service_far_from_any_id_explains_custom_services():
    message = only_problem("services:\n  acmestats: {}\n")  # was matomo, now in the catalog
    assert "unknown service 'acmestats'" in message
    assert "a custom service needs src or snippet" in message


def test_service_without_its_required_id():
    assert only_problem("services:\n  google-analytics: {category: analytics}\n") == (
        "consent.yml:2:3: services.google-analytics: Google Analytics needs its measurement_id: "
        "the GA4 measurement id (Admin > Data streams > Web); add  measurement_id: "
        "\"G-ABCDE12345\"")
    assert "Microsoft Clarity needs its project_id" in only_problem("services:\n  clarity:\n")


def test_universal_analytics_id_is_gone():
    message = only_problem('services:\n  google-analytics: {measurement_id: "UA-12345-1"}\n')
    assert message.startswith("consent.yml:2:38: services.google-analytics.measurement_id: "
                              "'UA-12345-1': Universal Analytics")
    assert "create a GA4 property" in message


def test_ga4_id_format():
    message = only_problem('services:\n  google-analytics: {measurement_id: "G-abc"}\n')
    assert message == ("consent.yml:2:38: services.google-analytics.measurement_id: 'G-abc' is "
                       "not a valid measurement_id; expected 'G-' followed by capital letters "
                       "and digits, e.g. G-ABCDE12345")


def test_gtm_id_under_google_analytics_is_explained():
    assert "Google Tag Manager container id" in only_problem(
        "services:\n  google-analytics: {measurement_id: GTM-ABC1234}\n")


def test_gtm_id_format():
    assert parse_policy("services:\n  google-tag-manager: {container_id: GTM-ABC1234}\n") \
        .service("google-tag-manager").params["container_id"] == "GTM-ABC1234"
    message = only_problem("services:\n  google-tag-manager: {container_id: ABC1234}\n")
    assert "'ABC1234' is not a valid container_id; expected 'GTM-'" in message
    assert "GA4 measurement id" in only_problem(
        "services:\n  google-tag-manager: {container_id: G-ABCDE12345}\n")


def test_unusual_clarity_id_is_a_warning_not_an_error():
    policy = parse_policy("services:\n  clarity:\n    project_id: ABCDE12345XY\n")
    assert policy.service("clarity").params["project_id"] == "ABCDE12345XY"
    assert [str(w) for w in policy.warnings] == [
        "consent.yml:3:17: warning: services.clarity.project_id: 'ABCDE12345XY' is not what "
        "Microsoft Clarity usually issues; expected 10 lowercase letters and digits, as "
        "Clarity issues them; check it"]


def test_clarity_id_with_other_characters_is_an_error():
    assert "holds only letters and digits" in only_problem(
        'services:\n  clarity: {project_id: "abc-de/123"}\n')


def test_a_numeric_id_must_be_quoted():
    assert only_problem("services:\n  clarity:\n    project_id: 1234567890\n") == (
        "consent.yml:3:17: services.clarity.project_id: expected text, got the number "
        "1234567890; put it in quotes so YAML keeps it as text, e.g. project_id: "
        "\"abcde12345\"")


def test_a_bare_id_instead_of_settings_is_one_clear_problem():
    assert only_problem("services:\n  clarity: abcde12345\n") == (
        "consent.yml:2:12: services.clarity: expected the settings of Microsoft Clarity as a "
        "mapping, got the text 'abcde12345'; write  clarity: {project_id: \"abcde12345\"}")


def test_custom_service_keys_on_a_catalog_service_are_unknown():
    assert "services.youtube.src: unknown key 'src'" in only_problem(
        "services:\n  youtube: {src: 'https://x.example.org/a.js'}\n")


# -- custom services ------------------------------------------------------------------------------


CUSTOM = """\
services:
  acme-stats:
    name: Acme Stats
    provider: Acme Stats Ltd
    src: "https://stats.acme.example/js/script.js"
    category: analytics
    csp:
      connect-src: ["https://stats.acme.example"]
    cookies:
      - {name: "pl_id", lifetime: "1 day", purpose: "Counts a visit once.", pattern: "^pl_"}
"""


def test_custom_service_becomes_a_spec():
    service = parse_policy(CUSTOM).service("acme-stats")
    assert service.key == "acme-stats" and service.is_custom
    spec = service.spec
    assert spec.id == "custom" and spec.name == "Acme Stats"
    assert spec.provider == "Acme Stats Ltd"
    assert spec.signal.kind == "load-on-grant"
    assert spec.script_src == "https://stats.acme.example/js/script.js"
    assert dict(spec.csp) == {"connect-src": ("https://stats.acme.example",),
                              "script-src": ("https://stats.acme.example",)}
    assert [(c.name, c.lifetime, c.regex) for c in spec.cookies] == [
        ("pl_id", "1 day", "^pl_")]
    assert service.category == "analytics"


def test_custom_service_src_origin_already_allowed_is_not_repeated():
    text = CUSTOM.replace('connect-src: ["https://stats.acme.example"]',
                          'script-src: ["https://*.stats.acme.example", "https://stats.acme.example"]')
    assert parse_policy(text).service("acme-stats").csp["script-src"] == (
        "https://*.stats.acme.example", "https://stats.acme.example")


def test_custom_service_must_declare_csp_and_cookies():
    found = problems("""\
        services:
          widget:
            snippet: "console.log(1)"
            category: functionality
        """)
    assert found[0].startswith("consent.yml:2:3: services.widget: a custom service must "
                               "declare the CSP sources it needs")
    assert found[1].startswith("consent.yml:2:3: services.widget: a custom service must "
                               "declare the cookies it sets")
    assert len(found) == 2


def test_custom_service_with_explicitly_empty_csp_and_cookies():
    policy = parse_policy("""\
        services:
          widget: {snippet: "console.log(1)", category: functionality, csp: {}, cookies: []}
        """.replace("        ", ""))
    spec = policy.service("widget").spec
    assert dict(spec.csp) == {} and spec.cookies == ()


def test_custom_service_needs_a_category():
    assert only_problem("services:\n  w: {snippet: x(), csp: {}, cookies: []}\n").startswith(
        "consent.yml:2:3: services.w: w needs a category")


def test_custom_service_checks():
    found = problems("""\
        services:
          widget:
            src: "http://widget.example.org/w.js"
            snippet: "<script>alert(1)</script>"
            category: functionality
            csp: {script-src: ["'unsafe-eval'"], scrpt-src: []}
            cookies:
              - {name: w, purpose: x}
              - {name: v, lifetime: 1 year, purpose: y, pattern: "(", party: fourth}
        """)
    assert found == [
        "consent.yml:3:10: services.widget.src: 'http://widget.example.org/w.js' uses plain "
        "http; use its https:// address",
        "consent.yml:4:14: services.widget.snippet: the snippet must be the JavaScript alone; "
        "remove the <script> and </script> tags",
        "consent.yml:6:24: services.widget.csp.script-src[0]: 'unsafe-eval' is not allowed in "
        "script-src: it would let injected code run; inline scripts are allowed by their "
        "sha256 hash automatically; we never weaken script-src",
        "consent.yml:6:42: services.widget.csp.scrpt-src: unknown CSP directive 'scrpt-src'; "
        "did you mean 'script-src'?",
        "consent.yml:8:9: services.widget.cookies[0]: the cookie needs its lifetime; e.g. "
        "lifetime: \"1 year\" or \"session\"",
        "consent.yml:9:58: services.widget.cookies[1].pattern: not a valid regular expression: "
        "missing ), unterminated subpattern at position 0",
        "consent.yml:9:70: services.widget.cookies[1].party: unknown value 'fourth'; expected "
        "one of: first, third",
    ]


def test_custom_snippet_is_kept_literal_through_jinja():
    policy = parse_policy("""\
services:
  widget:
    snippet: |
      var t = "{{ not a template }}";
    category: functionality
    csp: {}
    cookies: []
""")
    template = policy.service("widget").spec.snippet
    assert Template(template).render() == 'var t = "{{ not a template }}";'


def test_an_empty_custom_service_loads_nothing():
    assert "loads nothing" in problems("services:\n  custom: {category: analytics, csp: {}, "
                                       "cookies: []}\n")[0]


# -- masking ---------------------------------------------------------------------------------


def test_masking_mode_and_selectors():
    found = problems("""\
        masking:
          mode: stric
          mask:
            - form
            - "div["
          unmask: ["a >> b"]
        """)
    assert found[0] == "consent.yml:2:9: masking.mode: unknown value 'stric'; did you mean 'strict'?"
    assert found[1].startswith("consent.yml:5:7: masking.mask[1]: invalid CSS selector 'div[': ")
    assert found[2].startswith("consent.yml:6:12: masking.unmask[0]: invalid CSS selector "
                               "'a >> b'")
    assert len(found) == 3


def test_valid_selectors_compile():
    masking = parse_policy("masking: {mode: strict, mask: ['form', 'input[type=email]', "
                           "'.a > .b:not(.c)'], unmask: ['h1']}\n").masking
    assert masking.mode == "strict"
    assert masking.mask == ("form", "input[type=email]", ".a > .b:not(.c)")


# -- csp -----------------------------------------------------------------------------------------


def test_delivery_values():
    assert parse_policy("csp: {delivery: [meta, netlify, nginx]}\n").csp.delivery == (
        "meta", "netlify", "nginx")
    assert only_problem("csp: {delivery: [meta, netlfy]}\n") == (
        "consent.yml:1:24: csp.delivery[1]: unknown delivery 'netlfy'; did you mean 'netlify'?")
    assert only_problem("csp: {delivery: []}\n").startswith(
        "consent.yml:1:17: csp.delivery: at least one delivery is needed")
    assert only_problem("csp: {delivery: netlify}\n") == (
        "consent.yml:1:17: csp.delivery: expected a list; write  delivery: [netlify]")


def test_report_only_needs_a_header_delivery():
    assert only_problem("csp: {report_only: true, report_uri: /csp}\n").startswith(
        "consent.yml:1:20: csp.report_only: a <meta> CSP cannot be report-only")
    policy = parse_policy("csp: {delivery: [meta, netlify], report_only: true, "
                          "report_uri: /csp}\n")
    assert policy.csp.report_only is True and policy.warnings == ()


def test_header_only_settings_with_meta_delivery_are_warnings():
    found = warnings("""\
        csp:
          frame_ancestors: ["'self'"]
          report_uri: https://report.example.org/csp
        """)
    assert found == [
        "consent.yml:2:20: warning: csp.frame_ancestors: <meta> cannot carry frame-ancestors, "
        "so it is ignored; add a header delivery (e.g. netlify, nginx) to csp.delivery",
        "consent.yml:3:15: warning: csp.report_uri: <meta> cannot carry report-uri, so it is "
        "ignored; add a header delivery (e.g. netlify, nginx) to csp.delivery",
    ]
    assert warnings("csp: {delivery: [nginx], frame_ancestors: [\"'none'\"]}\n") == []


@pytest.mark.parametrize(("source", "expected"), [
    ("'unsafe-inline'", "'unsafe-inline' is not allowed in script-src: it would let injected "
     "code run"),
    ("'unsafe-eval'", "'unsafe-eval' is not allowed in script-src"),
    ("'unsafe-hashes'", "'unsafe-hashes' is not allowed in script-src"),
    ("*", "'*' in script-src would let any host run scripts on the site"),
    ("https://*", "'https://*' in script-src would let any host run scripts"),
    ("https:", "'https:' in script-src allows scripts from any https URL"),
    ("data:", "'data:' in script-src allows scripts from any data URL"),
    ("http://cdn.example.org", "loads scripts over plain http"),
    ("'nonce-abc'", "a static site cannot send a fresh nonce"),
    ("self", "the keyword self needs single quotes; in YAML write it as \"'self'\""),
    ("https://a.example.org https://b.example.org", "is not one CSP source"),
    ("'sefl'", "unknown CSP keyword 'sefl'"),
    ("https://exa mple.org", "is not one CSP source"),
    ("ht!tp://x", "is not a valid CSP source"),
])
def test_extra_script_src_is_never_weakened(source, expected):
    yaml_source = source.replace('"', '\\"')
    message = only_problem(f'csp:\n  extra:\n    script-src: ["{yaml_source}"]\n')
    assert message.startswith("consent.yml:3:18: csp.extra.script-src[0]: ")
    assert expected in message


def test_default_src_is_guarded_like_script_src():
    assert "would let it run" not in only_problem(
        "csp: {extra: {default-src: [\"'unsafe-inline'\"]}}\n")
    assert "not allowed in default-src" in only_problem(
        "csp: {extra: {default-src: [\"'unsafe-inline'\"]}}\n")


def test_extra_accepts_well_formed_sources():
    policy = parse_policy("""\
        csp:
          extra:
            img-src: ["https://images.example.org", "data:", "*"]
            style-src: ["'unsafe-inline'"]
            script-src: ["https://cdn.example.org/lib/", "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='", "'strict-dynamic'"]
            connect-src: ["'self'", "wss://live.example.org:443", "https://*.example.org"]
            upgrade-insecure-requests: []
        """)
    extra = policy.csp.extra
    assert extra["img-src"] == ("https://images.example.org", "data:", "*")
    assert extra["script-src"][0] == "https://cdn.example.org/lib/"
    assert extra["upgrade-insecure-requests"] == ()


def test_extra_directive_names():
    assert only_problem("csp: {extra: {imgsrc: [x]}}\n") == (
        "consent.yml:1:15: csp.extra.imgsrc: unknown CSP directive 'imgsrc'; did you mean "
        "'img-src'?")
    assert only_problem("csp: {extra: {report-uri: [/x]}}\n").endswith(
        "report-uri is not a source list; set csp.report_uri instead")
    assert only_problem("csp: {extra: {frame-ancestors: [\"'none'\"]}}\n").endswith(
        "frame-ancestors has its own key; set csp.frame_ancestors instead")
    assert "directive names are lower case" in only_problem("csp: {extra: {IMG-SRC: [x]}}\n")


def test_none_cannot_be_combined():
    assert "'none' cannot be combined" in only_problem(
        "csp: {extra: {object-src: [\"'none'\", \"https://x.example.org\"]}}\n")


# -- ui -----------------------------------------------------------------------------------------


def test_ui_language():
    assert parse_policy("ui: {language: de}\n").ui.language == "de"
    assert only_problem("ui: {language: fr-FR}\n") == (
        "consent.yml:1:16: ui.language: unknown value 'fr-FR'; did you mean 'fr'? (the bundled "
        "texts are per language, not per region)")
    assert "expected one of: auto, en, de, fr, es, it, nl, pt, pl" in only_problem(
        "ui: {language: english}\n")


def test_ui_texts_keys_checked_against_the_bundled_english(monkeypatch):
    monkeypatch.setattr(policy_module, "text_keys", lambda: ("banner_title", "accept_all"))
    policy = parse_policy("ui:\n  texts:\n    en: {banner_title: 'Cookies?'}\n")
    assert dict(policy.ui.texts["en"]) == {"banner_title": "Cookies?"}
    assert only_problem("ui:\n  texts:\n    de:\n      banner_titel: Kekse?\n") == (
        "consent.yml:4:7: ui.texts.de.banner_titel: unknown key 'banner_titel'; did you mean "
        "'banner_title'?")
    # a category of the policy gets its own title key
    policy = parse_policy("categories: {stats: {}}\nui:\n  texts:\n    en: "
                          "{category.stats.title: Statistics}\n")
    assert policy.warnings == ()


def test_ui_texts_accept_any_key_without_bundled_texts(monkeypatch):
    monkeypatch.setattr(policy_module, "text_keys", lambda: None)
    assert parse_policy("ui: {texts: {en: {anything: x}}}\n").ui.texts["en"]["anything"] == "x"


def test_text_keys_come_from_en_json_when_present():
    keys = policy_module.text_keys()
    if keys is not None:  # the runtime's i18n/en.json defines them
        assert "accept_all" in keys


def test_ui_texts_shape():
    assert "is not a language code" in only_problem("ui: {texts: {English: {}}}\n")
    assert "expected text" in only_problem("ui: {texts: {en: {accept_all: [a]}}}\n")
    assert "no bundled texts for 'sv'" in warnings("ui: {texts: {sv: {}}}\n")[0]


def test_privacy_url():
    assert parse_policy("ui: {privacy_url: /privacy/}\n").ui.privacy_url == "/privacy/"
    assert "uses plain http" in only_problem("ui: {privacy_url: 'http://x.org/p'}\n")


def test_notice_mode_with_services_warns():
    found = warnings("mode: notice\nservices: {youtube: {}}\n")
    assert found[0].startswith("consent.yml:1:1: warning: mode: 'notice' loads every service "
                               "without asking first")


# -- files ----------------------------------------------------------------------------------------


def test_missing_file_is_a_problem_not_a_traceback(tmp_path):
    path = tmp_path / "consent.yml"
    with pytest.raises(PolicyError) as info:
        load_policy(path)
    assert str(info.value) == (f"{path}: file not found; create one with "
                               "'consent-generator init'")


def test_non_utf8_file(tmp_path):
    path = tmp_path / "consent.yml"
    path.write_bytes(b"mode: opt-in\nui: {privacy_url: /caf\xe9}\n")
    with pytest.raises(PolicyError) as info:
        load_policy(path)
    assert str(info.value) == f"{path}:2:1: the file is not UTF-8 text; save it with UTF-8 encoding"


def test_file_name_in_messages_is_the_given_path(tmp_path):
    path = tmp_path / "site.yml"
    path.write_text("mode: optin\n", encoding="utf-8")
    with pytest.raises(PolicyError) as info:
        load_policy(path)
    assert str(info.value).startswith(f"{path}:1:7: mode: ")

"""The security header set: the same on every host format (read back from each file), HSTS
only for https sites and as the policy says, CORP as the policy says; the ``headers:`` policy
section validated with file:line errors; the audit lists each host's set."""

from __future__ import annotations

import importlib
import pkgutil
import textwrap

import pytest

from consent_generator.model import HSTS_ONE_YEAR, HeadersConfig
from consent_generator.policy import PolicyError, parse_policy
from mkdocs_clarity import hosts
from mkdocs_clarity.hosts import HeaderExportError, export, read_site_headers

from .common import SITE_CSP, config

EVERY_FILE = {h.file for h in hosts.hosts().values()}


def sent(tmp_path, headers: HeadersConfig | None = None, https: bool | None = True):
    export(tmp_path, SITE_CSP, config(), headers=headers, https=https)
    found = read_site_headers(tmp_path)
    assert set(found) == EVERY_FILE
    return found


def test_registry_has_the_issue_s_six_hosts_each_in_its_own_module():
    found = hosts.hosts()
    assert list(found)[:6] == ["netlify", "cloudflare", "vercel", "azure-swa", "nginx", "apache"]
    modules = [importlib.import_module(f"{hosts.__name__}.{m.name}")
               for m in pkgutil.iter_modules(hosts.__path__)]
    owners = [m.HOST.delivery for m in modules if hasattr(m, "HOST")]
    assert sorted(owners) == sorted(found)  # one module per host, each found
    for host in found.values():
        assert host.docs.startswith("https://") and host.hsts


def test_every_host_sends_the_same_full_set_for_an_https_site(tmp_path):
    found = sent(tmp_path)
    first = next(iter(found.values()))
    assert {n.lower() for n in hosts.SECURITY_HEADERS} <= set(first)
    assert first["strict-transport-security"] == f"max-age={HSTS_ONE_YEAR}"
    assert first["cross-origin-resource-policy"] == "same-origin"
    for name, values in found.items():
        assert values == first, name


@pytest.mark.parametrize("https", [False, None])
def test_no_hsts_for_http_or_unknown_site_by_default(tmp_path, https):
    for name, values in sent(tmp_path, https=https).items():
        assert "strict-transport-security" not in values, name
        assert values["cross-origin-resource-policy"] == "same-origin"


def test_hsts_switches(tmp_path):
    on = HeadersConfig(hsts="on", hsts_max_age=63072000, hsts_include_subdomains=True,
                       hsts_preload=True)
    for values in sent(tmp_path, on, https=None).values():
        assert values["strict-transport-security"] == \
            "max-age=63072000; includeSubDomains; preload"
    # switched off (the host sends its own): removed from every file, JSON ones included
    for name, values in sent(tmp_path, HeadersConfig(hsts="off")).items():
        assert "strict-transport-security" not in values, name


def test_hsts_never_for_an_http_site_even_when_on(tmp_path):
    for name, values in sent(tmp_path, HeadersConfig(hsts="on"), https=False).items():
        assert "strict-transport-security" not in values, name


def test_corp_setting(tmp_path):
    for values in sent(tmp_path, HeadersConfig(cross_origin_resource_policy="cross-origin"))\
            .values():
        assert values["cross-origin-resource-policy"] == "cross-origin"


def test_apply_sends_hsts_for_an_https_site_url(tmp_path):
    from mkdocs_clarity.engine.site import apply_site

    (tmp_path / "index.html").write_text("<!doctype html><html><head><title>t</title></head>"
                                         "<body><p>x</p></body></html>")
    policy = parse_policy("csp: {delivery: [meta, netlify]}\n")
    apply_site(tmp_path, policy, jobs=1, site_origin="https://docs.example.org")
    assert "strict-transport-security" in read_site_headers(tmp_path)["_headers"]
    apply_site(tmp_path, policy, jobs=1, site_origin="http://docs.example.org")
    assert "strict-transport-security" not in read_site_headers(tmp_path)["_headers"]


# -- the headers: section of consent.yml ---------------------------------------------------


def parse(text: str):
    return parse_policy(textwrap.dedent(text))


def test_policy_defaults_and_values():
    assert parse("").headers == HeadersConfig(hsts="auto", hsts_max_age=HSTS_ONE_YEAR,
                                              cross_origin_resource_policy="same-origin")
    policy = parse("""
        csp: {delivery: [netlify]}
        headers:
          hsts: off
          cross_origin_resource_policy: same-site
        """)
    assert policy.headers.hsts == "off"  # YAML reads unquoted off as false
    assert policy.headers.cross_origin_resource_policy == "same-site"
    assert parse("headers: {hsts: 'on'}\ncsp: {delivery: [nginx]}\n").headers.hsts == "on"


def test_policy_errors_name_file_line_key_and_fix():
    with pytest.raises(PolicyError) as info:
        parse("""
            csp: {delivery: [netlify]}
            headers:
              hsts: sometimes
              hsts_preload: true
              cross_origin_resource_policy: same-orign
              hsts_maxage: 5
            """)
    text = [str(p) for p in info.value.problems]
    assert any(t.startswith("consent.yml:4:") and "headers.hsts: unknown value 'sometimes'"
               in t for t in text), text
    assert any(t.startswith("consent.yml:5:") and "headers.hsts_preload" in t
               and "includeSubDomains" in t for t in text), text
    assert any("did you mean 'same-origin'?" in t for t in text), text
    assert any("headers.hsts_maxage: unknown key" in t and "hsts_max_age" in t
               for t in text), text


def test_policy_warnings():
    short = parse("csp: {delivery: [netlify]}\nheaders: {hsts_max_age: 86400}\n")
    assert any("less than six months" in str(w) for w in short.warnings)
    meta = parse("headers: {cross_origin_resource_policy: cross-origin}\n")
    assert any("<meta> delivery cannot send these headers" in str(w) for w in meta.warnings)


# -- the audit's view ------------------------------------------------------------------------


def test_coverage_rows_per_host_and_meta(tmp_path):
    export(tmp_path, SITE_CSP, config(), https=None)
    rows = hosts.security_headers(read_site_headers(tmp_path), meta_policy=True)
    assert [r["delivery"] for r in rows] == [*hosts.hosts(), "meta"]
    for row in rows[:-1]:
        assert row["missing"] == ["Strict-Transport-Security"], row
        assert "Cross-Origin-Resource-Policy" in row["sends"]
        assert row["docs"].startswith("https://")
    meta = rows[-1]
    assert meta["sends"] == ["Content-Security-Policy"]
    assert "Strict-Transport-Security" in meta["cannot"]


def _page_site(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text(
        "<!doctype html><html><head><meta http-equiv=\"Content-Security-Policy\" content=\""
        "default-src 'self'; object-src 'none'; base-uri 'self'\"><title>t</title></head>"
        "<body><p>hi</p></body></html>")
    return site


def test_audit_lists_each_host_and_flags_missing_hsts(tmp_path):
    from mkdocs_clarity.audit import audit_site
    from mkdocs_clarity.audit.report import render
    from mkdocs_clarity.engine.siteurl import parse_site_url

    site = _page_site(tmp_path)
    export(site, "default-src 'self'; object-src 'none'; base-uri 'self'",
           config(delivery=("meta", "nginx", "vercel")), https=None)
    report = audit_site(site, site_url=parse_site_url("https://docs.example.org/"))
    rows = report.to_json()["delivery"]["security_headers"]
    assert [r["delivery"] for r in rows] == ["vercel", "nginx", "meta"]
    hsts = [f for f in report.findings if f.check == "MISSING_HSTS"]
    assert {f.description.split(" ", 1)[0] for f in hsts} == {"vercel.json",
                                                              "nginx-headers.conf"}
    assert all(f.severity == "medium" for f in hsts)
    md = render(report.to_json(), "md")
    assert "## Security headers" in md
    assert "| nginx | `nginx-headers.conf` |" in md and "Strict-Transport-Security |" in md
    assert "cannot: Strict-Transport-Security" in md
    assert "https://nginx.org/en/docs/http/ngx_http_headers_module.html" in \
        render(report.to_json(), "html")
    # sent for an https site: no finding; an http site is never expected to send it
    export(site, "default-src 'self'; object-src 'none'; base-uri 'self'",
           config(delivery=("meta", "nginx", "vercel")), https=True)
    report = audit_site(site, site_url=parse_site_url("https://docs.example.org/"))
    assert not [f for f in report.findings if f.check == "MISSING_HSTS"]


def test_audit_meta_only_says_hsts_cannot_be_sent(tmp_path):
    from mkdocs_clarity.audit import audit_site

    report = audit_site(_page_site(tmp_path))
    (f,) = [f for f in report.findings if f.check == "META_ONLY_DELIVERY"]
    assert "Strict-Transport-Security" in f.description
    (row,) = report.to_json()["delivery"]["security_headers"]
    assert row["delivery"] == "meta" and "Strict-Transport-Security" in row["cannot"]


def test_apply_summary_says_whether_hsts_is_sent(tmp_path):
    from click.testing import CliRunner

    from mkdocs_clarity.cli import main

    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "index.html").write_text("<!doctype html><title>t</title><p>x</p>")
    (tmp_path / "consent.yml").write_text("csp: {delivery: [meta, nginx]}\n")
    args = ["apply", str(tmp_path / "site"), "--policy", str(tmp_path / "consent.yml")]
    unknown = CliRunner().invoke(main, args)
    assert unknown.exit_code == 0, unknown.output
    assert "Strict-Transport-Security: not sent (it needs an https site URL" in unknown.output
    https = CliRunner().invoke(main, [*args, "--site-url", "https://docs.example.org/"])
    assert "Strict-Transport-Security: max-age=31536000\n" in https.output


@pytest.mark.parametrize("name, text", [
    ("_headers", "/*\n  Strict-Transport-Security: max-age=600\n"),
    ("nginx-headers.conf", 'add_header Strict-Transport-Security "max-age=600" always;\n'),
    (".htaccess", 'Header always set Strict-Transport-Security "max-age=600"\n'),
    ("vercel.json", '{"headers": [{"source": "/docs/(.*)", "headers": '
                    '[{"key": "strict-transport-security", "value": "max-age=600"}]}]}'),
])
def test_a_hand_written_hsts_is_a_conflict_unless_ours_is_off(tmp_path, name, text):
    """Two HSTS values are invalid HSTS: refused, with the way out; kept when ours is off."""
    (tmp_path / name).write_text(text)
    delivery = next(h.delivery for h in hosts.hosts().values() if h.file == name)
    with pytest.raises(HeaderExportError, match=r"Strict-Transport-Security.*headers\.hsts: off"):
        export(tmp_path, SITE_CSP, config(delivery=(delivery,)), https=True)
    assert (tmp_path / name).read_text() == text
    export(tmp_path, SITE_CSP, config(delivery=(delivery,)),
           headers=HeadersConfig(hsts="off"), https=True)
    assert "max-age=600" in (tmp_path / name).read_text()

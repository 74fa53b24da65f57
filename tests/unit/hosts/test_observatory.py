"""Graded by Mozilla's MDN HTTP Observatory (its npm package, its scanner and scoring), every
host format earns A+ for a default https site, with no bonus lost.

The site: the plain static fixture with ``mkdocs-clarity apply`` run on it for every header
delivery and ``--site-url https://...``. What is graded per host: its index page served at a
local https origin with the headers the host's file makes it send: read back from the file for
Netlify, Cloudflare, Vercel and Azure (no local copy of those hosts exists), and as the real
nginx and Apache send them, running with the generated snippet.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from mkdocs_clarity import hosts
from mkdocs_clarity.cli import main
from tests.harness import observatory, webservers

SITES = Path(__file__).parents[2] / "fixtures" / "static_sites"
POLICY = f"""version: 1
services:
  clarity: {{category: analytics, project_id: "abcde12345"}}
  youtube: {{category: marketing}}
csp:
  delivery: [meta, {", ".join(hosts.hosts())}]
"""
TRANSPORT = {"content-length", "content-type", "date", "server", "connection", "keep-alive",
             "transfer-encoding", "last-modified", "etag", "accept-ranges"}
"""What the local https server sets itself for the page it serves (the rest of a real server's
response headers are passed on as sent)."""
EARNED = {"content-security-policy": 5, "referrer-policy": 5, "x-frame-options": 5,
          "cross-origin-resource-policy": 10}
"""Every bonus a header can earn for this site. Not here: +10 for CSP ``default-src 'none'``
(the site policy uses ``'self'``), HSTS preloading, SRI and cookies (page content)."""


@pytest.fixture(scope="module")
def graded(tmp_path_factory) -> dict[str, observatory.Result]:
    problem = observatory.available()
    if problem:
        pytest.fail(problem)
    tmp = tmp_path_factory.mktemp("observatory")
    site = tmp / "site"
    shutil.copytree(SITES / "plain", site)
    (tmp / "consent.yml").write_text(POLICY)
    result = CliRunner().invoke(main, ["apply", str(site), "--policy", str(tmp / "consent.yml"),
                                       "--site-url", "https://docs.example.org/"])
    assert result.exit_code == 0, result.output
    body = (site / "index.html").read_text("utf-8")
    files = hosts.read_site_headers(site)
    sent: dict[str, dict[str, str]] = {}
    for name, host in hosts.hosts().items():
        server = webservers.SERVERS.get(name)
        if server:
            with webservers.serve(server, site / host.file, body, tmp) as url:
                sent[name] = {k: v for k, v in webservers.response_headers(url).items()
                              if k not in TRANSPORT}
        else:
            sent[name] = files[host.file]
    without_hsts = {k: v for k, v in sent["netlify"].items()
                    if k != "strict-transport-security"}
    return observatory.grade({**sent, "control: netlify without HSTS": without_hsts}, body)


@pytest.mark.parametrize("host", list(hosts.hosts()))
def test_every_host_earns_a_plus_with_every_bonus(graded, host):
    result = graded[host]
    assert result.penalties == {}, result.tests
    assert result.grade == "A+" and result.score >= 100, (result.grade, result.score)
    assert result.bonuses == EARNED
    assert result.tests["strict-transport-security"]["result"] == \
        "hsts-implemented-max-age-at-least-six-months"


def test_control_without_hsts_is_the_issue_s_b_plus(graded):
    """The judge can fail: the same headers without HSTS score what the issue measured."""
    result = graded["control: netlify without HSTS"]
    assert (result.grade, result.score) == ("B+", 80)
    assert result.penalties == {"strict-transport-security": -20}

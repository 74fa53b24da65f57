"""The adversarial corpus (tests/fixtures/adversarial/, see tests/harness/corpus.py) applied and
opened in Chromium with every third-party host stubbed and recorded.

Each variant is applied as a site of its own, so the CSP it gets is exactly what that one
load needs (on one shared site, another page's sources could hide a missing one).

``gated/``: zero third-party requests before consent; once "Accept all" is clicked the
vendor is reached and no CSP violation occurs (the held load really works, under a policy
that allows exactly it). ``dropped/``: nothing before consent nor after. ``inert/``: never a
request (``refused/``: tests/unit/test_recognise.py). The raw corpus: every
gated variant reaches its vendor without ``apply`` (the corpus is real), and the audit names
every gated and refused page with a HIGH finding.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest

from consent_generator.model import Policy
from mkdocs_clarity.engine.site import apply_site
from mkdocs_clarity.engine.urls import vendor_hosts
from tests.build.sites import open_page
from tests.harness.browser import new_session
from tests.harness.corpus import Variant, names, variant, variants
from tests.harness.server import serve

pytestmark = pytest.mark.browser


def policy() -> Policy:
    """No service enabled: after "Accept all" only what the page itself held back loads,
    so a vendor request then proves that the variant's holder was activated."""
    return Policy()


def _write(root: Path, v: Variant) -> Path:
    site = root / v.group / v.name
    site.mkdir(parents=True)
    (site / "index.html").write_text(v.page)
    return site


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("adversarial")
    for group in ("gated", "dropped", "inert"):
        for v in variants(group):
            apply_site(_write(root, v), policy(), jobs=1)
    with serve(root) as base:
        yield base


def _settle(page) -> None:
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(150)


def _vendor_requests(session) -> list[str]:
    hosts = vendor_hosts()
    return [u for u in session.third_party() if hosts.service_of(urlsplit(u).hostname or "")]


def _open(browser, base: str, v: Variant):
    session = new_session(browser, device_scale_factor=v.dpr)
    page = open_page(session, f"{base}{v.group}/{v.name}/index.html")
    _settle(page)
    return session, page


def _accept_all(session, page) -> None:
    page.get_by_role("button", name="Accept all").click()
    for _ in range(50):
        if session.third_party():
            break
        page.wait_for_timeout(100)
    _settle(page)


@pytest.mark.parametrize("name", names("gated"))
def test_gated_variant_waits_for_consent_then_loads_without_a_csp_violation(browser, site, name):
    session, page = _open(browser, site, variant("gated", name))
    try:
        assert session.third_party() == []
        assert session.page_errors == []
        _accept_all(session, page)
        assert _vendor_requests(session), f"{name}: the vendor was not reached after Accept all"
        assert session.csp_violations() == []
        assert session.page_errors == []
    finally:
        session.context.close()


@pytest.mark.parametrize("name", names("dropped"))
def test_dropped_variant_never_loads(browser, site, name):
    session, page = _open(browser, site, variant("dropped", name))
    try:
        assert session.third_party() == []
        _accept_all(session, page)
        assert session.third_party() == []
        assert session.csp_violations() == []
    finally:
        session.context.close()


@pytest.mark.parametrize("name", names("inert"))
def test_inert_variant_never_requests(browser, site, name):
    session, _ = _open(browser, site, variant("inert", name))
    try:
        assert session.third_party() == []
    finally:
        session.context.close()


def test_raw_corpus_reaches_the_vendors_and_the_audit_names_each_page(browser, tmp_path):
    """Control: without apply every gated page does reach a vendor in Chromium (so the stubs
    and the corpus are real), and the audit reports each gated and refused page as HIGH."""
    from mkdocs_clarity.audit import audit_site

    root = tmp_path / "raw"
    corpus = [*variants("gated"), *variants("refused")]
    for v in corpus:
        (root / v.group).mkdir(parents=True, exist_ok=True)
        (root / v.group / f"{v.name}.html").write_text(v.page)
    report = audit_site(root)
    high = {p for f in report.findings if f.severity == "high" and f.check == "UNGATED_TRACKER"
            for p in f.pages}
    assert high == {f"{v.group}/{v.name}.html" for v in corpus}
    silent = []
    with serve(root) as base:
        for v in variants("gated"):
            s = new_session(browser, device_scale_factor=v.dpr)
            try:
                s.page.goto(f"{base}gated/{v.name}.html", wait_until="load")
                _settle(s.page)
                if not _vendor_requests(s):
                    silent.append(v.name)
            finally:
                s.context.close()
    assert silent == []

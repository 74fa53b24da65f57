"""Hotjar catalog entry (issue 10): hosts per Hotjar's CSP article, cookies and Web Storage
keys cleared on revoke, its pasted tracking code recognised with its hjid, and its masking
mark written by the one masking policy wherever Clarity's goes."""

from __future__ import annotations

import re

from consent_generator import render
from consent_generator.discover import discover
from consent_generator.model import MaskingConfig, Policy
from consent_generator.services import get
from mkdocs_clarity.engine.masking import compile_masking, find_masks
from mkdocs_clarity.engine.scan import scan_page, tag_at
from tests.harness import consent_pages as cp

TRACKING_CODE = """<script>
    (function(h,o,t,j,a,r){
        h.hj=h.hj||function(){(h.hj.q=h.hj.q||[]).push(arguments)};
        h._hjSettings={hjid:3456789,hjsv:6};
        a=o.getElementsByTagName('head')[0];
        r=o.createElement('script');r.async=1;
        r.src=t+h._hjSettings.hjid+j+h._hjSettings.hjsv;
        a.appendChild(r);
    })(window,document,'https://static.hotjar.com/c/hotjar-','.js?sv=');
</script>"""


def _policy() -> Policy:
    return Policy(services=(cp.service("hotjar", site_id="3456789"),))


def test_csp_follows_hotjars_csp_article():
    sources = render.csp_sources(_policy())
    assert {"https://static.hotjar.com", "https://script.hotjar.com"} <= set(sources["script-src"])
    assert [s for s in sources["connect-src"] if s != "'self'"] == [
        "https://*.hotjar.com", "https://*.hotjar.io", "wss://*.hotjar.com"]
    assert not any("unsafe" in s for v in sources.values() for s in v)


def test_loader_is_hotjars_tracking_code_with_the_site_id():
    (text,) = render.service_inline_scripts(_policy())
    assert "h._hjSettings={hjid:3456789,hjsv:6};" in text
    assert "'https://static.hotjar.com/c/hotjar-','.js?sv='" in text


def test_revoke_clears_its_cookies_and_both_storages():
    (svc,) = render.runtime_config(_policy(), lang="en")["services"]
    assert svc["signal"] == "load-on-grant"  # no consent API: the runtime reloads on revoke
    for name in ("_hjSessionUser_3456789", "_hjSession_3456789", "_hjTLDTest",
                 "_hjIncludedInSessionSample_3456789"):
        assert any(re.search(p, name) for p in svc["cookies"]), name
    assert not any(re.search(p, "_ga") for p in svc["cookies"])
    for key in ("_hjRecordingEnabled", "_hjViewportId", "_hjLocalStorageTest"):
        assert any(re.search(p, key) for p in svc["storage"]), key


def test_pasted_tracking_code_and_script_url_are_recognised(tmp_path):
    (tmp_path / "a.html").write_text(f"<html><head>{TRACKING_CODE}</head></html>")
    (tmp_path / "b.html").write_text(
        '<html><head><script src="https://static.hotjar.com/c/hotjar-42.js?sv=6">'
        "</script></head></html>")
    found = {f.where.split(":")[0]: dict(f.params)
             for f in discover(tmp_path).services()["hotjar"]}
    assert found == {"a.html": {"site_id": "3456789"}, "b.html": {"site_id": "42"}}
    scan = scan_page(f"<html><head>{TRACKING_CODE}</head><body></body></html>", "a.html")
    assert [t.service for t in scan.trackers] == ["hotjar"]


def test_masking_writes_data_hj_suppress_beside_data_clarity_mask():
    mark = get("hotjar").mask
    assert mark is not None and mark.attribute == "data-hj-suppress"
    html = "<html><body><form><input name=q></form><p>me@example.org</p></body></html>"
    compiled = compile_masking(MaskingConfig(), _policy().services)
    scan = scan_page(html, "p.html")
    res = find_masks(html, compiled, opaque=scan.opaque,
                     body_tag=tag_at(html, scan.body_tag[0]), body_end=scan.body_close)
    texts = [t for _, t in res.insertions]
    assert texts == [' data-clarity-mask="true" data-hj-suppress'] * 3  # form, input, p

"""PostHog catalog entry (issue 10): EU/US Cloud or self-hosted host as a parameter (with the
assets host PostHog Cloud implies), the opt-in adapter shipped only with PostHog, its cookie
and storage keys cleared on revoke, its snippet recognised, and ph-no-capture written by the
one masking policy wherever data-clarity-mask goes."""

from __future__ import annotations

import re

import pytest

from consent_generator import render
from consent_generator.discover import discover
from consent_generator.model import MaskingConfig, Policy
from consent_generator.services import get
from mkdocs_clarity.engine.masking import compile_masking, find_masks
from mkdocs_clarity.engine.scan import scan_page, tag_at
from tests.harness import consent_pages as cp

KEY = "phc_AbCdEfGhIjKlMnOpQrStUvWxYz0123"


def _policy(host: str = "https://eu.i.posthog.com") -> Policy:
    return Policy(services=(cp.service("posthog", project_key=KEY, api_host=host),))


@pytest.mark.parametrize("host, sources", [
    ("https://eu.i.posthog.com", ["https://eu.i.posthog.com", "https://eu-assets.i.posthog.com"]),
    ("https://us.i.posthog.com", ["https://us.i.posthog.com", "https://us-assets.i.posthog.com"]),
    ("https://ph.example.org:8443/ingest", ["https://ph.example.org:8443"]),
])
def test_csp_is_the_host_and_the_assets_host_cloud_implies(host, sources):
    csp = render.csp_sources(_policy(host))
    assert [s for s in csp["script-src"] if s.startswith("https:")] == sources
    assert [s for s in csp["connect-src"] if s != "'self'"] == sources


def test_loader_inits_it_opted_out_without_persistence():
    (text,) = render.service_inline_scripts(_policy())
    assert f'posthog.init("{KEY}", {{api_host: "https://eu.i.posthog.com"' in text
    assert "opt_out_capturing_by_default: true" in text
    assert "opt_out_persistence_by_default: true" in text
    assert '.replace(".i.posthog.com","-assets.i.posthog.com")' in text
    for method in ("opt_in_capturing", "opt_out_capturing", "stopSessionRecording"):
        assert method in text  # queued by the stub until array.js has loaded


def test_adapter_ships_only_with_posthog():
    js = render.runtime_assets(_policy())[0].content.decode()
    assert '["posthog-opt-in",' in js and "opt_out_capturing" in js
    assert "opt_out_capturing" not in render.runtime_assets(Policy(
        services=(cp.service("clarity", project_id="abcde12345"),)))[0].content.decode()


def test_revoke_clears_its_cookie_and_storage_keys():
    (svc,) = render.runtime_config(_policy(), lang="en")["services"]
    assert svc["signal"] == "posthog-opt-in"
    assert any(re.search(p, f"ph_{KEY}_posthog") for p in svc["cookies"])
    for key in (f"ph_{KEY}_posthog", f"__ph_opt_in_out_{KEY}", f"ph_{KEY}_window_id",
                f"ph_{KEY}_primary_window_exists"):
        assert any(re.search(p, key) for p in svc["storage"]), key
    assert not any(re.search(p, "ph_theme") for p in svc["storage"] + svc["cookies"])


def test_pasted_snippet_is_recognised_with_key_and_host(tmp_path):
    (tmp_path / "index.html").write_text(
        "<html><head><script>!function(t,e){/* posthog stub */}(document,window.posthog||[]);"
        f"posthog.init('{KEY}', {{api_host: 'https://us.i.posthog.com', defaults: "
        "'2025-05-24'})</script></head></html>")
    (finding,) = discover(tmp_path).services()["posthog"]
    assert dict(finding.params) == {"project_key": KEY, "api_host": "https://us.i.posthog.com"}


def test_masking_adds_ph_no_capture_where_clarity_mask_goes():
    mark = get("posthog").mask
    assert mark is not None and mark.css_class == "ph-no-capture"
    html = '<html><body><form class="search"><input name=q></form></body></html>'
    compiled = compile_masking(MaskingConfig(), _policy().services)
    scan = scan_page(html, "p.html")
    res = find_masks(html, compiled, opaque=scan.opaque,
                     body_tag=tag_at(html, scan.body_tag[0]), body_end=scan.body_close)
    out, pos = [], 0
    for off, text in res.insertions:
        out += [html[pos:off], text]
        pos = off
    out.append(html[pos:])
    assert "".join(out) == ('<html><body><form class="search ph-no-capture" '
                            'data-clarity-mask="true"><input name=q data-clarity-mask="true" '
                            'class="ph-no-capture"></form></body></html>')

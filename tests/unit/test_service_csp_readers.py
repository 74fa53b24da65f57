"""Every reader of a vendor's CSP goes through ``ServiceSpec.csp_for`` (issue 10): the build,
the audit and verify resolve Matomo's ``{url}`` to the origin of the policy's URL, and a
vendor found in pages without params contributes no unresolved ``{url}`` source."""

from __future__ import annotations

from consent_generator.model import Policy
from mkdocs_clarity.engine.csp import build_site_csp
from mkdocs_clarity.engine.scan import scan_page
from mkdocs_clarity.verify.serve import ThirdParties
from tests.harness import consent_pages as cp

MATOMO_LOADER = """<html><head><script>
var _paq = window._paq = window._paq || [];
_paq.push(['trackPageView']);
(function() { var u="https://stats.example.org/";
  _paq.push(['setTrackerUrl', u+'matomo.php']); _paq.push(['setSiteId', '3']);
  var d=document, g=d.createElement('script'), s=d.getElementsByTagName('script')[0];
  g.async=true; g.src=u+'matomo.js'; s.parentNode.insertBefore(g,s); })();
</script></head><body></body></html>"""


def test_verify_names_a_self_hosted_matomo_by_the_policy_url():
    policy = Policy(services=(cp.service("matomo", url="https://stats.example.org/m/",
                                         site_id="3"),))
    parties = ThirdParties(policy)
    # matomo.php is no script URL the detector knows: only the resolved origin names it
    assert parties.vendor_of("https://stats.example.org/m/matomo.php?idsite=3") == "matomo"
    assert ThirdParties(None).vendor_of("https://stats.example.org/m/matomo.php") is None


def test_an_auto_gated_vendor_without_params_adds_no_placeholder_source():
    scan = scan_page(MATOMO_LOADER, "index.html")
    assert any(t.service == "matomo" for t in scan.trackers)
    site = build_site_csp(Policy(), [scan])
    sources = [s for _, values in site.policy.directives for s in values]
    assert not any("{" in s or s == "://" for s in sources), sources


def test_audit_explains_the_matomo_origin_through_the_policy_params(tmp_path):
    from consent_generator.services import get
    from mkdocs_clarity.audit import _service_csp

    policy = Policy(services=(cp.service("matomo", url="https://stats.example.org/m/",
                                         site_id="3"),))
    assert _service_csp(policy, "matomo", get("matomo"))["script-src"] == (
        "https://stats.example.org",)
    assert _service_csp(None, "matomo", get("matomo")) == {
        "script-src": (), "connect-src": (), "img-src": ()}

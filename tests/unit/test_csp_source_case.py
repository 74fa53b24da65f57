"""One spelling per CSP source, whoever names it (``csp_vocabulary.normalize_source``).

Schemes, hosts and keywords are case-insensitive in CSP; hashes and nonces (base64) and paths
(CSP3 §6.7.2.10 matches paths case-sensitively) are not. The rule used to live in the site
builder only (``engine/csp.py::_site_source``), so a page's own policy read with
:meth:`Csp.parse` and the snippet's policy from ``consent.yml`` kept ``HTTPS://CDN.EXAMPLE.COM``
next to ``https://cdn.example.com``.
"""

from __future__ import annotations

import base64
import hashlib

import pytest

from consent_generator.csp_sources import policy_csp
from consent_generator.csp_vocabulary import normalize_source
from consent_generator.policy import parse_policy
from mkdocs_clarity.engine.csp import Csp, build_site_csp
from mkdocs_clarity.engine.scan import scan_page

HASH = "'sha256-" + base64.b64encode(hashlib.sha256(b"Ab").digest()).decode() + "'"


@pytest.mark.parametrize(("raw", "want"), [
    ("HTTPS://WWW.CLARITY.MS", "https://www.clarity.ms"),
    ("HTTPS://CDN.Example.COM/Lib/App.JS", "https://cdn.example.com/Lib/App.JS"),
    ("CDN.Example.COM:8443/Path/", "cdn.example.com:8443/Path/"),
    ("https://*.Example.COM:*/A", "https://*.example.com:*/A"),
    ("WSS://Live.Example.COM", "wss://live.example.com"),
    ("DATA:", "data:"),
    ("Example.COM/a://B", "example.com/a://B"),  # a '://' in the path is no scheme
    ("https://Example.COM/a://B", "https://example.com/a://B"),
    ("'SELF'", "'self'"),
    ("'Unsafe-Inline'", "'unsafe-inline'"),
    ("'nonce-AbCdEf'", "'nonce-AbCdEf'"),
    ("'NONCE-AbCdEf'", "'NONCE-AbCdEf'"),
    (HASH, HASH),
    ("'SHA256-" + HASH[8:], "'SHA256-" + HASH[8:]),
])
def test_scheme_host_and_keywords_lower_paths_hashes_nonces_kept(raw, want):
    assert normalize_source(raw) == want
    assert normalize_source(want) == want


def test_hash_values_are_base64_and_keep_their_case():
    assert HASH.lower() != HASH  # the test would prove nothing for an all-lower-case hash
    assert normalize_source(HASH) == HASH


def test_a_page_policy_is_read_with_one_spelling():
    csp = Csp.parse("script-src 'SELF' HTTPS://CDN.Example.COM/Lib.js https://cdn.example.com"
                    "/Lib.js HTTPS://CDN.EXAMPLE.COM/lib.js " + HASH)
    assert csp.get("script-src") == ("'self'", "https://cdn.example.com/Lib.js",
                                     "https://cdn.example.com/lib.js", HASH)


def test_policy_file_sources_are_written_once_with_paths_kept():
    policy = parse_policy('version: 1\ncsp:\n  extra: {script-src: ["HTTPS://CDN.Example.COM'
                          '/Lib.js", "https://cdn.example.com/Lib.js", '
                          '"https://cdn.example.com/lib.js"], img-src: ["IMG.Example.COM"]}\n')
    snippet = policy_csp(policy, [])
    sources = [s for s in snippet["script-src"] if "example" in s]
    assert sources == ["https://cdn.example.com/Lib.js", "https://cdn.example.com/lib.js"]
    assert "img.example.com" in snippet["img-src"]


def test_site_policy_from_a_page_keeps_one_spelling_and_the_path_case():
    page = ('<html><head><meta http-equiv="Content-Security-Policy" content="img-src '
            'HTTPS://IMG.Example.COM/Pics/ https://img.example.com/Pics/"></head>'
            "<body><p>x</p></body></html>")
    site = build_site_csp(parse_policy("version: 1\n"), [scan_page(page, "p.html")],
                          runtime_scripts=[])
    assert [s for s in site.policy.get("img-src") or () if "example" in s] == \
        ["https://img.example.com/Pics/"]

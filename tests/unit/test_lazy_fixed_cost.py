"""What a build never needs is not made (issue 15, fixed cost): checked by what was made,
never by time."""

from __future__ import annotations

from mkdocs_clarity.engine import scan


def test_own_script_and_iframe_urls_compile_no_detect_pattern() -> None:
    scan.detect_table.cache_clear()
    page = ('<html><head><script src="js/app.js"></script></head><body>'
            '<iframe src="embed/map.html"></iframe><script src="/x.js"></script></body></html>')
    found = scan.scan_page(page, "p.html")
    assert found.trackers == ()
    assert scan.detect_table.cache_info().misses == 0


def test_a_vendor_url_still_reads_the_detect_patterns() -> None:
    scan.detect_table.cache_clear()
    page = ('<html><head><script async src="https://www.googletagmanager.com/gtag/js?id=G-X1">'
            '</script></head><body><iframe src="https://www.youtube.com/embed/abc"></iframe>'
            '</body></html>')
    found = scan.scan_page(page, "p.html")
    assert [(t.service, t.kind) for t in found.trackers] == [
        ("google-analytics", "script-src"), ("youtube", "iframe")]
    assert scan.detect_table.cache_info().misses == 2

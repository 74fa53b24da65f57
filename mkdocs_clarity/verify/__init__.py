"""``mkdocs-clarity verify``: load the built site in a real browser and prove, page by page, what
happens before and after consent.

The audit reads files; it cannot see what the theme's JavaScript does at run time (a same-origin
bundle that injects a tracker, a CSP that breaks a theme feature). This package drives an
installed Chromium through Playwright, answers the site from disk at its real origin and every
third-party request locally (nothing leaves the machine), clicks the real banner, and turns what
the browser did into findings.

Modules, one concern each: :mod:`.launch` (find Playwright and a browser), :mod:`.serve` (answer
the site from disk and third parties locally, recording them), :mod:`.scenarios` (the states a
page is driven through), :mod:`.findings` (observations -> findings with a fix),
:mod:`.report` (text, JSON, Markdown, HTML), :mod:`.run` (pages in parallel contexts).
"""

from __future__ import annotations

from mkdocs_clarity.verify.model import SCHEMA_VERSION, STATES, VerifyReport
from mkdocs_clarity.verify.run import VerifyOptions, verify_site

__all__ = ["SCHEMA_VERSION", "STATES", "VerifyOptions", "VerifyReport", "verify_site"]

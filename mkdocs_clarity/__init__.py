"""mkdocs_clarity: applies a consent policy to built HTML (gating, strict CSP, Clarity masking).

The core works on built HTML so it serves MkDocs, its successors and any static-site
generator; ``plugin.py`` and ``cli.py`` are thin front ends to ``site.apply_site``.
"""

__version__ = "0.1.0"

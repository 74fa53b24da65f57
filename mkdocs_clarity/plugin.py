"""MkDocs adapter (placeholder until the rewrite engine lands)."""

from mkdocs.plugins import BasePlugin


class ClarityPlugin(BasePlugin):
    """``plugins: [clarity]`` in mkdocs.yml."""

"""consent_generator: the consent policy, the vendor catalog and the self-hosted consent runtime.

This package knows nothing of MkDocs: it turns ``consent.yml`` into a validated, immutable
:class:`~consent_generator.policy.Policy` and renders what a page needs to ask for consent.
``mkdocs_clarity`` applies that to built HTML.
"""

__version__ = "0.1.0"

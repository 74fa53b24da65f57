"""The engine: built HTML in, a rewritten site out.

Policy → model → page plan → site policy → outputs. Nothing here imports the front ends
(``plugin``, ``cli``) or the checks (``audit``, ``verify``); the registries (``hosts``,
``themes``, ``consent_generator.services``) are read, never the other way round.
"""

"""One page rewritten in one call, for callers that hold a single page (the tests, a script
embedding the engine): :func:`rewrite_page` plans and applies
:mod:`~mkdocs_clarity.engine.rewrite`'s splices to it.

Its own module because no build needs it: the site pass plans every page first and writes
after (``engine/site.py``), so the two types here are not created for the ~0.5 ms each of
``@dataclass`` work on every build's import (issue 15).
"""

from __future__ import annotations

from dataclasses import dataclass

from consent_generator.model import Policy
from mkdocs_clarity.engine.csp import Csp
from mkdocs_clarity.engine.masking import CompiledMasking
from mkdocs_clarity.engine.rewrite import Gated, Renderer, apply_plan, plan_page, strip_injected


@dataclass(frozen=True)
class RewriteContext:
    """What rewriting one page needs besides its text."""

    policy: Policy
    path: str
    """Page path relative to the site root, ``/`` separators (``guide/index.html``)."""
    csp: Csp | None = None
    """The site-wide policy for the ``<meta>``; None writes no meta (header delivery only)."""
    renderer: Renderer | None = None
    masking: CompiledMasking | None = None


@dataclass(frozen=True)
class RewriteResult:
    html: str
    warnings: tuple[str, ...]
    gated: tuple[Gated, ...]
    masked: int


def rewrite_page(html: str, ctx: RewriteContext) -> RewriteResult:
    """The whole rewrite of one page (the site pass uses plan/apply to scan pages once)."""
    renderer = ctx.renderer or Renderer(ctx.policy)
    stripped = strip_injected(html)
    plan, _ = plan_page(stripped, ctx.path, ctx.policy, masking=ctx.masking, renderer=renderer)
    out = apply_plan(stripped, plan, ctx.csp, renderer)
    return RewriteResult(out, tuple(plan.warnings), tuple(plan.gated), plan.masked)

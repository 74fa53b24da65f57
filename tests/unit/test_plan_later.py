"""The plugin puts pass 1 off (``SiteRewriter._plan_later``): pages given to ``plan_output``
are planned in one run in ``on_post_build``, while their texts fit the budget for kept texts,
and give exactly what planning each at once gave: the same plans, stamps, kept texts, CSP
(sources and their provenance, in the same order) and site. Nothing here times anything."""

from __future__ import annotations

import sys

import pytest

from consent_generator.errors import UserError
from mkdocs_clarity.engine import site as site_module
from mkdocs_clarity.engine.site import SiteRewriter

from .test_plan_output import _build, _policy, _rel, _snapshot, _text

UNGATEABLE = '<div style="background-image:url(https://c.bing.com/c.gif)">x</div>'


def _run(root, pages: int, budget: int, monkeypatch, texts=None):
    """A plugin build with ``budget`` bytes for kept texts; what pass 1 stored, in order."""
    stored: list[str] = []
    planned: list[str] = []
    real_store, real_plan = SiteRewriter._store, site_module._plan_stripped

    def store(self, result):
        stored.append(result[0])
        return real_store(self, result)

    def plan(rel, text, *, slim):
        planned.append(rel)
        return real_plan(rel, text, slim=slim)

    monkeypatch.setattr(SiteRewriter, "_store", store)
    monkeypatch.setattr(site_module, "_plan_stripped", plan)
    rewriter = SiteRewriter(root, _policy(), jobs=1)
    rewriter._text_budget = budget
    monkeypatch.setenv("CLARITY_TEST_SITE", str(root))
    _build(root, rewriter, pages, texts)
    during = list(planned)
    rewriter._seal_last()
    state = {rel: (plan, stamp[0], stamp[1], stamp[3])
             for rel, (plan, stamp) in rewriter._planned.items()}
    for rel, (_, stamp) in rewriter._planned.items():  # the file's stat after MkDocs wrote it
        st = (root / rel).stat()
        assert stamp[1:3] == (st.st_size, st.st_mtime_ns)
    kept = dict(rewriter._texts)
    monkeypatch.setattr(SiteRewriter, "_store", real_store)
    monkeypatch.setattr(site_module, "_plan_stripped", real_plan)
    report = rewriter.finish()
    return during, stored, state, kept, None, report


def _cost(n: int) -> int:
    return sys.getsizeof(_text(n))


@pytest.mark.parametrize("waiting", [0, 1, 3, 8])  # 8: every page
def test_put_off_planning_stores_what_planning_at_once_stored(tmp_path, monkeypatch, waiting):
    pages = 8
    budget = sum(_cost(n) for n in range(waiting))
    at_once = _run(tmp_path / "at-once", pages, 0, monkeypatch)
    later = _run(tmp_path / "later", pages, budget, monkeypatch)
    # at once: each page planned in its own on_post_page; put off: the first ``waiting``
    # pages wait (the last page always waits when the budget holds every page) and are
    # planned, in page order, right before the first page that does not fit
    assert at_once[0] == [_rel(n) for n in range(pages)]
    assert later[0] == ([] if waiting == pages else [_rel(n) for n in range(pages)])
    assert later[1] == at_once[1] == [_rel(n) for n in range(pages)]  # stored in page order
    assert later[2] == at_once[2]  # plans and stamps
    assert later[5].csp.policy == at_once[5].csp.policy
    assert later[5].csp.provenance == at_once[5].csp.provenance  # reasons and their pages
    assert list(later[5].csp.provenance.items()) == list(at_once[5].csp.provenance.items())
    assert later[5].warnings == at_once[5].warnings
    assert later[5].gated_elements == at_once[5].gated_elements
    assert _snapshot(tmp_path / "later") == _snapshot(tmp_path / "at-once")
    # the texts that waited are kept for pass 2 (the budget held exactly those), the last
    # page's too once _seal_last found it unchanged on disk
    assert set(later[3]) == {_rel(n) for n in range(waiting)}
    assert at_once[3] == {}


def test_a_page_that_cannot_be_gated_fails_with_the_same_message(tmp_path, monkeypatch):
    texts = {2: _text(2, UNGATEABLE)}
    messages = []
    for budget in (0, 1 << 30):
        monkeypatch.setenv("CLARITY_TEST_SITE", str(tmp_path / str(budget)))
        rewriter = SiteRewriter(tmp_path / str(budget), _policy(), jobs=1)
        rewriter._text_budget = budget
        with pytest.raises(UserError) as err:
            _build(tmp_path / str(budget), rewriter, 5, texts)
            rewriter.finish()
        messages.append(str(err.value))
        # nothing was rewritten
        assert not any(b"data-consent-csp" in (tmp_path / str(budget) / _rel(n)).read_bytes()
                       for n in range(5) if (tmp_path / str(budget) / _rel(n)).exists())
    assert messages[0] == messages[1]
    assert _rel(2) in messages[0]


def test_a_page_mkdocs_did_not_write_is_planned_from_disk_if_at_all(tmp_path, monkeypatch):
    """MkDocs skips writing an empty page: the one waiting is dropped, as a page planned at
    once was, and its budget is given back."""
    site = tmp_path / "site"
    rewriter = SiteRewriter(site, _policy(), jobs=1)
    rewriter.plan_output(_rel(0), _text(0))  # never written
    rewriter.plan_output(_rel(1), _text(1))
    assert rewriter._later == [] and rewriter._later_cost == _cost(1)
    rewriter.close()

"""The ``verify`` command's body: options -> :func:`verify_site` -> report, exit status.

Kept out of :mod:`mkdocs_clarity.cli` so that file only gains a small hunk. Exit status: 0 clean,
1 findings, 2 when verify cannot run (no site, no browser, no Playwright, an unusable policy or
``--pages``).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from consent_generator.errors import UserError

USAGE_EXIT = 2


def run_verify(site_dir: Path, *, policy_path: Path | None, site_url_arg: str | None,
               pages: tuple[str, ...], fmt: str, output: Path | None, browser: str | None,
               jobs: int | None, load_policy: Callable[[Path | None, bool], Any],
               site_url: Callable[[Path, str | None], Any]) -> int:
    """Run verify and print or write the report; the exit status."""
    from consent_generator.atomic import write_atomic
    from mkdocs_clarity.verify.report import render
    from mkdocs_clarity.verify.run import VerifyOptions, verify_site

    try:
        policy = load_policy(policy_path, False)
        url = site_url(site_dir, site_url_arg) if site_dir.is_dir() else None
        opts = VerifyOptions(site_dir=site_dir, policy=policy, site_url=url,
                             pages=tuple(p for arg in pages for p in arg.split()),
                             browser=browser, jobs=jobs)
        with click.progressbar(length=1, label="Verifying", file=sys.stderr,
                               show_pos=True) as bar:
            def advance(done: int, total: int) -> None:
                bar.length = total
                bar.update(done - bar.pos)

            report = verify_site(opts, progress=advance)
    except UserError as exc:
        click.echo(f"Error: {exc}", err=True)
        return USAGE_EXIT
    out = render(report, fmt)
    if output:
        write_atomic(output, out)
        click.echo(render(report, "text") if fmt != "text" else out, nl=False, err=True)
        click.echo(f"report written to {output}", err=True)
    else:
        click.echo(out, nl=False)
    return 0 if report.passed else 1

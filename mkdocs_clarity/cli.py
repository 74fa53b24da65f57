"""``mkdocs-clarity``: apply a consent policy to any built static site, and audit one.

Thin front end: ``apply`` runs the plugin's engine (:func:`site.apply_site`), ``audit`` runs
:func:`audit.audit_site`. Mistakes a user can make are :class:`UserError` s: printed as
``Error: ...`` with exit status 1, never a traceback.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from consent_generator.errors import UserError

from . import __version__

EXAMPLES_APPLY = """
\b
Examples:
  mkdocs-clarity apply site/                       # policy: ./consent.yml
  mkdocs-clarity apply public/ --policy ops/consent.yml
  mkdocs-clarity apply _build/html --dry-run       # show what would change
  zensical build && mkdocs-clarity apply site/
"""

EXAMPLES_AUDIT = """
\b
Examples:
  mkdocs-clarity audit site/                       # Markdown to stdout, exit 1 on high
  mkdocs-clarity audit site/ --format html -o audit.html
  mkdocs-clarity audit site/ --format json -o audit.json --fail-on never
  mkdocs-clarity audit site/ --baseline last-release.json --fail-on medium
"""

PROGRESS_MIN_PAGES = 200


def _fail(message: str) -> None:
    click.echo(f"Error: {message}", err=True)
    sys.exit(1)


def _load_policy(path: Path | None, required: bool):
    """The policy at ``path``, or ``./consent.yml`` when present (None if not and optional)."""
    from consent_generator.policy import default_policy_path, load_policy

    if path is None:
        path = default_policy_path(Path.cwd())
        if not path.exists():
            if required:
                raise UserError(f"no policy: {path} does not exist; pass --policy FILE or "
                                "write one with  consent-generator init")
            return None
    return load_policy(path)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="mkdocs-clarity")
def main() -> None:
    """Consent gating, a strict site-wide CSP and Clarity masking for any static site."""


@main.command(epilog=EXAMPLES_APPLY)
@click.argument("site_dir", type=click.Path(file_okay=False, path_type=Path))
@click.option("--policy", "policy_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Policy file (default: ./consent.yml).")
@click.option("--dry-run", is_flag=True, help="Report what would change; write nothing.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None,
              help="Worker processes (default: all cores).")
def apply(site_dir: Path, policy_path: Path | None, dry_run: bool, jobs: int | None) -> None:
    """Apply the consent policy to the built site in SITE_DIR (idempotent)."""
    try:
        if not site_dir.is_dir():
            raise UserError(f"{site_dir}: not a directory; pass the built site (e.g. site/)")
        policy = _load_policy(policy_path, required=True)
        for w in policy.warnings:
            click.echo(str(w), err=True)
        from .site import apply_site

        pages = sum(1 for _ in site_dir.rglob("*.html"))
        show = sys.stderr.isatty() or pages > PROGRESS_MIN_PAGES
        if show:
            with click.progressbar(length=pages, label="Applying", file=sys.stderr,
                                   show_pos=True) as bar:
                def advance(_phase: str, done: int, total: int) -> None:
                    bar.length = total
                    bar.update(done - bar.pos)

                report = apply_site(site_dir, policy, jobs=jobs, dry_run=dry_run,
                                    progress=advance)
        else:
            report = apply_site(site_dir, policy, jobs=jobs, dry_run=dry_run)
    except UserError as exc:
        _fail(str(exc))
    click.echo(summary(report, dry_run))


def summary(report, dry_run: bool) -> str:
    """The end-of-run summary: what changed, what was gated and masked, how big the policy is."""
    verb = "would change" if dry_run else "changed"
    policy = report.csp.meta_policy
    hashes = sum(1 for _, sources in policy.directives for s in sources
                 if s.startswith("'sha"))
    lines = [f"{report.pages_changed} page(s) {verb}, {report.pages_unchanged} unchanged",
             f"gated snippets: {report.gated}, masks: {report.masked}",
             f"policy: {report.policy_bytes} bytes, {hashes} hashes"]
    files = [f.path.name for f in report.header_files]
    if files:
        lines.append(("header files that would be written: " if dry_run
                      else "header files: ") + ", ".join(files))
    for w in report.warnings:
        lines.append(f"warning: {w}")
    return "\n".join(lines)


@main.command(epilog=EXAMPLES_AUDIT)
@click.argument("site_dir", type=click.Path(file_okay=False, path_type=Path))
@click.option("--policy", "policy_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Policy the site was built with (default: ./consent.yml if present); "
                   "explains service sources by category.")
@click.option("--format", "fmt", type=click.Choice(["json", "md", "html"]), default="md",
              show_default=True, help="Report format.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the report here instead of stdout.")
@click.option("--fail-on", type=click.Choice(["high", "medium", "never"]), default="high",
              show_default=True, help="Exit 1 when a finding is at least this severe "
                                      "(high includes CSP syntax errors).")
@click.option("--baseline", type=click.Path(dir_okay=False, path_type=Path),
              help="A previous --format json report: show new and removed sources, hashes "
                   "and findings.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None,
              help="Worker processes for scanning (default: up to 4).")
def audit(site_dir: Path, policy_path: Path | None, fmt: str, output: Path | None,
          fail_on: str, baseline: Path | None, jobs: int | None) -> None:
    """Audit the built site in SITE_DIR: its CSP and why each source is there, findings
    (Google CSP Evaluator's checks and more), gating and masking coverage."""
    from .audit import audit_site, load_baseline
    from .headers import atomic_write
    from .report import render

    try:
        policy = _load_policy(policy_path, required=False)
        old = load_baseline(baseline) if baseline else None
        report = audit_site(site_dir, policy, baseline=old, jobs=jobs)
        text = render(report.to_json(), fmt)
        if output:
            atomic_write(output, text.encode("utf-8"))
        else:
            click.echo(text, nl=False)
    except UserError as exc:
        _fail(str(exc))
    counts = ", ".join(f"{n} {s}" for s, n in report.counts().items() if n) or "no findings"
    click.echo(f"audit: {report.pages} pages, {counts}"
               + (f"; report written to {output}" if output else ""), err=True)
    if report.fails(fail_on):
        sys.exit(1)

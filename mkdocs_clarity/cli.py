"""``mkdocs-clarity``: apply a consent policy to any built static site, and audit one.

Thin front end: ``apply`` runs the plugin's engine (:func:`site.apply_site`), ``audit`` runs
:func:`audit.audit_site`. Mistakes a user can make are :class:`UserError` s: printed as
``Error: ...`` with exit status 1, never a traceback.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, overload

import click

from consent_generator.errors import UserError
from consent_generator.versions import version_option
from mkdocs_clarity.engine.siteurl import SiteUrl

if TYPE_CHECKING:
    from consent_generator.model import Policy
    from mkdocs_clarity.engine.site import SiteReport

EXAMPLES_APPLY = """
\b
Examples:
  mkdocs-clarity apply site/                       # policy: ./consent.yml
  mkdocs-clarity apply public/ --policy ops/consent.yml
  mkdocs-clarity apply _build/html --dry-run       # show what would change
  mkdocs-clarity apply public/ --site-url https://example.org/docs/
  zensical build && mkdocs-clarity apply site/
"""

EXAMPLES_AUDIT = """
\b
Examples:
  mkdocs-clarity audit site/                       # Markdown to stdout, exit 1 on high
  mkdocs-clarity audit site/ --format html -o audit.html
  mkdocs-clarity audit site/ --format json -o audit.json --fail-on never
  mkdocs-clarity audit site/ --baseline last-release.json --fail-on medium
  mkdocs-clarity audit public/ --site-url https://example.org/docs/
"""

PROGRESS_MIN_PAGES = 200

SITE_URL_HELP = ("Where the site is served, e.g. https://example.org/docs/ (default: read from "
                 "the site's canonical link or sitemap.xml). Its origin is first-party; "
                 "404.html gets root-absolute links under its path.")


def _fail(message: str) -> None:
    click.echo(f"Error: {message}", err=True)
    sys.exit(1)


def _site_url(site_dir: Path, given: str | None) -> SiteUrl | None:
    """``--site-url`` when given, else what the generator wrote into the site (None if
    nothing says: the caller tells the user what that costs)."""
    from mkdocs_clarity.engine.siteurl import detect_site_url, parse_site_url

    return parse_site_url(given) if given is not None else detect_site_url(site_dir)


def _site_url_line(site_url: SiteUrl | None, applied: bool) -> str:
    """Which site URL was used and where from; when none, what that cost (so the user knows
    to pass --site-url rather than wonder why 404.html or the third-party list look off)."""
    if site_url is not None:
        return f"site URL: {site_url.url} (from {site_url.source})"
    cost = "404.html gets relative links and " if applied else ""
    return ("site URL: unknown (no --site-url, no canonical link in index.html, no "
            f"sitemap.xml): {cost}absolute URLs to the site itself count as third-party")


@overload
def _load_policy(path: Path | None, required: Literal[True]) -> Policy: ...


@overload
def _load_policy(path: Path | None, required: bool) -> Policy | None: ...


def _load_policy(path: Path | None, required: bool) -> Policy | None:
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
@version_option("mkdocs-clarity")
def main() -> None:
    """Consent gating, a strict site-wide CSP and Clarity masking for any static site."""


@main.command(epilog=EXAMPLES_APPLY)
@click.argument("site_dir", type=click.Path(file_okay=False, path_type=Path))
@click.option("--policy", "policy_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Policy file (default: ./consent.yml).")
@click.option("--dry-run", is_flag=True, help="Report what would change; write nothing.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None,
              help="Worker processes (default: all cores, at most 8).")
@click.option("--site-url", "site_url_arg", metavar="URL", help=SITE_URL_HELP)
@click.option("--strict", is_flag=True,
              help="Fail (write nothing) when a page's own CSP asks for a source that would "
                   "weaken the site's policy, instead of dropping it with a warning.")
def apply(site_dir: Path, policy_path: Path | None, dry_run: bool, jobs: int | None,
          site_url_arg: str | None, strict: bool = False) -> None:
    """Apply the consent policy to the built site in SITE_DIR (idempotent)."""
    try:
        if not site_dir.is_dir():
            raise UserError(f"{site_dir}: not a directory; pass the built site (e.g. site/)")
        site_url = _site_url(site_dir, site_url_arg)
        policy = _load_policy(policy_path, required=True)
        for w in policy.warnings:
            click.echo(str(w), err=True)
        from mkdocs_clarity.engine.site import apply_site, html_files

        where: dict[str, Any] = {"site_origin": site_url.origin if site_url else None,
                                 "base_path": site_url.base_path if site_url else None,
                                 "strict": strict, "interruptible": True}
        pages = len(html_files(site_dir))
        show = sys.stderr.isatty() or pages > PROGRESS_MIN_PAGES
        if show:
            # Both passes read every page: the bar covers scan + write (2 steps per page).
            with click.progressbar(length=2 * pages, label="Applying", file=sys.stderr,
                                   show_pos=True) as bar:
                def advance(phase: str, done: int, total: int) -> None:
                    bar.length = 2 * total
                    bar.update((total if phase == "write" else 0) + done - bar.pos)

                report = apply_site(site_dir, policy, jobs=jobs, dry_run=dry_run,
                                    progress=advance, **where)
        else:
            report = apply_site(site_dir, policy, jobs=jobs, dry_run=dry_run, **where)
    except UserError as exc:
        if getattr(exc, "exit_code", 1) != 1:  # site.Interrupted: 130, as shells expect
            click.echo(f"Error: {exc}", err=True)
            sys.exit(exc.exit_code)  # type: ignore[attr-defined]
        _fail(str(exc))
    click.echo(summary(report, dry_run, site_url))


def summary(report: SiteReport, dry_run: bool, site_url: SiteUrl | None = None) -> str:
    """The end-of-run summary: what changed, what was gated and masked, how big the policy is,
    where the site is served; a dry run also lists every file it would write, since checking
    that list is why one runs it."""
    verb = "would change" if dry_run else "changed"
    policy = report.csp.meta_policy
    hashes = sum(1 for _, sources in policy.directives for s in sources
                 if s.startswith("'sha"))
    lines = [f"{report.pages_changed} page(s) {verb}, {report.pages_unchanged} unchanged",
             f"gated snippets: {report.gated}, masks: {report.masked}",
             f"policy: {report.policy_bytes} bytes, {hashes} hashes"]
    lines.append(_site_url_line(site_url, applied=True))
    lines.append(f"processes: {report.workers or 1}")
    files = [f.path.name for f in report.header_files]
    if files:
        lines.append(("header files that would be written: " if dry_run
                      else "header files: ") + ", ".join(files))
        from mkdocs_clarity.hosts import hsts_line

        lines.append(hsts_line(report.header_files) or "")
    if dry_run:
        lines += [f"  would change: {rel}" for rel in report.changed]
        lines += [f"  would write: {rel}" for rel in report.assets]
        for f in report.header_files:
            state = "would write" if f.changed else "unchanged"
            lines.append(f"  {state}: {_relative(f.path, report.site_dir)} "
                         f"({', '.join(f.deliveries)})")
    for w in report.warnings:
        lines.append(f"warning: {w}")
    return "\n".join(lines)


def _relative(path: Path, site_dir: Path) -> str:
    """``path`` as the user knows it: relative to the site when inside it."""
    path = Path(path)
    return path.relative_to(site_dir).as_posix() if path.is_relative_to(site_dir) else str(path)


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
@click.option("--site-url", "site_url_arg", metavar="URL", help=SITE_URL_HELP)
def audit(site_dir: Path, policy_path: Path | None, fmt: str, output: Path | None,
          fail_on: str, baseline: Path | None, jobs: int | None,
          site_url_arg: str | None) -> None:
    """Audit the built site in SITE_DIR: its CSP and why each source is there, findings
    (Google CSP Evaluator's checks and more), gating and masking coverage."""
    from consent_generator.atomic import write_atomic
    from mkdocs_clarity.audit import audit_site, load_baseline
    from mkdocs_clarity.audit.report import render

    try:
        policy = _load_policy(policy_path, required=False)
        old = load_baseline(baseline) if baseline else None
        site_url = _site_url(site_dir, site_url_arg) if site_dir.is_dir() else None
        report = audit_site(site_dir, policy, baseline=old, jobs=jobs, site_url=site_url)
        text = render(report.to_json(), fmt)
        if output:
            write_atomic(output, text)
        else:
            click.echo(text, nl=False)
    except UserError as exc:
        _fail(str(exc))
    counts = ", ".join(f"{n} {s}" for s, n in report.counts().items() if n) or "no findings"
    click.echo(f"audit: {report.pages} pages, {counts}"
               + (f"; report written to {output}" if output else ""), err=True)
    click.echo(_site_url_line(site_url, applied=False), err=True)
    if report.fails(fail_on):
        sys.exit(1)


EXAMPLES_VERIFY = """
\b
Examples:
  mkdocs-clarity verify site/                      # every page, text summary
  mkdocs-clarity verify site/ --pages 20 --format json -o verify.json
  mkdocs-clarity verify site/ --pages 'guide/*' --format html -o verify.html
  mkdocs-clarity verify public/ --site-url https://example.org/docs/ --jobs 2
"""


@main.command(epilog=EXAMPLES_VERIFY)
@click.argument("site_dir", type=click.Path(path_type=Path))
@click.option("--policy", "policy_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Policy the site was built with (default: ./consent.yml if present).")
@click.option("--site-url", "site_url_arg", metavar="URL", help=SITE_URL_HELP)
@click.option("--pages", "pages", multiple=True, metavar="all|N|GLOB",
              help="Pages to check: all (default), N spread over the site, or globs over "
                   "site-relative paths (repeatable).")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "md", "html"]),
              default="text", show_default=True, help="Report format.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the report here instead of stdout.")
@click.option("--browser", "browser", metavar="PATH",
              help="Chromium or Chrome (default: /usr/bin/chromium, then chromium-browser, "
                   "google-chrome on PATH). Never downloads one.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None,
              help="Pages checked at once, each by its own browser context (default: 2).")
def verify(site_dir: Path, policy_path: Path | None, site_url_arg: str | None,
           pages: tuple[str, ...], fmt: str, output: Path | None, browser: str | None,
           jobs: int | None) -> None:
    """Load the built site in a real browser and prove, page by page, what happens before
    and after consent (exit 1 on a finding, 2 when it cannot run)."""
    from mkdocs_clarity.verify.cli import run_verify

    sys.exit(run_verify(site_dir, policy_path=policy_path, site_url_arg=site_url_arg,
                        pages=pages, fmt=fmt, output=output, browser=browser, jobs=jobs,
                        load_policy=_load_policy, site_url=_site_url))

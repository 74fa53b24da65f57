"""``consent-generator``: the site maintainer's command.

Thin on purpose: each command reads its input, calls the library (policy, skeleton,
cookie_table, render) and reports. Mistakes a user can make come back as ``UserError`` and
are printed without a traceback, with exit status 1.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from .atomic import write_atomic
from .cookie_table import FORMATS, render_cookie_table
from .discover import MKDOCS_CONFIG, Discovery, Finding, discover
from .discover_report import custom_service_entry, next_steps
from .errors import UserError
from .init_vendors import flag_for, given, init_vendors, vendor_options
from .model import Policy
from .policy import (
    BUNDLED_LANGUAGES,
    MASKING_MODES,
    MODES,
    POLICY_FILENAME,
    PolicyError,
    load_policy,
    parse_policy,
)
from .policy_services import check_param
from .services import catalog
from .services.model import Param
from .skeleton import ChosenService, InitAnswers, render_skeleton
from .versions import version_option

F = TypeVar("F", bound=Callable[..., Any])

LANGUAGES = ("auto", *BUNDLED_LANGUAGES)
Picked = dict[str, bool | dict[str, str] | None]
"""Per vendor id: None (not said yet), False/True (no params) or its param values."""

def _user_errors(func: F) -> F:
    """Print a UserError (every problem of a policy, say) to stderr and exit 1."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except PolicyError as exc:
            for problem in exc.problems:
                click.echo(str(problem), err=True)
            count = len(exc.problems)
            click.echo(f"{count} problem{'s' if count != 1 else ''} found.", err=True)
            sys.exit(1)
        except UserError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(1)

    return wrapper  # type: ignore[return-value]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@version_option("consent-generator")
def main() -> None:
    """Write and check the consent policy (consent.yml) of a static site.

    \b
    Examples:
      consent-generator init                      # answer a few questions
      consent-generator validate                  # check ./consent.yml
      consent-generator cookie-table > cookies.md # the table for a privacy page
      consent-generator snippet --policy consent.yml -o public/
    """


# -- init ------------------------------------------------------------------------------------


@main.command()
@click.option("--non-interactive", is_flag=True,
              help="Ask nothing; take every answer from the options (for scripts).")
@vendor_options
@click.option("--mode", type=click.Choice(MODES), help="opt-in (default), opt-out or notice.")
@click.option("--language", type=click.Choice(LANGUAGES),
              help="Banner language: auto (each page's <html lang>, default) or a code.")
@click.option("--masking", type=click.Choice(MASKING_MODES),
              help="Clarity masking: strict, balanced (default) or relaxed.")
@click.option("--privacy-url", metavar="URL", help="Your privacy page, linked from the banner.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              default=Path(POLICY_FILENAME), show_default=True, help="Where to write it.")
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
@click.option("--from", "site", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Read this site first: an MkDocs project (with mkdocs.yml) or a built "
              "site of any generator. Default: the current directory if it has mkdocs.yml.")
@_user_errors
def init(non_interactive: bool, output: Path, force: bool, site: Path | None,
         **answers: Any) -> None:
    """Write a commented consent.yml for this site.

    Reads the site first (next to mkdocs.yml, or --from SITE_DIR): the theme's analytics
    settings, pasted loaders of catalog vendors with their ids, YouTube and Vimeo embeds,
    other third-party scripts and frames; says what it found and where, and proposes those
    services. Then asks what it could not find: other services (each catalog vendor's own
    question), how to ask visitors (opt-in, opt-out or notice), the banner language and
    Clarity's masking. Options given on the command line win and are not asked. The file is
    validated before it is written.

    \b
    Examples:
      consent-generator init
      consent-generator init --from public/        # a site built by Hugo, Jekyll, ...
      consent-generator init --non-interactive --clarity abcde12345 \\
          --google-analytics G-ABCDE12345 --youtube -o consent.yml
    """
    if output.exists() and not force:
        raise UserError(f"{output} already exists; use --force to overwrite it")
    picked: Picked = {spec.id: given(answers, spec) for spec in init_vendors()}
    for service_id, value in picked.items():
        if isinstance(value, dict):
            picked[service_id] = {name: _checked_id(service_id, name, v, fail=True)
                                  for name, v in value.items()}
    discovery = _discover(site)
    if discovery is not None:
        _report(discovery)
        _propose(discovery, picked, interactive=not non_interactive)
    chosen = _ask(picked, answers, interactive=not non_interactive)
    text = render_skeleton(InitAnswers(
        services=chosen,
        mode=answers["mode"] or "opt-in",
        language=answers["language"] or "auto",
        masking=answers["masking"] or "balanced",
        privacy_url=answers["privacy_url"] or None,
        filename=output.name,
    ))
    policy = parse_policy(text, str(output))  # raises PolicyError: the skeleton is wrong
    write_atomic(output, text)
    click.echo(f"Wrote {output}: {_summary(policy)}.")
    for line in next_steps(discovery, output):
        click.echo(line)


def _discover(site: Path | None) -> Discovery | None:
    """The site to read: ``--from``, else the current directory when it is an MkDocs project."""
    if site is None:
        site = Path.cwd()
        if not (site / MKDOCS_CONFIG).is_file():
            return None
    return discover(site)


def _report(discovery: Discovery) -> None:
    """Say what was found and where, before any question."""
    label = "MkDocs project" if discovery.kind == "mkdocs" else "built site"
    click.echo(f"Reading the {label} in {discovery.root}:")
    for note in discovery.notes:
        click.echo(f"  note: {note}")
    specs = catalog()
    for service, findings in discovery.services().items():
        for f in findings:
            ids = ", ".join(f"{k} {v}" for k, v in f.params)
            click.echo(f"  {f.where}: {specs[service].name} ({f.what})"
                       + (f" — {ids}" if ids else ""))
    for f in discovery.unknown():
        click.echo(f"  {f.where}: {f.what}: not in the catalog; to gate it under consent, "
                   "add to consent.yml:")
        click.echo(custom_service_entry(f, indent="      "))
    if not discovery.findings:
        click.echo("  no tracker or third-party embed found")


def _propose(discovery: Discovery, picked: Picked, *, interactive: bool) -> None:
    """Fill unanswered vendors from what was found; ask or fail only where it is unclear.

    A required param must be read or given; an optional one is taken only when found."""
    found = discovery.services()
    for spec in init_vendors():
        findings = found.get(spec.id)
        if not findings or picked.get(spec.id) is not None:
            continue
        if not spec.params:
            picked[spec.id] = True
            continue
        picked[spec.id] = {
            p.name: _found_id(spec.id, p, findings, interactive=interactive)
            for p in spec.params if p.required or any(dict(f.params).get(p.name)
                                                      for f in findings)}


def _found_id(service_id: str, param: Param, findings: list[Finding], *,
              interactive: bool) -> str:
    """The one id the site uses for this service, or the maintainer's pick."""
    name = catalog()[service_id].name
    values: dict[str, str] = {}
    for f in findings:
        value = dict(f.params).get(param.name, "")
        problem = check_param(param, value) if value else ("error", "empty")
        if problem is None or problem[0] == "warning":
            values.setdefault(value, f.where)
    flag = flag_for(service_id, param)
    if len(values) == 1:
        return next(iter(values))
    where = ", ".join(f.where for f in findings)
    if not values:
        if not interactive:
            raise UserError(f"{name} found at {where}, but its {param.name} could not be "
                            f"read; pass {flag} {param.example}")
        click.echo(f"{name} found at {where}; its {param.name} could not be read.")
        return _prompt_id(service_id, param)
    listed = "; ".join(f"{v} ({w})" for v, w in values.items())
    if not interactive:
        raise UserError(f"{len(values)} different {name} ids found: {listed}. Keep one: "
                        f"pass {flag} ID, and remove the other from the site")
    click.echo(f"{len(values)} different {name} ids found: {listed}.")
    return str(click.prompt(f"  Which {param.name} should consent.yml load?",
                            type=click.Choice(list(values))))


def _ask(picked: Picked, answers: dict[str, Any], *,
         interactive: bool) -> tuple[ChosenService, ...]:
    """Each vendor's question where the options left it open (in the catalog's question
    order), then the site-wide questions."""
    chosen = []
    for spec in init_vendors():
        assert spec.init is not None
        value = picked.get(spec.id)
        asked = value is None and interactive
        if asked:
            value = click.confirm(spec.init.question, default=False) and (
                {} if spec.params else True)
        if isinstance(value, dict):
            value = _complete(spec.id, value, asked=asked, interactive=interactive)
            chosen.append(ChosenService(spec.id, tuple(
                (p.name, value[p.name]) for p in spec.params if value.get(p.name))))
        elif value:
            chosen.append(ChosenService(spec.id))
    if interactive:
        _ask_site(answers, chosen)
    return tuple(chosen)


def _complete(service_id: str, values: dict[str, str], *, asked: bool,
              interactive: bool) -> dict[str, str]:
    """Every required param of a chosen vendor (prompted, or an error naming its flag); the
    optional ones are offered only when the vendor was just chosen at its question."""
    out = dict(values)
    for param in catalog()[service_id].params:
        if param.name in out:
            continue
        if param.required and interactive:
            out[param.name] = _prompt_id(service_id, param)
        elif param.required:
            raise UserError(f"{catalog()[service_id].name} needs its {param.name} too: pass "
                            f"{flag_for(service_id, param)} {param.example}")
        elif asked:
            out[param.name] = _prompt_id(service_id, param, optional=True)
    return out


def _ask_site(answers: dict[str, Any], chosen: list[ChosenService]) -> None:
    """The questions about the whole site; masking only when a session recorder is chosen."""
    recorder = any(s.id == "clarity" or catalog()[s.id].mask for s in chosen)
    for key, question, choices, default in (
        ("mode", "How should visitors be asked?", MODES, "opt-in"),
        ("language", "Banner language", LANGUAGES, "auto"),
        ("masking", "Clarity masking", MASKING_MODES, "balanced"),
    ):
        if answers.get(key) is None and (key != "masking" or recorder):
            answers[key] = click.prompt(question, type=click.Choice(choices), default=default)
    if answers.get("privacy_url") is None:
        answers["privacy_url"] = click.prompt(
            "Privacy page URL (an https URL or a /path; empty for none)", default="",
            show_default=False, value_proc=_privacy_url)


def _prompt_id(service_id: str, param: Param, *, optional: bool = False) -> str:
    """Ask for an id until it is valid; an unusual one (a warning) must be confirmed. An
    optional param may be left empty."""
    label = f"  {param.description}, e.g. {param.example}"
    if optional:
        label += " (optional, empty for none)"
    while True:
        value = click.prompt(label, default="" if optional else None, show_default=False,
                             value_proc=lambda v: v.strip() if optional and not v.strip()
                             else _checked_id(service_id, param.name, v, fail=False,
                                              warn=False))
        if not value:
            return ""
        found = check_param(param, value)
        if found is None:
            return str(value)
        click.echo(f"  {value!r} looks unusual: {found[1]}.")
        if click.confirm("  Use it anyway?", default=False):
            return str(value)


def _checked_id(service_id: str, name: str, value: str, *, fail: bool,
                warn: bool = True) -> str:
    """The value if it is acceptable; an error (re-asked at a prompt) otherwise.

    Uses the catalog's own rules so ``init`` can never write an id ``validate`` refuses.
    """
    spec = catalog()[service_id]
    param = spec.param(name)
    value = value.strip()
    found = check_param(param, value) if value else ("error", "it is empty")
    if found is None:
        return value
    severity, message = found
    if severity == "warning":
        if warn:
            click.echo(f"warning: {param.name} {value!r}: {message}", err=True)
        return value
    text = f"{value!r} is not a valid {spec.name} {param.name}: {message}"
    if fail:
        raise click.BadParameter(text, param_hint=flag_for(service_id, param))
    raise click.BadParameter(text)


def _privacy_url(value: str) -> str:
    value = value.strip()
    if value and not (value.startswith("https://") or
                      (value.startswith("/") and not value.startswith("//"))):
        raise click.BadParameter("give an https:// URL or a path on this site starting with /")
    return value


# -- validate --------------------------------------------------------------------------------


@main.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path),
                default=Path(POLICY_FILENAME))
@_user_errors
def validate(file: Path) -> None:
    """Check a policy file (default ./consent.yml).

    Prints a one-line summary and exits 0 when the file is valid (warnings go to stderr);
    otherwise prints every problem with its file:line:column and key, and exits 1.

    \b
    Examples:
      consent-generator validate
      consent-generator validate docs/consent.yml
    """
    policy = load_policy(file)
    for warning in policy.warnings:
        click.echo(str(warning), err=True)
    click.echo(f"{file}: OK: {_summary(policy)}")


def _summary(policy: Policy) -> str:
    services = ", ".join(s.key for s in policy.services) or "none"
    count = len(policy.warnings)
    return (f"mode {policy.mode}, revision {policy.revision}, "
            f"{len(policy.services)} service{'s' if len(policy.services) != 1 else ''} "
            f"({services}), {len(policy.categories)} categories "
            f"({', '.join(c.id for c in policy.categories)}), "
            f"{count} warning{'s' if count != 1 else ''}")


# -- cookie-table ----------------------------------------------------------------------------


@main.command("cookie-table")
@click.option("--policy", "policy_file", type=click.Path(dir_okay=False, path_type=Path),
              default=Path(POLICY_FILENAME), show_default=True, help="The policy file.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="md", show_default=True,
              help="md (a Markdown table) or html (an escaped <table> fragment).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write to this file instead of standard output.")
@_user_errors
def cookie_table(policy_file: Path, fmt: str, output: Path | None) -> None:
    """Print the cookie declaration for a privacy page.

    One row per cookie (the consent cookie itself first): name, provider, category,
    purpose, lifetime and whether it is first- or third-party.

    \b
    Examples:
      consent-generator cookie-table >> docs/privacy.md
      consent-generator cookie-table --policy consent.yml --format html -o cookies.html
    """
    text = render_cookie_table(load_policy(policy_file), fmt)  # type: ignore[arg-type]
    if output is None:
        click.echo(text, nl=False)
    else:
        write_atomic(output, text)
        click.echo(f"Wrote {output}", err=True)


# -- snippet ---------------------------------------------------------------------------------


@main.command()
@click.option("--policy", "policy_file", type=click.Path(dir_okay=False, path_type=Path),
              default=Path(POLICY_FILENAME), show_default=True, help="The policy file.")
@click.option("-o", "--output", type=click.Path(file_okay=False, path_type=Path),
              required=True, help="Directory to write the runtime and markup to.")
@click.option("--language", default="en", show_default=True, type=click.Choice(
    BUNDLED_LANGUAGES), help="Language of the banner markup.")
@_user_errors
def snippet(policy_file: Path, output: Path, language: str) -> None:
    """Write the consent runtime and markup for a site built by another tool.

    Writes the runtime assets (assets/consent/...) and the head and body markup to paste
    into your templates, then lists what it wrote.

    \b
    Examples:
      consent-generator snippet --policy consent.yml -o public/
      consent-generator snippet -o build/ --language de
    """
    from .render import write_snippet

    policy = load_policy(policy_file)
    for path in write_snippet(policy, output, lang=language):
        click.echo(f"wrote {path}")


if __name__ == "__main__":  # pragma: no cover
    main()

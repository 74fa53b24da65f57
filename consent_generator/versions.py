"""What ``--version`` prints, for both command-line tools (one home, so they cannot differ).

Three versions matter when a site behaves unexpectedly:

- the **package** version (``consent_generator.__about__``, the one number a release bumps);
- the **catalog** version: ``services.CATALOG_VERSION`` (when the vendor facts were last
  checked) and ``services.catalog_fingerprint()`` (a hash of every entry, exact);
- the **runtime** version: the content hashes of the consent runtime's JS and CSS, exactly as
  they appear in the asset names a built site serves (``assets/consent/consent.<hash>.js``),
  so a deployed site can be matched against the tool that built it.
"""

from __future__ import annotations

import platform
from collections.abc import Callable
from pathlib import PurePosixPath
from typing import TypeVar

import click

from .__about__ import __version__

F = TypeVar("F", bound=Callable[..., object])


def runtime_version() -> str:
    """The served runtime files' names, e.g. ``consent.1a2b3c4d.js, consent.5e6f7a8b.css``."""
    from .render import runtime_assets

    return ", ".join(PurePosixPath(asset.path).name for asset in runtime_assets())


def versions_text(prog: str) -> str:
    """The ``--version`` text: the first line is click's usual ``PROG, version X`` so scripts
    that read it keep working; the catalog, runtime and Python follow."""
    from .services import CATALOG_VERSION, catalog, catalog_fingerprint

    return (f"{prog}, version {__version__}\n"
            f"catalog {CATALOG_VERSION} ({len(catalog())} services, "
            f"fingerprint {catalog_fingerprint()})\n"
            f"runtime {runtime_version()}\n"
            f"Python {platform.python_version()}")


def version_option(prog: str) -> Callable[[F], F]:
    """A ``--version`` flag for a click command that prints :func:`versions_text` and exits.

    Eager and computed only when given, so the catalog and runtime are not loaded otherwise."""

    def show(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
        if not value or ctx.resilient_parsing:
            return
        click.echo(versions_text(prog))
        ctx.exit()

    return click.option("--version", is_flag=True, expose_value=False, is_eager=True,
                        callback=show,
                        help="Show the package, catalog and runtime versions and exit.")

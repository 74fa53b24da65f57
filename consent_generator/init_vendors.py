"""The vendor questions and flags of ``consent-generator init``, read from the catalog.

Each catalog entry carries its own :class:`~consent_generator.services.model.InitQuestion`, so
adding a vendor adds its question and its flags here without touching the command: a vendor
without params is a yes/no flag (``--youtube/--no-youtube``), one with a single param takes
its value (``--clarity PROJECT_ID``), one with several takes one flag per param
(``--matomo-url URL --matomo-site-id ID``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import click

from .services import catalog
from .services.model import Param, ServiceSpec

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class VendorFlag:
    """One command-line flag of one vendor."""

    service_id: str
    param: Param | None
    """None: the yes/no flag of a vendor without params."""
    option: str
    """The flag as typed: ``--clarity``, ``--matomo-site-id``."""

    @property
    def dest(self) -> str:
        """The keyword click passes the value under."""
        return self.option[2:].replace("-", "_")


def init_vendors() -> list[ServiceSpec]:
    """The vendors ``init`` asks about, in question order."""
    specs = [s for s in catalog().values() if s.init is not None]
    return sorted(specs, key=lambda s: (s.init.order if s.init else 0, s.id))


def vendor_flags(spec: ServiceSpec) -> tuple[VendorFlag, ...]:
    """The flags of one vendor (see the module docstring for their shapes)."""
    if not spec.params:
        return (VendorFlag(spec.id, None, f"--{spec.id}"),)
    if len(spec.params) == 1:
        return (VendorFlag(spec.id, spec.params[0], f"--{spec.id}"),)
    return tuple(VendorFlag(spec.id, p, f"--{spec.id}-{p.name.replace('_', '-')}")
                 for p in spec.params)


def flag_for(service_id: str, param: Param) -> str:
    """How the user names this param on the command line, for messages."""
    return next(f.option for f in vendor_flags(catalog()[service_id]) if f.param == param)


def vendor_options(func: F) -> F:
    """Decorate ``init`` with every vendor's flags (in question order in ``--help``)."""
    for spec in reversed(init_vendors()):
        for flag in reversed(vendor_flags(spec)):
            func = _option(spec, flag)(func)
    return func


def _option(spec: ServiceSpec, flag: VendorFlag) -> Callable[[F], F]:
    assert spec.init is not None
    if flag.param is None:
        return click.option(f"{flag.option}/--no-{spec.id}", flag.dest, default=None,
                            help=spec.init.question)
    metavar = (spec.init.metavar if len(spec.params) == 1 and spec.init.metavar
               else flag.param.name.upper())
    optional = "" if flag.param.required else " (optional)"
    return click.option(flag.option, flag.dest, metavar=metavar,
                        help=f"{spec.name}: {flag.param.description}{optional}.")


def given(answers: dict[str, Any], spec: ServiceSpec) -> bool | dict[str, str] | None:
    """What the flags said about one vendor: None (nothing), False (``--no-x``), True (a
    vendor without params) or its param values (pops the vendor's flags from ``answers``)."""
    values: dict[str, str] = {}
    said: bool | None = None
    for flag in vendor_flags(spec):
        value = answers.pop(flag.dest, None)
        if flag.param is None:
            said = value
        elif value is not None:
            values[flag.param.name] = value
    return values or said

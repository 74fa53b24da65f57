"""The commented ``consent.yml`` that ``consent-generator init`` writes.

Kept apart from the command so that the questions (CLI) and the file (template) can change
independently, and so tests can render a skeleton without driving prompts.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from jinja2 import Environment, PackageLoader, StrictUndefined

from .services import CUSTOM_ID, catalog


@dataclass(frozen=True)
class ChosenService:
    """A catalog service picked at ``init``, with the values of its params."""

    id: str
    params: tuple[tuple[str, str], ...] = ()
    category: str | None = None
    """None: the catalog entry's default category."""


@dataclass(frozen=True)
class InitAnswers:
    """Everything ``init`` asks; defaults are the policy defaults."""

    services: tuple[ChosenService, ...] = ()
    mode: str = "opt-in"
    language: str = "auto"
    masking: str = "balanced"
    privacy_url: str | None = None
    filename: str = "consent.yml"


def _yaml_str(value: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(value, ensure_ascii=False)


def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("consent_generator", "templates"),
        autoescape=False,  # YAML, not HTML; values go through yaml_str
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=StrictUndefined,
    )
    env.filters["yaml_str"] = _yaml_str
    return env


def render_skeleton(answers: InitAnswers) -> str:
    """The text of a commented ``consent.yml`` for ``answers``."""
    specs = catalog()
    services = [
        {
            "id": s.id,
            "name": specs[s.id].name,
            "description": specs[s.id].description,
            "category": s.category or specs[s.id].default_category,
            "params": s.params,
        }
        for s in answers.services
    ]
    return _environment().get_template("consent.yml.j2").render(
        mode=answers.mode,
        language=answers.language,
        masking=answers.masking,
        privacy_url=answers.privacy_url,
        services=services,
        filename=answers.filename,
        catalog_ids=", ".join(k for k in specs if k != CUSTOM_ID),
    )
